-- 030: campaigns whose messages still have to follow a state change (docs/sending.md,
-- "Ending or pausing a big campaign"). Cancel, complete, pause and resume change the
-- campaign row at once and settle its first 100 messages in the same transaction; when
-- more remain, the transaction leaves a row here and the worker settles the rest, 500 a
-- transaction, to whatever the campaign's status is when it gets there (cancelled and
-- completed: open messages cancelled and their credits released; paused: scheduled and
-- deferred held; active: held scheduled again). The worker claims a row with FOR UPDATE
-- SKIP LOCKED inside each batch's transaction, so a batch cut short by a crash rolls back
-- and the next worker resumes from the row, which stays until nothing is left to do.
CREATE TABLE campaign_settle (
  campaign_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  workspace_id BIGINT UNSIGNED NOT NULL,
  due_at DATETIME(3) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  batches INT UNSIGNED NOT NULL DEFAULT 0,
  KEY ix_campaign_settle_due (due_at, campaign_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
