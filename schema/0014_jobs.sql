-- 0014: one durable, leased job queue (issue 23 §7) for work done after a
-- write commits: e-mail delivery, reminders, extending the time index.
--
-- A job is enqueued in the transaction of the write that needs it. A worker
-- leases due jobs (lease_owner, lease_until) in one write, so two workers —
-- two threads, later two nodes — never hold one job at once; completing,
-- retrying or failing a job takes the lease it holds, so a worker whose lease
-- expired (it stalled) cannot complete a job somebody else now runs.
-- owner_id is the principal the job is for (0: none): the distribution key
-- when the table is sharded by owner (issue 27).

CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    owner_id    INTEGER NOT NULL DEFAULT 0,
    kind        TEXT NOT NULL,                -- what runs it: "mail", "reminder", ...
    payload     TEXT NOT NULL DEFAULT '',     -- the kind's own data
    due_at      INTEGER NOT NULL,             -- unix seconds: not run before
    attempts    INTEGER NOT NULL DEFAULT 0,   -- runs that ended in a retry
    lease_owner TEXT NOT NULL DEFAULT '',     -- the worker holding it ('' = none)
    lease_until INTEGER NOT NULL DEFAULT 0,   -- unix seconds the lease ends
    last_error  TEXT NOT NULL DEFAULT '',
    failed_at   INTEGER,                      -- set when it failed for good (kept for operators)
    created_at  INTEGER NOT NULL
);
-- Due work of a kind, for the leasing query; failed jobs are not scanned.
CREATE INDEX jobs_due ON jobs (kind, due_at) WHERE failed_at IS NULL;
CREATE INDEX jobs_owner ON jobs (owner_id);

-- A job outlives the principal it is for: its handler decides (an e-mail
-- that was promised is still sent; a reminder for nobody is dropped).
CREATE TRIGGER jobs_owner_deleted AFTER DELETE ON principals BEGIN
    UPDATE jobs SET owner_id = 0 WHERE owner_id = OLD.id;
END;

-- E-mail (0007's queue) becomes the first kind: payload = UID, recipient and
-- envelope sender on a line each, then the whole message
-- (caldav::mail_job_payload). Queued mail moves over as it stands.
INSERT INTO jobs (owner_id, kind, payload, due_at, attempts, last_error, created_at)
    SELECT coalesce(principal_id, 0), 'mail',
           uid || char(10) || recipient || char(10) || envelope_sender || char(10) || message,
           next_attempt_at, attempts, last_error, created_at
    FROM mail_queue ORDER BY id;
DROP TABLE mail_queue;
