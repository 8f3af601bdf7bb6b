-- 0001: principals, collections, calendar objects and the per-collection change log.
-- Released migrations are never edited; add a new numbered file instead.

CREATE TABLE principals (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL DEFAULT 'user' CHECK (kind IN ('user', 'room', 'resource')),
    display_name  TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    password_hash TEXT,                 -- crypt(3) string (yescrypt); NULL = cannot log in
    created_at    INTEGER NOT NULL
);
CREATE INDEX principals_email ON principals (email) WHERE email <> '';

CREATE TABLE collections (
    id           INTEGER PRIMARY KEY,
    owner_id     INTEGER NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('calendar', 'inbox', 'outbox', 'plain')),
    display_name TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    timezone     TEXT NOT NULL DEFAULT '',
    components   TEXT NOT NULL DEFAULT '',
    revision     INTEGER NOT NULL DEFAULT 0,   -- grows with every member change
    sync_floor   INTEGER NOT NULL DEFAULT 0,   -- oldest revision a sync token may name
    created_at   INTEGER NOT NULL,
    modified_at  INTEGER NOT NULL,
    UNIQUE (owner_id, name)
);

CREATE TABLE objects (
    id            INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    uid           TEXT NOT NULL,
    component     TEXT NOT NULL,
    etag          TEXT NOT NULL,
    schedule_tag  TEXT NOT NULL DEFAULT '',
    data          TEXT NOT NULL,
    size          INTEGER NOT NULL,
    revision      INTEGER NOT NULL,
    first_start   INTEGER,                      -- UTC seconds; NULL = unbounded
    last_end      INTEGER,                      -- UTC seconds; NULL = unbounded
    created_at    INTEGER NOT NULL,
    modified_at   INTEGER NOT NULL,
    UNIQUE (collection_id, name),
    UNIQUE (collection_id, uid)
);

-- One row per member name: the revision of its last change and whether that
-- change was a deletion. Changes since token T are the rows with revision > T.
CREATE TABLE changes (
    collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    revision      INTEGER NOT NULL,
    deleted       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (collection_id, name)
) WITHOUT ROWID;
CREATE INDEX changes_by_revision ON changes (collection_id, revision);
