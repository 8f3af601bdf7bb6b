-- PostgreSQL 0005: member dead properties found by collection (issue 27).
-- PgStore reads them by (collection_id, object_name) — a PROPFIND of a
-- calendar asks for every member's — and the primary key leads with the
-- owner, so without this index each lookup scanned the whole table. No SQLite
-- counterpart: SQLite's primary key leads with the collection.
CREATE INDEX dead_properties_by_collection ON dead_properties (collection_id, object_name);
