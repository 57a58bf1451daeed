-- 004: inbound mail. Every received message is kept (matched or not), once per
-- Message-ID (or per content hash when it has none).

-- klass: 0 human, 1 auto_reply, 2 bounce, 3 unsubscribe.
-- match_method: 0 none, 1 thread (In-Reply-To/References or a DSN's returned message),
-- 2 sender (the From address is a prospect of the workspace).
CREATE TABLE inbound_messages (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id VARCHAR(48) NOT NULL,
  dedupe_key VARCHAR(255) NOT NULL,
  workspace_id BIGINT UNSIGNED NULL,
  campaign_id BIGINT UNSIGNED NULL,
  relationship_id BIGINT UNSIGNED NULL,
  outbound_id BIGINT UNSIGNED NULL,
  auto_response_id BIGINT UNSIGNED NULL,
  klass TINYINT UNSIGNED NOT NULL,
  match_method TINYINT UNSIGNED NOT NULL,
  message_id_header VARCHAR(255) NULL,
  in_reply_to VARCHAR(255) NULL,
  references_header TEXT NULL,
  from_email VARCHAR(320) COLLATE utf8mb4_unicode_ci NULL,
  from_name VARCHAR(200) NULL,
  to_email VARCHAR(320) NULL,
  subject VARCHAR(998) NOT NULL,
  body_text MEDIUMTEXT NOT NULL,
  body_new MEDIUMTEXT NOT NULL,
  bounce_status VARCHAR(16) NULL,
  bounce_recipient VARCHAR(320) NULL,
  sent_at DATETIME(3) NULL,
  received_at DATETIME(3) NOT NULL,
  raw_size INT UNSIGNED NOT NULL,
  UNIQUE KEY ux_inbound_public (public_id),
  UNIQUE KEY ux_inbound_dedupe (dedupe_key),
  KEY ix_inbound_ws (workspace_id, received_at, id),
  KEY ix_inbound_relationship (relationship_id, received_at),
  KEY ix_inbound_campaign (campaign_id, received_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Finding the workspace of mail that does not thread: the campaign whose sender it was
-- written to, and prospects by address.
ALTER TABLE campaigns ADD KEY ix_campaigns_sender (sender(100));
ALTER TABLE relationships ADD KEY ix_relationships_ws_email (workspace_id, contact_email(100), created_at);
ALTER TABLE outbound_messages ADD COLUMN inbound_id BIGINT UNSIGNED NULL,
  ADD KEY ix_outbound_inbound (inbound_id, status);
