-- 051: mailbox and campaign health (issue 15 item 4; docs/mailboxes.md, "Health"). A campaign's last 20 sends as bits (1: a hard bounce), newest in bit
-- 0, and how many of the 20 have happened: the bounce rate without reading history.
-- The workspace policy's autoPause.bounceRate in thousandths (default 0.1).
ALTER TABLE campaigns
  ADD COLUMN recent_sends TINYINT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN recent_bounces INT UNSIGNED NOT NULL DEFAULT 0;
ALTER TABLE workspaces
  ADD COLUMN auto_pause_bounce_permille SMALLINT UNSIGNED NOT NULL DEFAULT 100;
