-- 100: the client's report (issue 17 item 6, docs/report.md).
-- report_shares: links that show a workspace's or one campaign's report without an
-- account. The link carries "<public_id>.<secret>"; only the SHA-256 of the secret is kept
-- (token_hash), compared in constant time after the row is found by public_id.
-- campaign_id NULL: the whole workspace. A link shows nothing once revoked_at is set or
-- expires_at has passed; rows are kept (the list shows them as revoked or expired).
CREATE TABLE report_shares (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id VARCHAR(48) NOT NULL,
  workspace_id BIGINT UNSIGNED NOT NULL,
  campaign_id BIGINT UNSIGNED NULL,
  token_hash BINARY(32) NOT NULL,
  label VARCHAR(200) NULL,
  created_by VARCHAR(320) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  revoked_at DATETIME(3) NULL,
  UNIQUE KEY ux_report_shares_public (public_id),
  KEY ix_report_shares_ws (workspace_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The report reads a workspace's or a campaign's placements in id order, a page at a
-- time; placements had no index by workspace or campaign (the API reads them per
-- relationship).
ALTER TABLE placements
  ADD KEY ix_placements_ws (workspace_id, id),
  ADD KEY ix_placements_ws_campaign (workspace_id, campaign_id, id);
