-- 011: the CRM list's no_response total without counting a workspace's silent history.
-- contacted_count is the number of the workspace's relationships whose stored status is
-- sent (3) or opened (4). events_record() keeps it, in the statement that moves the data
-- version, from what its status changes did (store_rel_advance reports each one). A
-- no_response total is then this count minus the sent/opened relationships contacted
-- since the cutoff: an index range over the last no_response_days.
ALTER TABLE workspaces ADD COLUMN contacted_count BIGINT UNSIGNED NOT NULL DEFAULT 0;
UPDATE workspaces w SET contacted_count =
  (SELECT COUNT(*) FROM relationships r WHERE r.workspace_id = w.id AND r.status IN (3, 4));
