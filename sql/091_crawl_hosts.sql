-- 091: the placement checker's manners per host (issue 17, docs/placements.md). One row
-- per host name the checker visits (lowercase, no port): when it may send the next
-- request (at most one per [placements] host_interval_ms, shared by every worker: a
-- check takes the slot under a row lock), and the host's robots.txt as last fetched
-- (cached [placements] robots_ttl_seconds).
-- robots_status: the HTTP status of robots.txt, 0 when it could not be fetched.
-- robots: its first 512 KiB (RFC 9309), as fetched (bytes; matched as such).
CREATE TABLE crawl_hosts (
  host VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  next_at DATETIME(3) NOT NULL,
  robots_fetched_at DATETIME(3) NULL,
  robots_status INT NULL,
  robots MEDIUMBLOB NULL
) ENGINE=InnoDB;
