-- 013: webhooks (SPEC §7). A workspace's subscriptions, the outbox the worker drains
-- (rows written in the transaction of the change that caused the event, one per
-- subscribed webhook) and one row per delivery attempt.
-- webhooks.status: 0 active, 1 disabled (the receiver answered 410), 2 deleted.
-- events_mask: bit i set = subscribed to the i-th event of src/core/webhooks.c.
CREATE TABLE webhooks (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id VARCHAR(48) NOT NULL,
  workspace_id BIGINT UNSIGNED NOT NULL,
  url VARCHAR(2000) NOT NULL,
  description VARCHAR(500) NULL,
  events_mask INT UNSIGNED NOT NULL,
  secret VARCHAR(100) NOT NULL,
  status TINYINT UNSIGNED NOT NULL DEFAULT 0,
  disabled_reason VARCHAR(300) NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY ux_webhooks_public (public_id),
  KEY ix_webhooks_ws_status (workspace_id, status, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- state: 0 pending, 1 sending (leased), 2 delivered, 3 failed (gave up or 410),
-- 4 cancelled (the webhook was deleted or disabled before it went out).
CREATE TABLE webhook_outbox (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  webhook_id BIGINT UNSIGNED NOT NULL,
  workspace_id BIGINT UNSIGNED NOT NULL,
  event_public_id VARCHAR(48) NOT NULL,
  type VARCHAR(64) NOT NULL,
  occurred_at DATETIME(3) NOT NULL,
  campaign_id BIGINT UNSIGNED NULL,
  relationship_id BIGINT UNSIGNED NULL,
  message_public_id VARCHAR(48) NULL,
  detail VARCHAR(2048) NULL,
  state TINYINT UNSIGNED NOT NULL DEFAULT 0,
  attempts INT UNSIGNED NOT NULL DEFAULT 0,
  fence BIGINT UNSIGNED NOT NULL DEFAULT 0,
  due_at DATETIME(3) NOT NULL,
  lease_expires_at DATETIME(3) NULL,
  KEY ix_whout_due (state, due_at, id),
  KEY ix_whout_lease (state, lease_expires_at),
  KEY ix_whout_webhook (webhook_id, state)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE webhook_deliveries (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  webhook_id BIGINT UNSIGNED NOT NULL,
  event_public_id VARCHAR(48) NOT NULL,
  type VARCHAR(64) NOT NULL,
  attempt INT UNSIGNED NOT NULL,
  status_code INT NULL,
  error VARCHAR(300) NULL,
  response_excerpt VARCHAR(200) NULL,
  attempted_at DATETIME(3) NOT NULL,
  duration_ms INT UNSIGNED NOT NULL,
  KEY ix_whdel_webhook (webhook_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
