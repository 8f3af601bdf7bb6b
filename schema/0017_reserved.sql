-- 0017: reserved for a parallel branch (issue 25 share invitations); this
-- placeholder keeps the numbering gapless on the reminders branch and is
-- dropped at merge in favour of that branch's migration.
SELECT 1;
