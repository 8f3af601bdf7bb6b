-- PostgreSQL 0007: delegation (issue 25 §5), the meaning of SQLite 0020: a
-- principal's calendar-proxy-read and calendar-proxy-write groups
-- (CalendarServer), one row per delegator and delegate; a delegate is in at
-- most one of a delegator's two groups.
--
-- delegator_id is the distribution key (issue 27): the delegator's own
-- lookups (their principal's group-member-set) are single-shard. "Whom am I
-- a delegate of" (delegations_to, read when a delegate signs in) goes by the
-- delegate's index and fans out across shards, like grants_by_grantee.
CREATE TABLE delegations (
    delegator_id bigint NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    delegate_id  bigint NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    mode         text NOT NULL CHECK (mode IN ('read', 'write')),
    PRIMARY KEY (delegator_id, delegate_id),
    CHECK (delegator_id <> delegate_id)
);
CREATE INDEX delegations_by_delegate ON delegations (delegate_id);
