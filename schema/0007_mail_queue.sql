-- 0007: outgoing email (iMIP, RFC 6047) waiting for the SMTP relay. A row is
-- written in the same transaction as the organizer's copy that records its
-- SCHEDULE-STATUS, deleted once the relay accepted it, and retried with
-- backoff until it is older than the give-up age.

CREATE TABLE mail_queue (
    id              INTEGER PRIMARY KEY,
    principal_id    INTEGER REFERENCES principals (id) ON DELETE SET NULL,  -- whose change sent it
    uid             TEXT NOT NULL DEFAULT '',  -- UID of the scheduling object it is about
    recipient       TEXT NOT NULL,             -- SMTP RCPT TO, a bare address
    envelope_sender TEXT NOT NULL,             -- SMTP MAIL FROM, a bare address
    message         TEXT NOT NULL,             -- the whole RFC 5322 message, CRLF line ends
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,          -- unix seconds
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL           -- unix seconds
);
CREATE INDEX mail_queue_due ON mail_queue (next_attempt_at);
