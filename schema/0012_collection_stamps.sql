-- 0012: what tells an in-memory copy of a collection (src/storage/collection_cache)
-- that it is still the database's.
-- incarnation: a random number drawn when the collection is created, so that
-- a collection created under the id of a deleted one (SQLite may reuse the
-- largest rowid) is never taken for it.
-- index_generation: counts rewrites of instance rows that are not member
-- changes (the background indexer); member changes are in `changes` already.
ALTER TABLE collections ADD COLUMN incarnation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE collections ADD COLUMN index_generation INTEGER NOT NULL DEFAULT 0;
UPDATE collections SET incarnation = random();

CREATE TRIGGER collection_incarnation AFTER INSERT ON collections BEGIN
    UPDATE collections SET incarnation = random() WHERE id = NEW.id;
END;
