-- 0017: reserved for a parallel branch (issue 26 reminders); this
-- placeholder keeps the numbering gapless on the push branch and is dropped
-- at merge in favour of that branch's migration.
SELECT 1;
