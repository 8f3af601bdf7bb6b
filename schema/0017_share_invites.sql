-- 0017: invitations to shared calendars (issue 25: CalendarServer sharing and
-- draft-pot-webdav-resource-sharing). A grant now has an invite status: a
-- grant made over CalDAV waits for the sharee's reply and gives nothing until
-- accepted; grants made before, and by the admin commands and the JSON API,
-- are accepted. The sharee keeps their own name and colour for the calendar
-- (per-user properties, caldav-sharing §5.5.3), NULL while they have none.
ALTER TABLE grants ADD COLUMN status TEXT NOT NULL DEFAULT 'accepted'
    CHECK (status IN ('pending', 'accepted', 'declined'));
ALTER TABLE grants ADD COLUMN invite_uid TEXT NOT NULL DEFAULT '';
ALTER TABLE grants ADD COLUMN summary TEXT NOT NULL DEFAULT '';
ALTER TABLE grants ADD COLUMN sharee_display_name TEXT;
ALTER TABLE grants ADD COLUMN sharee_color TEXT;

-- Notification messages (caldav-sharing §4): XML documents in a principal's
-- notification collection, by resource name; gone with the principal.
CREATE TABLE notifications (
    principal_id INTEGER NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,     -- resource name in the collection ("UID.xml")
    type         TEXT NOT NULL,     -- local name of the notification element
    body         TEXT NOT NULL,     -- the CS:notification document
    created_at   INTEGER NOT NULL,  -- unix seconds
    PRIMARY KEY (principal_id, name)
) WITHOUT ROWID;
