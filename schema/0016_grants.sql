-- 0016: calendars shared with other principals (issue 25): one grant per
-- calendar and grantee, with what it is shared for.
--
-- A grant goes with its calendar and with either principal (cascades). The
-- owner is kept on the row (it is the calendar's owner when written) so that
-- a principal's grants, given and received, are found without a join.
CREATE TABLE grants (
    collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    owner_id      INTEGER NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    grantee_id    INTEGER NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    permission    TEXT NOT NULL CHECK (permission IN ('view', 'edit', 'admin', 'free-busy')),
    created_at    INTEGER NOT NULL,  -- unix seconds of the first grant
    PRIMARY KEY (collection_id, grantee_id),
    CHECK (owner_id <> grantee_id)
) WITHOUT ROWID;
CREATE INDEX grants_by_grantee ON grants (grantee_id);
CREATE INDEX grants_by_owner ON grants (owner_id);
