-- 0004: materialized instances of calendar objects (DESIGN.md "Data"), so that a
-- time-range question is an index range scan rather than an expansion of every
-- object. Rows are derived from objects.data and can always be rebuilt.

CREATE TABLE instances (
    object_id     INTEGER NOT NULL REFERENCES objects (id) ON DELETE CASCADE,
    collection_id INTEGER NOT NULL,
    start_at      INTEGER NOT NULL,   -- UTC seconds (floating times widened by 14 hours)
    end_at        INTEGER NOT NULL    -- UTC seconds; equal to start_at for instants
);
CREATE INDEX instances_by_time ON instances (collection_id, start_at);
CREATE INDEX instances_by_object ON instances (object_id);

-- 0: no rows yet (rebuild; until then the object is a candidate of every query).
-- 1: rows cover every instance starting before indexed_until (NULL: all of them).
ALTER TABLE objects ADD COLUMN index_state INTEGER NOT NULL DEFAULT 0;
ALTER TABLE objects ADD COLUMN indexed_until INTEGER;
-- 1 when the rows are exactly the object's VEVENT instances in UTC (RFC 4791
-- §9.9), so a plain time-range query needs no parsing of the object.
ALTER TABLE objects ADD COLUMN index_exact INTEGER NOT NULL DEFAULT 0;

-- The longest instance in the collection: bounds how far before a range's start
-- an overlapping instance can begin.
ALTER TABLE collections ADD COLUMN max_span INTEGER NOT NULL DEFAULT 0;
