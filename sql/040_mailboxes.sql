-- 040: sender mailboxes (SPEC §6a, docs/mailboxes.md). A workspace's own SMTP
-- submission accounts; campaigns name them; each prospect's thread sticks to the mailbox
-- that sent its first email.
-- security: 0 tls (implicit TLS), 1 starttls (required), 2 plain (only when the operator
-- allows it: [mailboxes] allow_plain).
-- status: 0 active, 1 paused (by an AUTH failure, or a person), 2 deleted.
-- password_box: libsodium crypto_secretbox of the password under the key in
-- [mailboxes] key_file: 24-byte nonce, then the ciphertext with its 16-byte tag. The
-- password is never stored, returned or logged in clear.
-- routed_total: threads given to this mailbox so far (round-robin between equals).
CREATE TABLE mailboxes (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id VARCHAR(48) NOT NULL,
  workspace_id BIGINT UNSIGNED NOT NULL,
  from_name VARCHAR(200) NOT NULL,
  from_address VARCHAR(320) NOT NULL,
  reply_to VARCHAR(320) NULL,
  smtp_host VARCHAR(253) NOT NULL,
  smtp_port INT UNSIGNED NOT NULL,
  security TINYINT UNSIGNED NOT NULL,
  username VARCHAR(320) NOT NULL,
  password_box VARBINARY(600) NOT NULL,
  daily_cap INT UNSIGNED NOT NULL DEFAULT 50,
  status TINYINT UNSIGNED NOT NULL DEFAULT 0,
  paused_reason VARCHAR(300) NULL,
  paused_at DATETIME(3) NULL,
  routed_total BIGINT UNSIGNED NOT NULL DEFAULT 0,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY ux_mailboxes_public (public_id),
  KEY ix_mailboxes_ws (workspace_id, status, created_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The mailboxes a campaign sends from (mailboxIds). None: the operator's relay.
CREATE TABLE campaign_mailboxes (
  campaign_id BIGINT UNSIGNED NOT NULL,
  mailbox_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (campaign_id, mailbox_id),
  KEY ix_campaign_mailboxes_mailbox (mailbox_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The mailbox a message leaves from, chosen when the worker first claims it, and when
-- (mailbox_at: a mailbox's sends today are a range of ix_outbound_mailbox). A thread's
-- mailbox is kept on its relationship.
ALTER TABLE outbound_messages ADD COLUMN mailbox_id BIGINT UNSIGNED NULL,
  ADD COLUMN mailbox_at DATETIME(3) NULL,
  ADD KEY ix_outbound_mailbox (mailbox_id, mailbox_at),
  ADD KEY ix_outbound_mailbox_status (mailbox_id, status);
ALTER TABLE relationships ADD COLUMN mailbox_id BIGINT UNSIGNED NULL;

-- POST /v1/mailboxes/{id}/test: the request waits here until a worker has run it.
-- state: 0 waiting, 1 running, 2 done. result: the steps as JSON.
CREATE TABLE mailbox_tests (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id VARCHAR(48) NOT NULL,
  mailbox_id BIGINT UNSIGNED NOT NULL,
  workspace_id BIGINT UNSIGNED NOT NULL,
  state TINYINT UNSIGNED NOT NULL DEFAULT 0,
  ok TINYINT UNSIGNED NOT NULL DEFAULT 0,
  result MEDIUMTEXT NULL,
  created_at DATETIME(3) NOT NULL,
  started_at DATETIME(3) NULL,
  finished_at DATETIME(3) NULL,
  UNIQUE KEY ux_mailbox_tests_public (public_id),
  KEY ix_mailbox_tests_state (state, id),
  KEY ix_mailbox_tests_mailbox (mailbox_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
