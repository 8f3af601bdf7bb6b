-- PostgreSQL 0010, the meaning of SQLite 0024: the one-off pass that computes
-- the owner's zone of users stored before the store kept it is owed (run in
-- C++ at the next start, CollectionStore::backfill_owner_zones, which
-- deletes the row in its transaction: the first node to start runs it, the
-- others wait on the row and find it gone), and a WebDAV-Push registration
-- keeps the topic it was made under when it follows its calendar's MOVE
-- (empty: the collection's own).
CREATE TABLE pending_upgrades (
    name text PRIMARY KEY
);
INSERT INTO pending_upgrades (name) VALUES ('owner_zones');

ALTER TABLE push_subscriptions ADD COLUMN topic text NOT NULL DEFAULT '';
