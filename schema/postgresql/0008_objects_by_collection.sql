-- PostgreSQL 0008: members found by collection (issue 27).
-- PgStore lists and finds a collection's members by (collection_id, name) —
-- a PROPFIND Depth 1 pages through them in name order, sync and REPORTs
-- look members up by name — and the objects' keys lead with the owner, so
-- without this index each page or lookup scanned the whole table (and
-- sorted it). No SQLite counterpart: SQLite's key leads with the collection.
CREATE INDEX objects_by_collection ON objects (collection_id, name);
