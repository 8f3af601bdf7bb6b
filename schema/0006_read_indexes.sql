-- 0006: indexes for reads that must not visit every object or its data.
--
-- The objects a time-range query must parse because the instances table
-- cannot answer for them (no rows yet, or rows only up to a horizon), found
-- without visiting every object of the collection.

CREATE INDEX objects_unindexed ON objects (collection_id) WHERE index_state = 0;
CREATE INDEX objects_by_horizon ON objects (collection_id, indexed_until) WHERE indexed_until IS NOT NULL;

-- Listings (Depth 1 PROPFIND, sync-collection) read every member's metadata
-- and never its data: a covering index keeps them off the pages that hold it.
CREATE INDEX objects_listing ON objects (collection_id, name, uid, component, etag, schedule_tag, size, revision,
                                         first_start, last_end, created_at, modified_at);

-- A time-range scan reads start, end and object from the index alone.
DROP INDEX instances_by_time;
CREATE INDEX instances_by_time ON instances (collection_id, start_at, end_at, object_id);
