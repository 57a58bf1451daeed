-- 050: mailbox pacing and health (issue 15 items 3 and 4; docs/mailboxes.md, "Pacing").
-- The send window: window_days is a bit set (bit 0 Monday .. bit 6 Sunday), window_start
-- and window_end minutes of the local day [start, end), in the IANA zone time_zone.
-- Warm-up: warmup_start messages on the first day, warmup_step more each later day, up
-- to daily_cap; warmup_start 0: no ramp. warmup_from is the local day (days since
-- 1970-01-01) of the mailbox's first send under the ramp.
-- The counters the claim reads and writes (never a scan of past sends): pace_day is the
-- local day pace_count counts sends of; next_send_at is the last send plus the minimum gap
-- plus that send's random jitter. policy_refusals counts 5.7.x refusals in a row.
ALTER TABLE mailboxes
  ADD COLUMN window_days TINYINT UNSIGNED NOT NULL DEFAULT 127,
  ADD COLUMN window_start SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN window_end SMALLINT UNSIGNED NOT NULL DEFAULT 1440,
  ADD COLUMN time_zone VARCHAR(64) NOT NULL DEFAULT 'UTC',
  ADD COLUMN warmup_start INT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN warmup_step INT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN warmup_from INT NULL,
  ADD COLUMN min_gap_seconds INT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN jitter_seconds INT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN pace_day INT NULL,
  ADD COLUMN pace_count INT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN last_sent_at DATETIME(3) NULL,
  ADD COLUMN next_send_at DATETIME(3) NULL,
  ADD COLUMN policy_refusals INT UNSIGNED NOT NULL DEFAULT 0;

-- A message pacing holds: held_reason 1 outside_window, 2 daily_cap, 3 gap, 4
-- domain_rate (claimable again at due_at = next_slot_at), 5 mailbox_paused, 6
-- mailbox_error (until the mailbox is resumed). queue_due (008) now also covers the first
-- four, so the claim stays one ordered range of ix_outbound_queue.
ALTER TABLE outbound_messages
  ADD COLUMN held_reason TINYINT UNSIGNED NULL,
  ADD COLUMN next_slot_at DATETIME(3) NULL;
ALTER TABLE outbound_messages MODIFY COLUMN queue_due DATETIME(3)
    AS (IF(status IN (1, 9) OR (status = 8 AND held_reason BETWEEN 1 AND 4), due_at, NULL))
    STORED;

-- Messages from a workspace to a recipient domain per UTC hour ([mailboxes]
-- domain_per_hour): one row per (workspace, domain, hour), counted in the claim.
CREATE TABLE domain_sends (
  workspace_id BIGINT UNSIGNED NOT NULL,
  domain VARCHAR(253) NOT NULL,
  hour_start DATETIME NOT NULL,
  sent INT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, domain, hour_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

