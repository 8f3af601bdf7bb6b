-- 0009: a sync token, change log and times for each calendar home (RFC 6578 on
-- the home collection, CalendarServer getctag), so that a client learns from one
-- request which of the home's collections were created, deleted, renamed in
-- properties (displayname, colour, ...) or changed in content.
--
-- Kept by triggers in the writing transaction, like the usage counter (0003):
-- every path that touches a collection (provisioning, MKCALENDAR, PROPPATCH,
-- member writes, DELETE) bumps the home's revision without each having to.

ALTER TABLE principals ADD COLUMN home_revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE principals ADD COLUMN home_sync_floor INTEGER NOT NULL DEFAULT 0;  -- oldest revision a token may name
ALTER TABLE principals ADD COLUMN home_modified_at INTEGER NOT NULL DEFAULT 0;  -- unix seconds

UPDATE principals SET home_modified_at = max(created_at, coalesce(
    (SELECT max(modified_at) FROM collections WHERE owner_id = principals.id), 0));

-- One row per child collection name: the home revision of its last change and
-- whether that change was its deletion (as the per-collection `changes` table).
CREATE TABLE home_changes (
    owner_id INTEGER NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    revision INTEGER NOT NULL,
    deleted  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_id, name)
) WITHOUT ROWID;
CREATE INDEX home_changes_by_revision ON home_changes (owner_id, revision);

-- The inserts select from principals so that nothing is logged while a
-- principal is being deleted (its collections go by cascade).
CREATE TRIGGER home_collection_insert AFTER INSERT ON collections BEGIN
    UPDATE principals SET home_revision = home_revision + 1,
        home_modified_at = max(home_modified_at, NEW.modified_at) WHERE id = NEW.owner_id;
    INSERT OR REPLACE INTO home_changes (owner_id, name, revision, deleted)
        SELECT id, NEW.name, home_revision, 0 FROM principals WHERE id = NEW.owner_id;
END;

-- max_span and modified_at alone are bookkeeping, not changes a client sees.
CREATE TRIGGER home_collection_update
AFTER UPDATE OF name, kind, display_name, description, timezone, components, revision ON collections BEGIN
    UPDATE principals SET home_revision = home_revision + 1,
        home_modified_at = max(home_modified_at, NEW.modified_at) WHERE id = NEW.owner_id;
    INSERT OR REPLACE INTO home_changes (owner_id, name, revision, deleted)
        SELECT id, OLD.name, home_revision, 1 FROM principals WHERE id = OLD.owner_id AND OLD.name <> NEW.name;
    INSERT OR REPLACE INTO home_changes (owner_id, name, revision, deleted)
        SELECT id, NEW.name, home_revision, 0 FROM principals WHERE id = NEW.owner_id;
END;

CREATE TRIGGER home_collection_delete AFTER DELETE ON collections BEGIN
    UPDATE principals SET home_revision = home_revision + 1,
        home_modified_at = max(home_modified_at, CAST(strftime('%s', 'now') AS INTEGER)) WHERE id = OLD.owner_id;
    INSERT OR REPLACE INTO home_changes (owner_id, name, revision, deleted)
        SELECT id, OLD.name, home_revision, 1 FROM principals WHERE id = OLD.owner_id;
END;

-- A collection's own dead properties (Apple's calendar-color, calendar-order, ...).
CREATE TRIGGER home_dead_property_insert AFTER INSERT ON dead_properties WHEN NEW.object_name = '' BEGIN
    UPDATE principals SET home_revision = home_revision + 1,
        home_modified_at = max(home_modified_at, CAST(strftime('%s', 'now') AS INTEGER))
        WHERE id = (SELECT owner_id FROM collections WHERE id = NEW.collection_id);
    INSERT OR REPLACE INTO home_changes (owner_id, name, revision, deleted)
        SELECT p.id, c.name, p.home_revision, 0 FROM collections c JOIN principals p ON p.id = c.owner_id
        WHERE c.id = NEW.collection_id;
END;

CREATE TRIGGER home_dead_property_update AFTER UPDATE ON dead_properties WHEN NEW.object_name = '' BEGIN
    UPDATE principals SET home_revision = home_revision + 1,
        home_modified_at = max(home_modified_at, CAST(strftime('%s', 'now') AS INTEGER))
        WHERE id = (SELECT owner_id FROM collections WHERE id = NEW.collection_id);
    INSERT OR REPLACE INTO home_changes (owner_id, name, revision, deleted)
        SELECT p.id, c.name, p.home_revision, 0 FROM collections c JOIN principals p ON p.id = c.owner_id
        WHERE c.id = NEW.collection_id;
END;

CREATE TRIGGER home_dead_property_delete AFTER DELETE ON dead_properties WHEN OLD.object_name = '' BEGIN
    UPDATE principals SET home_revision = home_revision + 1,
        home_modified_at = max(home_modified_at, CAST(strftime('%s', 'now') AS INTEGER))
        WHERE id = (SELECT owner_id FROM collections WHERE id = OLD.collection_id);
    INSERT OR REPLACE INTO home_changes (owner_id, name, revision, deleted)
        SELECT p.id, c.name, p.home_revision, 0 FROM collections c JOIN principals p ON p.id = c.owner_id
        WHERE c.id = OLD.collection_id;
END;
