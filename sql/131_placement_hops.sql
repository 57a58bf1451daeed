-- 131: the hop chain of a placement check (issue 17, docs/placements.md "robots.txt").
-- A page that redirects is judged by every host it visits: each hop's URL, the HTTP
-- status it answered (NULL when it was not asked) and whether that host's robots.txt
-- forbade it, as a JSON array written by the worker (jansson). NULL for checks made
-- before this column existed. Read with the check's row only (ix_placement_checks_placement).
ALTER TABLE placement_checks ADD COLUMN hops MEDIUMTEXT NULL;
