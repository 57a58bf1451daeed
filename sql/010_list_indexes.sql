-- 010: lists and totals without passes over a workspace's whole history.
--
-- CRM list. relationships_count is kept by store_rel_insert (the only writer of
-- relationships rows), so the unfiltered total is one primary-key read. A status filter
-- counts through (workspace_id, status, last_contacted_at): only the rows of the asked
-- statuses, and for sent/opened versus no_response only those on the asked side of the
-- cutoff. A domain filter pages and counts through (workspace_id, domain, created_at, id),
-- which replaces the (workspace_id, domain) index.
ALTER TABLE workspaces ADD COLUMN relationships_count BIGINT UNSIGNED NOT NULL DEFAULT 0;
UPDATE workspaces w SET relationships_count =
  (SELECT COUNT(*) FROM relationships r WHERE r.workspace_id = w.id);
ALTER TABLE relationships
  ADD KEY ix_relationships_ws_status (workspace_id, status, last_contacted_at),
  DROP KEY ix_relationships_ws_domain,
  ADD KEY ix_relationships_ws_domain (workspace_id, domain, created_at, id);
--
-- Campaign list. With one status asked (the usual "active"), pages read only the
-- campaigns in that status, newest first, however many older ones have ended.
ALTER TABLE campaigns ADD KEY ix_campaigns_ws_status (workspace_id, status, created_at, id);
