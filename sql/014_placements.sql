-- 014: link placements (SPEC §6, docs/placements.md). One row per (relationship, link
-- URL): the page the prospect says carries the link. The worker's placement checker
-- claims due rows (leased = 1 with a lease and a fence), fetches the page and looks for
-- an <a href> to the campaign's targetUrl.
-- status: 0 pending, 1 verified, 2 not_found, 3 lost.
-- due_at: when the next check is due; NULL when none is (not_found, lost).
-- misses: consecutive failed checks (retries of a pending row, confirmations of a loss).
-- link_url is ASCII (validated printable ASCII, at most 2000 bytes) so that the unique key
-- fits InnoDB's 3072-byte limit.
CREATE TABLE placements (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id VARCHAR(48) NOT NULL,
  workspace_id BIGINT UNSIGNED NOT NULL,
  campaign_id BIGINT UNSIGNED NOT NULL,
  relationship_id BIGINT UNSIGNED NOT NULL,
  link_url VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  status TINYINT UNSIGNED NOT NULL DEFAULT 0,
  misses INT UNSIGNED NOT NULL DEFAULT 0,
  leased TINYINT UNSIGNED NOT NULL DEFAULT 0,
  fence BIGINT UNSIGNED NOT NULL DEFAULT 0,
  due_at DATETIME(3) NULL,
  lease_expires_at DATETIME(3) NULL,
  http_status INT NULL,
  last_error VARCHAR(300) NULL,
  checked_at DATETIME(3) NULL,
  verified_at DATETIME(3) NULL,
  lost_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY ux_placements_public (public_id),
  UNIQUE KEY ux_placements_rel_url (relationship_id, link_url),
  KEY ix_placements_due (leased, due_at, id),
  KEY ix_placements_lease (leased, lease_expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
