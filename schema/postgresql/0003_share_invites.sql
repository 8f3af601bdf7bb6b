-- PostgreSQL 0003: invitations to shared calendars, the meaning of SQLite
-- 0017 (issue 25: CalendarServer sharing, draft-pot-webdav-resource-sharing).
-- A grant has an invite status: one made over CalDAV waits for the sharee's
-- reply and gives nothing until accepted; earlier grants, and those of the
-- admin commands and the JSON API, are accepted. The sharee's own name and
-- colour for the calendar (caldav-sharing §5.5.3) stay NULL until set.
ALTER TABLE grants ADD COLUMN status text NOT NULL DEFAULT 'accepted'
    CHECK (status IN ('pending', 'accepted', 'declined'));
ALTER TABLE grants ADD COLUMN invite_uid text NOT NULL DEFAULT '';
ALTER TABLE grants ADD COLUMN summary text NOT NULL DEFAULT '';
ALTER TABLE grants ADD COLUMN sharee_display_name text;
ALTER TABLE grants ADD COLUMN sharee_color text;

-- Notification messages (caldav-sharing §4): XML documents in a principal's
-- notification collection, by resource name; gone with the principal. The
-- principal's id is the distribution key.
CREATE TABLE notifications (
    principal_id bigint NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    name         text COLLATE "C" NOT NULL,  -- resource name in the collection ("UID.xml")
    type         text NOT NULL,              -- local name of the notification element
    body         text NOT NULL,              -- the CS:notification document
    created_at   bigint NOT NULL,            -- unix seconds
    PRIMARY KEY (principal_id, name)
);
