-- 0024: the owner's zone of users stored before the store kept it (issue 26,
-- docs/reminders.md "Floating times"), and the topic a WebDAV-Push
-- registration was made under (a calendar's MOVE, docs/sharing.md).
--
-- The owner's zone is the zone of their default calendar, chosen as
-- caldav::default_calendar_among chooses (the inbox's
-- schedule-default-calendar-URL, an href in XML, else "calendar", else the
-- first calendar by name that takes events) and kept only if libical knows
-- it: not a rule SQL can follow faithfully. So this migration only records
-- that the pass is owed; the server runs it in C++ at its next start
-- (CollectionStore::backfill_owner_zones) and deletes the row in the same
-- transaction, so it runs once per database. A fresh database owes it too:
-- the pass over no users costs nothing.
CREATE TABLE pending_upgrades (
    name TEXT PRIMARY KEY
) WITHOUT ROWID;
INSERT INTO pending_upgrades (name) VALUES ('owner_zones');

-- The topic (caldav::push_topic) the client registered under, when it is not
-- the one of the collection the registration is on now: a registration that
-- followed its calendar's MOVE keeps the old calendar's topic, the one the
-- client knows. Empty: the collection's own.
ALTER TABLE push_subscriptions ADD COLUMN topic TEXT NOT NULL DEFAULT '';
