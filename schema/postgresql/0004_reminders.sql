-- PostgreSQL 0004: the reminder index (issue 26), the meaning of SQLite 0018.
-- A calendar object's reminders are jobs of kind 'reminder' tied to the
-- object (jobs.object_id), replaced in the transaction of every write of the
-- object and gone with it; an object with alarms has a reminder_index row
-- (in its owner's shard) saying how far ahead its reminders are queued, so a
-- periodic job can extend that horizon. job_deliveries records each delivery
-- a job made, in the transaction that completes the job: a delivery is made
-- at most once even when its job is queued again. Its key is its own
-- distribution key (Citus: a table distributed by key, not co-located).
ALTER TABLE jobs ADD COLUMN object_id bigint;  -- the calendar object a reminder is for
CREATE INDEX jobs_object ON jobs (object_id) WHERE object_id IS NOT NULL;

CREATE TABLE reminder_index (
    owner_id      bigint NOT NULL,
    object_id     bigint NOT NULL,
    indexed_until bigint NOT NULL,  -- unix seconds: reminders due up to here are queued
    PRIMARY KEY (owner_id, object_id),
    FOREIGN KEY (owner_id, object_id) REFERENCES objects (owner_id, id) ON DELETE CASCADE
);
CREATE INDEX reminder_index_until ON reminder_index (indexed_until);
CREATE INDEX reminder_index_by_object ON reminder_index (object_id);

CREATE TABLE job_deliveries (
    key          text PRIMARY KEY,  -- what was delivered (object, instance, alarm, instant, recipient)
    delivered_at bigint NOT NULL    -- unix seconds
);
CREATE INDEX job_deliveries_at ON job_deliveries (delivered_at);

-- A deleted object takes its reminders along, whichever path deletes it
-- (DELETE, MOVE, a calendar or user deleted with its members).
CREATE FUNCTION kalends_reminders_object_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM jobs WHERE object_id = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER objects_reminders_deleted AFTER DELETE ON objects
    FOR EACH ROW EXECUTE FUNCTION kalends_reminders_object_deleted();

-- Objects stored before this version with an alarm: indexed by the first
-- extension (from now on; no reminder of the past is sent).
INSERT INTO reminder_index (owner_id, object_id, indexed_until)
    SELECT owner_id, id, 0 FROM objects WHERE content_type = '' AND data LIKE '%BEGIN:VALARM%';
