-- 007: open tracking, opt-in per workspace. A tracked email carries an HTML alternative
-- with a 1x1 image at /t/o/<open_token>.gif; the first fetch counts as the open.
ALTER TABLE workspaces ADD COLUMN track_opens TINYINT NOT NULL DEFAULT 0;
ALTER TABLE outbound_messages ADD COLUMN open_token VARCHAR(64) NULL,
  ADD COLUMN opened_at DATETIME(3) NULL,
  ADD UNIQUE KEY ux_outbound_open (open_token);
