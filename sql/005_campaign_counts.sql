-- 005: campaigns per workspace, type and status, kept by the statements that create
-- campaigns and change their status, so a list's `total` reads at most 15 rows instead of
-- counting every campaign of the workspace.
CREATE TABLE workspace_campaign_counts (
  workspace_id BIGINT UNSIGNED NOT NULL,
  type TINYINT UNSIGNED NOT NULL,
  status TINYINT UNSIGNED NOT NULL,
  n INT UNSIGNED NOT NULL,
  PRIMARY KEY (workspace_id, type, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO workspace_campaign_counts (workspace_id, type, status, n)
  SELECT workspace_id, type, status, COUNT(*) FROM campaigns GROUP BY workspace_id, type, status;
