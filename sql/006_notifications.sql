-- 006: approvers are emailed a link to each item that starts waiting for approval.
-- One row per item; the worker mails every approver of the workspace when it sends it.
-- status: 0 pending, 1 sending, 2 sent, 3 failed (gave up), 4 nobody to notify.
CREATE TABLE approval_notifications (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  workspace_id BIGINT UNSIGNED NOT NULL,
  message_id BIGINT UNSIGNED NOT NULL,
  status TINYINT UNSIGNED NOT NULL DEFAULT 0,
  attempts INT UNSIGNED NOT NULL DEFAULT 0,
  due_at DATETIME(3) NOT NULL,
  lease_expires_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL,
  sent_at DATETIME(3) NULL,
  last_error VARCHAR(300) NULL,
  KEY ix_notifications_due (status, due_at, id),
  KEY ix_notifications_message (message_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
