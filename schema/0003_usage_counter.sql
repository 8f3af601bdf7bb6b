-- 0003: bytes stored per principal, kept by triggers in the writing transaction,
-- so that quota checks and quota-used-bytes (RFC 4331) need no scan.

ALTER TABLE principals ADD COLUMN used_bytes INTEGER NOT NULL DEFAULT 0;

UPDATE principals SET used_bytes = (
    SELECT coalesce(sum(o.size), 0) FROM objects o JOIN collections c ON c.id = o.collection_id
    WHERE c.owner_id = principals.id);

CREATE TRIGGER objects_usage_insert AFTER INSERT ON objects BEGIN
    UPDATE principals SET used_bytes = used_bytes + NEW.size
    WHERE id = (SELECT owner_id FROM collections WHERE id = NEW.collection_id);
END;

CREATE TRIGGER objects_usage_update AFTER UPDATE OF size, collection_id ON objects BEGIN
    UPDATE principals SET used_bytes = used_bytes - OLD.size
    WHERE id = (SELECT owner_id FROM collections WHERE id = OLD.collection_id);
    UPDATE principals SET used_bytes = used_bytes + NEW.size
    WHERE id = (SELECT owner_id FROM collections WHERE id = NEW.collection_id);
END;

-- Collections delete their objects explicitly first (SqliteStore::delete_collection)
-- so that this trigger still finds the owner.
CREATE TRIGGER objects_usage_delete AFTER DELETE ON objects BEGIN
    UPDATE principals SET used_bytes = used_bytes - OLD.size
    WHERE id = (SELECT owner_id FROM collections WHERE id = OLD.collection_id);
END;
