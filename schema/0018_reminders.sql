-- 0018: the reminder index (issue 26). A calendar object's reminders are
-- jobs of kind 'reminder' tied to the object (jobs.object_id), replaced in
-- the transaction of every write of the object and gone with it; an object
-- with alarms has a reminder_index row saying how far ahead its reminders are
-- queued, so a periodic job can extend that horizon as time passes.
-- job_deliveries records each delivery a job made (a reminder's e-mail or
-- push), written in the transaction that completes the job: a delivery is
-- made at most once even when its job is queued again.

ALTER TABLE jobs ADD COLUMN object_id INTEGER;  -- the calendar object a reminder is for
CREATE INDEX jobs_object ON jobs (object_id) WHERE object_id IS NOT NULL;

CREATE TABLE reminder_index (
    object_id     INTEGER PRIMARY KEY REFERENCES objects (id) ON DELETE CASCADE,
    indexed_until INTEGER NOT NULL  -- unix seconds: reminders due up to here are queued
);
CREATE INDEX reminder_index_until ON reminder_index (indexed_until);

CREATE TABLE job_deliveries (
    key          TEXT PRIMARY KEY,  -- what was delivered (object, instance, alarm, instant, recipient)
    delivered_at INTEGER NOT NULL   -- unix seconds
) WITHOUT ROWID;
CREATE INDEX job_deliveries_at ON job_deliveries (delivered_at);

-- A deleted object takes its reminders along, whichever path deletes it
-- (DELETE, MOVE, a calendar deleted with its members).
CREATE TRIGGER objects_reminders_deleted AFTER DELETE ON objects BEGIN
    DELETE FROM jobs WHERE object_id = OLD.id;
END;

-- Objects stored before this version with an alarm: indexed by the first
-- extension (from now on; no reminder of the past is sent).
INSERT INTO reminder_index (object_id, indexed_until)
    SELECT id, 0 FROM objects WHERE content_type = '' AND data LIKE '%BEGIN:VALARM%';
