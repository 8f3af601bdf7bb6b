-- 0019: push subscriptions (issue 26 §5): a user's Web Push subscriptions
-- (RFC 8030, keys of RFC 8291) and WebDAV-Push registrations on collections
-- (draft-bitfire-webdav-push), one table.
--
-- owner_id is the principal who subscribed: the distribution key when the
-- table is sharded by owner (issue 27). collection_id is 0 for a user-level
-- Web Push subscription (push reminders), else the collection a WebDAV-Push
-- client registered on (possibly another user's, shared with the owner).
-- One row per owner, collection and endpoint: registering again updates it.
CREATE TABLE push_subscriptions (
    owner_id      INTEGER NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    id            INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL DEFAULT 0,
    endpoint      TEXT NOT NULL,             -- the push resource URL
    p256dh        TEXT NOT NULL,             -- user agent public key, base64url
    auth          TEXT NOT NULL,             -- authentication secret, base64url
    created_at    INTEGER NOT NULL,          -- unix seconds
    expires_at    INTEGER NOT NULL DEFAULT 0,  -- unix seconds; 0: never (Web Push)
    last_ok       INTEGER NOT NULL DEFAULT 0   -- unix seconds of the last accepted delivery
);
CREATE UNIQUE INDEX push_subscriptions_key ON push_subscriptions (owner_id, collection_id, endpoint);
CREATE INDEX push_subscriptions_by_collection ON push_subscriptions (collection_id) WHERE collection_id <> 0;

-- A registration goes with its collection (0 stands for none, so no foreign key).
CREATE TRIGGER push_collection_deleted AFTER DELETE ON collections BEGIN
    DELETE FROM push_subscriptions WHERE collection_id = OLD.id;
END;

-- The WebDAV-Push hook: a collection whose revision moves (a member was
-- written or removed, RFC 6578 §3.5 "content update") and that has
-- registrations gets a "davpush" job in the same transaction, unless one is
-- already waiting that no worker has started: a burst of writes is one push
-- (the draft's "Rate Limiting"), and none is lost to a crash.
CREATE TRIGGER push_collection_changed AFTER UPDATE OF revision ON collections
WHEN NEW.revision <> OLD.revision
 AND EXISTS (SELECT 1 FROM push_subscriptions WHERE collection_id = NEW.id)
 AND NOT EXISTS (SELECT 1 FROM jobs WHERE kind = 'davpush' AND payload = CAST(NEW.id AS TEXT)
                 AND lease_owner = '' AND failed_at IS NULL)
BEGIN
    INSERT INTO jobs (owner_id, kind, payload, due_at, created_at)
    VALUES (NEW.owner_id, 'davpush', CAST(NEW.id AS TEXT), CAST(strftime('%s', 'now') AS INTEGER),
            CAST(strftime('%s', 'now') AS INTEGER));
END;
