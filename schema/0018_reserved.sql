-- 0018: reserved for a parallel branch; this placeholder keeps the numbering
-- gapless on the push branch and is dropped at merge.
SELECT 1;
