-- 0021: public feeds of calendars (issue 25 §8): a secret URL per feed that
-- serves the calendar as text/calendar without a login, in full or as busy
-- time only. Only the SHA-256 of the secret is kept: the URL is shown once,
-- when the feed is made, and a feed is revoked by deleting its row.
--
-- owner_id is the calendar's owner (the distribution key when sharded by
-- owner, issue 27). A feed goes with its calendar and its owner.
CREATE TABLE public_feeds (
    owner_id      INTEGER NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    id            INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,          -- lowercase hex SHA-256 of the secret
    free_busy     INTEGER NOT NULL DEFAULT 0 CHECK (free_busy IN (0, 1)),
    created_at    INTEGER NOT NULL               -- unix seconds
);
CREATE INDEX public_feeds_by_collection ON public_feeds (collection_id);
