-- 090: links you can trust (issue 17, docs/placements.md). Every check of a placement
-- keeps its evidence in placement_checks; a placement carries the verdict of its last
-- check and what the client expects of the link.
-- placements.verdict: the last check's verdict: 0 live, 1 live_with_issues, 2 missing,
--   3 unverifiable; NULL before the first check.
-- placements.issues: the last check's issue codes, comma-separated (docs/placements.md).
-- placements.missing_days / missing_at: clean `missing` results counted toward `lost`
--   since the link was last seen, and when the last counted one was (a missing result
--   counts only [placements] lost_confirm_seconds after the last counted one: another day).
-- placements.priority: the checker's claim order: 0 never verified, 1 verified, 2 lost
--   (checked less often); the claim reads ix_placements_claim one priority at a time.
-- placements.placed_check_id / lost_check_id: the check that decided link_placed and
--   link_lost; their webhooks quote its evidence.
-- price_cents: the price paid for the link, in cents of the workspace's currency.
ALTER TABLE placements
  ADD COLUMN verdict TINYINT UNSIGNED NULL,
  ADD COLUMN issues VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN expected_anchor VARCHAR(500) NULL,
  ADD COLUMN expected_rel TINYINT UNSIGNED NULL,
  ADD COLUMN guarantee_until DATETIME(3) NULL,
  ADD COLUMN price_cents BIGINT UNSIGNED NULL,
  ADD COLUMN missing_days INT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN missing_at DATETIME(3) NULL,
  ADD COLUMN priority TINYINT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN placed_check_id BIGINT UNSIGNED NULL,
  ADD COLUMN lost_check_id BIGINT UNSIGNED NULL,
  ADD KEY ix_placements_claim (leased, priority, due_at, id);
-- verified and lost rows are claimed after the never-verified ones
UPDATE placements SET priority = 1 WHERE status = 1;
UPDATE placements SET priority = 2, due_at = DATE_ADD(lost_at, INTERVAL 7 DAY) WHERE status = 3;

-- One row per check, newest last. Strings from the page or its headers are stored as
-- printable text (headers as ASCII, anchors and context as valid UTF-8), each cut to
-- its column. links: a JSON array of the matching <a> elements (at most 10):
-- [{"href", "anchor", "rel": [tokens], "context"}].
CREATE TABLE placement_checks (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  placement_id BIGINT UNSIGNED NOT NULL,
  checked_at DATETIME(3) NOT NULL,
  verdict TINYINT UNSIGNED NOT NULL,
  issues VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NULL,
  reason VARCHAR(300) NULL,
  http_status INT NULL,
  final_url VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NULL,
  redirects INT UNSIGNED NOT NULL DEFAULT 0,
  content_type VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NULL,
  x_robots_tag VARCHAR(300) CHARACTER SET ascii COLLATE ascii_bin NULL,
  last_modified VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NULL,
  body_sha256 CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  body_size BIGINT UNSIGNED NULL,
  truncated TINYINT UNSIGNED NOT NULL DEFAULT 0,
  meta_robots VARCHAR(200) NULL,
  canonical VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NULL,
  anchors INT UNSIGNED NOT NULL DEFAULT 0,
  links MEDIUMTEXT NULL,
  KEY ix_placement_checks_placement (placement_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
