-- 180: how many messages await approval, per workspace, campaign and kind (issue 20,
-- docs/first-reads.md "The queue's menu"). The approval queue's menu and total read these
-- rows, one per campaign and kind with messages waiting, where they read one index entry
-- per waiting message: with tens of thousands waiting in a workspace every view of its
-- queue cost tens of milliseconds of MariaDB. The store moves a count in the transaction
-- that moves a message into or out of awaiting approval (db/store_outbox.c, the only
-- statements that do), and a row left at 0 stays: ix_waiting_open keeps the menu's range
-- to the rows above 0.
CREATE TABLE approval_waiting (
  workspace_id BIGINT UNSIGNED NOT NULL,
  campaign_id BIGINT UNSIGNED NOT NULL,
  kind TINYINT UNSIGNED NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, campaign_id, kind),
  KEY ix_waiting_open (workspace_id, n)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- the messages waiting when the table is made
INSERT INTO approval_waiting (workspace_id, campaign_id, kind, n)
  SELECT workspace_id, campaign_id, kind, COUNT(*) FROM outbound_messages WHERE status = 0
  GROUP BY workspace_id, campaign_id, kind;
