-- 0015: personal access tokens and idempotency records (issue 24, JSON API).
--
-- A token is stored as the SHA-256 of its text (lowercase hex): the text is
-- 32 random bytes, so a plain hash cannot be reversed and needs no salt.
-- last_used_at is written at most once a minute per token, not per request.
CREATE TABLE access_tokens (
    id           INTEGER PRIMARY KEY,
    principal_id INTEGER NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,               -- the user's label for it
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,                     -- NULL: never used
    UNIQUE (principal_id, name)
);

-- The answer to a POST sent with an Idempotency-Key, written in the
-- transaction of the write it answers; keys are per principal. Old records
-- are pruned by created_at.
CREATE TABLE idempotency_records (
    principal_id INTEGER NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (principal_id, key)
);
CREATE INDEX idempotency_records_created ON idempotency_records (created_at);
