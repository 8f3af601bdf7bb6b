-- PostgreSQL 0009: limits an operator sets for one user (issue 29 §6), the
-- meaning of SQLite 0022: the storage quota in bytes, the number of calendars
-- and the members of one calendar. NULL follows kalends.conf [limits]; 0 for
-- a count means no limit. A user without a row has every server default.
CREATE TABLE user_limits (
    principal_id             bigint PRIMARY KEY REFERENCES principals (id) ON DELETE CASCADE,
    quota_bytes              bigint CHECK (quota_bytes >= 0),
    max_calendars            bigint CHECK (max_calendars >= 0),
    max_objects_per_calendar bigint CHECK (max_objects_per_calendar >= 0)
);
