-- 0013: the home change log (0009) written without a conflict clause.
--
-- 0009's triggers logged a change with INSERT OR REPLACE. SQLite applies the
-- conflict policy of the statement that fired a trigger to the statements in
-- it, so under an UPSERT (a dead property set again: Apple Calendar re-asserts
-- calendar-color and calendar-order on every start) the REPLACE became an
-- ABORT and the PROPPATCH failed with "UNIQUE constraint failed:
-- home_changes.owner_id, home_changes.name" (issue 22 §8). The same triggers
-- now delete the name's row, then insert it: no statement can conflict.

DROP TRIGGER home_collection_insert;
DROP TRIGGER home_collection_update;
DROP TRIGGER home_collection_delete;
DROP TRIGGER home_dead_property_insert;
DROP TRIGGER home_dead_property_update;
DROP TRIGGER home_dead_property_delete;

CREATE TRIGGER home_collection_insert AFTER INSERT ON collections BEGIN
    UPDATE principals SET home_revision = home_revision + 1,
        home_modified_at = max(home_modified_at, NEW.modified_at) WHERE id = NEW.owner_id;
    DELETE FROM home_changes WHERE owner_id = NEW.owner_id AND name = NEW.name;
    INSERT INTO home_changes (owner_id, name, revision, deleted)
        SELECT id, NEW.name, home_revision, 0 FROM principals WHERE id = NEW.owner_id;
END;

-- max_span and modified_at alone are bookkeeping, not changes a client sees.
CREATE TRIGGER home_collection_update
AFTER UPDATE OF name, kind, display_name, description, timezone, components, revision ON collections BEGIN
    UPDATE principals SET home_revision = home_revision + 1,
        home_modified_at = max(home_modified_at, NEW.modified_at) WHERE id = NEW.owner_id;
    DELETE FROM home_changes WHERE owner_id = OLD.owner_id AND name = OLD.name AND OLD.name <> NEW.name;
    INSERT INTO home_changes (owner_id, name, revision, deleted)
        SELECT id, OLD.name, home_revision, 1 FROM principals WHERE id = OLD.owner_id AND OLD.name <> NEW.name;
    DELETE FROM home_changes WHERE owner_id = NEW.owner_id AND name = NEW.name;
    INSERT INTO home_changes (owner_id, name, revision, deleted)
        SELECT id, NEW.name, home_revision, 0 FROM principals WHERE id = NEW.owner_id;
END;

CREATE TRIGGER home_collection_delete AFTER DELETE ON collections BEGIN
    UPDATE principals SET home_revision = home_revision + 1,
        home_modified_at = max(home_modified_at, CAST(strftime('%s', 'now') AS INTEGER)) WHERE id = OLD.owner_id;
    DELETE FROM home_changes WHERE owner_id = OLD.owner_id AND name = OLD.name;
    INSERT INTO home_changes (owner_id, name, revision, deleted)
        SELECT id, OLD.name, home_revision, 1 FROM principals WHERE id = OLD.owner_id;
END;

-- A collection's own dead properties (Apple's calendar-color, calendar-order, ...).
CREATE TRIGGER home_dead_property_insert AFTER INSERT ON dead_properties WHEN NEW.object_name = '' BEGIN
    UPDATE principals SET home_revision = home_revision + 1,
        home_modified_at = max(home_modified_at, CAST(strftime('%s', 'now') AS INTEGER))
        WHERE id = (SELECT owner_id FROM collections WHERE id = NEW.collection_id);
    DELETE FROM home_changes WHERE (owner_id, name) IN
        (SELECT owner_id, name FROM collections WHERE id = NEW.collection_id);
    INSERT INTO home_changes (owner_id, name, revision, deleted)
        SELECT p.id, c.name, p.home_revision, 0 FROM collections c JOIN principals p ON p.id = c.owner_id
        WHERE c.id = NEW.collection_id;
END;

CREATE TRIGGER home_dead_property_update AFTER UPDATE ON dead_properties WHEN NEW.object_name = '' BEGIN
    UPDATE principals SET home_revision = home_revision + 1,
        home_modified_at = max(home_modified_at, CAST(strftime('%s', 'now') AS INTEGER))
        WHERE id = (SELECT owner_id FROM collections WHERE id = NEW.collection_id);
    DELETE FROM home_changes WHERE (owner_id, name) IN
        (SELECT owner_id, name FROM collections WHERE id = NEW.collection_id);
    INSERT INTO home_changes (owner_id, name, revision, deleted)
        SELECT p.id, c.name, p.home_revision, 0 FROM collections c JOIN principals p ON p.id = c.owner_id
        WHERE c.id = NEW.collection_id;
END;

CREATE TRIGGER home_dead_property_delete AFTER DELETE ON dead_properties WHEN OLD.object_name = '' BEGIN
    UPDATE principals SET home_revision = home_revision + 1,
        home_modified_at = max(home_modified_at, CAST(strftime('%s', 'now') AS INTEGER))
        WHERE id = (SELECT owner_id FROM collections WHERE id = OLD.collection_id);
    DELETE FROM home_changes WHERE (owner_id, name) IN
        (SELECT owner_id, name FROM collections WHERE id = OLD.collection_id);
    INSERT INTO home_changes (owner_id, name, revision, deleted)
        SELECT p.id, c.name, p.home_revision, 0 FROM collections c JOIN principals p ON p.id = c.owner_id
        WHERE c.id = OLD.collection_id;
END;
