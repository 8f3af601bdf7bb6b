-- 0023: the home change log trigger that every member write fires (0013's
-- home_collection_update: a bump of the collection's revision) in three
-- statements instead of five (issue 24).
--
-- 0013 deleted the name's row and inserted it again, twice (the old name on a
-- rename, then the new name): four B-tree deletes and four inserts in
-- home_changes and its revision index, for what is one row written. An upsert
-- writes the same row in one statement. Its conflict target names the primary
-- key, so the conflict policy of the statement that fires the trigger (the
-- 0013 problem with INSERT OR REPLACE) does not apply to it; no statement
-- updates collections with a conflict clause anyway. Same rows, same
-- revisions: the old name of a renamed collection is logged deleted, then the
-- new name changed, both at the home's new revision; nothing is logged while a
-- principal is being deleted (the inserts still select from principals).

DROP TRIGGER home_collection_update;

-- max_span and modified_at alone are bookkeeping, not changes a client sees.
CREATE TRIGGER home_collection_update
AFTER UPDATE OF name, kind, display_name, description, timezone, components, revision ON collections BEGIN
    UPDATE principals SET home_revision = home_revision + 1,
        home_modified_at = max(home_modified_at, NEW.modified_at) WHERE id = NEW.owner_id;
    INSERT INTO home_changes (owner_id, name, revision, deleted)
        SELECT id, OLD.name, home_revision, 1 FROM principals WHERE id = OLD.owner_id AND OLD.name <> NEW.name
        ON CONFLICT (owner_id, name) DO UPDATE SET revision = excluded.revision, deleted = 1;
    INSERT INTO home_changes (owner_id, name, revision, deleted)
        SELECT id, NEW.name, home_revision, 0 FROM principals WHERE id = NEW.owner_id
        ON CONFLICT (owner_id, name) DO UPDATE SET revision = excluded.revision, deleted = 0;
END;
