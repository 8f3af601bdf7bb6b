-- 0022: limits an operator sets for one user (issue 29 §6, `kalends user
-- limits`), in place of kalends.conf [limits]: the storage quota in bytes,
-- the number of calendars and the members of one calendar. NULL follows the
-- server's setting; 0 for a count means no limit, as in the config file.
-- A user without a row has every server default.
CREATE TABLE user_limits (
    principal_id             INTEGER PRIMARY KEY REFERENCES principals (id) ON DELETE CASCADE,
    quota_bytes              INTEGER CHECK (quota_bytes >= 0),
    max_calendars            INTEGER CHECK (max_calendars >= 0),
    max_objects_per_calendar INTEGER CHECK (max_objects_per_calendar >= 0)
);
