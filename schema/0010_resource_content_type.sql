-- 0010: plain WebDAV collections hold resources of any media type (RFC 4918
-- §9.7): the Content-Type a client PUT is kept with the bytes. Empty for
-- calendar object resources (text/calendar, described by their component).

ALTER TABLE objects ADD COLUMN content_type TEXT NOT NULL DEFAULT '';

-- Listings still read members from the covering index alone (0006), now with
-- their media type.
DROP INDEX objects_listing;
CREATE INDEX objects_listing ON objects (collection_id, name, uid, component, etag, schedule_tag, size, revision,
                                         first_start, last_end, created_at, modified_at, content_type);
