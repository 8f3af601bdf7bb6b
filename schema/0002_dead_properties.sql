-- 0002: dead properties (RFC 4918 §4) set by PROPPATCH, MKCALENDAR and extended MKCOL.

CREATE TABLE dead_properties (
    collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    object_name   TEXT NOT NULL DEFAULT '',   -- '' = the collection itself
    namespace     TEXT NOT NULL,
    name          TEXT NOT NULL,
    value_xml     TEXT NOT NULL,              -- the property element, serialised
    PRIMARY KEY (collection_id, object_name, namespace, name)
) WITHOUT ROWID;
