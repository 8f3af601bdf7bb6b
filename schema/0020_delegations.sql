-- 0020: delegation (issue 25 §5): a principal's calendar-proxy-read and
-- calendar-proxy-write groups (CalendarServer), one row per delegator and
-- delegate. A delegate is in at most one of a delegator's two groups.
CREATE TABLE delegations (
    delegator_id INTEGER NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    delegate_id  INTEGER NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    mode         TEXT NOT NULL CHECK (mode IN ('read', 'write')),
    PRIMARY KEY (delegator_id, delegate_id),
    CHECK (delegator_id <> delegate_id)
) WITHOUT ROWID;
CREATE INDEX delegations_by_delegate ON delegations (delegate_id);
