-- 170: approval notifications gathered per workspace (issue 20, docs/notifications.md).
-- One row per workspace that was ever notified: when its last approval email was claimed
-- and when the next may go. Items that start waiting before next_at are mailed together
-- when it comes. Not on the workspaces row: every write already updates that one, and the
-- worker locks this row while it decides (it is what keeps two workers from mailing one
-- workspace twice in an interval).
CREATE TABLE approval_notify_gates (
  workspace_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  next_at DATETIME(3) NOT NULL,
  last_at DATETIME(3) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- the claim reads one workspace's pending, due rows; pushing a gated workspace's rows to
-- its next_at reads the same range
ALTER TABLE approval_notifications
  ADD KEY ix_notifications_ws_due (workspace_id, status, due_at, id);
