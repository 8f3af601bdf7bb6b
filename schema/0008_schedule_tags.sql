-- 0008: Schedule-Tag (RFC 6638 §3.2.10) for scheduling objects stored before
-- the server kept one: each gets its ETag as first tag, as a new write would.
-- Released migrations are never edited; add a new numbered file instead.

UPDATE objects SET schedule_tag = etag
WHERE schedule_tag = ''
  AND data LIKE '%ORGANIZER%'
  AND data LIKE '%ATTENDEE%'
  AND collection_id IN (SELECT id FROM collections WHERE kind = 'calendar');
