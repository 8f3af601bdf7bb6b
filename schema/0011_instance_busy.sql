-- 0011: the busy time each instance row takes (RFC 4791 §7.10), so that a
-- free/busy lookup over indexed events reads the time index and parses nothing.
-- busy: -1 none, STATUS:CANCELLED; 0 none, TRANSP:TRANSPARENT (it still
-- occupies a room); 1 BUSY; 2 BUSY-TENTATIVE; NULL where the row cannot tell:
-- a floating or all-day instance (its row is widened by the largest UTC
-- offsets), and every row written before this migration.
-- declined: 1 when the instance's component has an ATTENDEE with
-- PARTSTAT=DECLINED, which a scheduling lookup (RFC 6638 §5) checks against
-- its user.
-- Objects with NULL rows are parsed as before, so no object is re-indexed on
-- upgrade; an object gets the columns when it is next written.

ALTER TABLE instances ADD COLUMN busy INTEGER;
ALTER TABLE instances ADD COLUMN declined INTEGER NOT NULL DEFAULT 0;

-- The time index covers both, so a free/busy lookup reads no table row.
DROP INDEX instances_by_time;
CREATE INDEX instances_by_time ON instances (collection_id, start_at, end_at, object_id, busy, declined);
