-- 002: sending. Outbound messages wait here for approval and delivery; credits move
-- through a ledger; invocations record API actions; idempotency keys replay answers.

-- Approval policy per workspace: 1 = a person must approve, 0 = auto.
ALTER TABLE workspaces
  ADD COLUMN approve_drafts TINYINT NOT NULL DEFAULT 1,
  ADD COLUMN approve_send_email TINYINT NOT NULL DEFAULT 1,
  ADD COLUMN approve_respond TINYINT NOT NULL DEFAULT 1,
  ADD COLUMN approve_auto_responses TINYINT NOT NULL DEFAULT 1,
  ADD COLUMN approve_follow_ups TINYINT NOT NULL DEFAULT 1,
  ADD COLUMN max_lateness_hours INT NOT NULL DEFAULT 24;

ALTER TABLE campaigns
  ADD COLUMN auto_response_body MEDIUMTEXT NULL,
  ADD COLUMN auto_response_delay_minutes INT NULL;

CREATE TABLE campaign_follow_ups (
  campaign_id BIGINT UNSIGNED NOT NULL,
  step TINYINT UNSIGNED NOT NULL,
  after_days INT UNSIGNED NOT NULL,
  body MEDIUMTEXT NOT NULL,
  PRIMARY KEY (campaign_id, step)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- kind: 0 draft, 1 send_email, 2 respond, 3 auto_response, 4 follow_up.
-- status: 0 awaiting_approval, 1 scheduled, 2 sending, 3 sent, 4 failed, 5 unknown,
-- 6 rejected, 7 cancelled, 8 held, 9 deferred.
-- smtp_phase while sending: 0 claimed (nothing sent: safe to retry), 1 DATA under way
-- (a crash now means "unknown", never a resend).
CREATE TABLE outbound_messages (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id VARCHAR(48) NOT NULL,
  workspace_id BIGINT UNSIGNED NOT NULL,
  campaign_id BIGINT UNSIGNED NOT NULL,
  relationship_id BIGINT UNSIGNED NOT NULL,
  invocation_id BIGINT UNSIGNED NULL,
  kind TINYINT UNSIGNED NOT NULL,
  status TINYINT UNSIGNED NOT NULL,
  follow_up_step TINYINT UNSIGNED NOT NULL DEFAULT 0,
  parent_id BIGINT UNSIGNED NULL,
  from_email VARCHAR(320) NOT NULL,
  to_email VARCHAR(320) COLLATE utf8mb4_unicode_ci NOT NULL,
  to_name VARCHAR(200) NOT NULL,
  subject VARCHAR(998) NOT NULL,
  body MEDIUMTEXT NOT NULL,
  message_id_header VARCHAR(255) NOT NULL,
  in_reply_to VARCHAR(255) NULL,
  references_header TEXT NULL,
  unsubscribe_token VARCHAR(64) NOT NULL,
  schedule_at DATETIME(3) NOT NULL,
  due_at DATETIME(3) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  requested_by VARCHAR(64) NOT NULL,
  credits_reserved INT UNSIGNED NOT NULL DEFAULT 0,
  credits_charged INT UNSIGNED NOT NULL DEFAULT 0,
  attempts INT UNSIGNED NOT NULL DEFAULT 0,
  fence BIGINT UNSIGNED NOT NULL DEFAULT 0,
  lease_owner VARCHAR(64) NULL,
  lease_expires_at DATETIME(3) NULL,
  smtp_phase TINYINT UNSIGNED NOT NULL DEFAULT 0,
  last_error VARCHAR(500) NULL,
  sent_at DATETIME(3) NULL,
  decided_at DATETIME(3) NULL,
  UNIQUE KEY ux_outbound_public (public_id),
  UNIQUE KEY ux_outbound_msgid (message_id_header),
  UNIQUE KEY ux_outbound_unsub (unsubscribe_token),
  KEY ix_outbound_due (status, due_at, id),
  KEY ix_outbound_lease (status, lease_expires_at),
  KEY ix_outbound_ws_status (workspace_id, status, created_at, id),
  KEY ix_outbound_campaign (campaign_id, status),
  KEY ix_outbound_relationship (relationship_id, created_at),
  KEY ix_outbound_parent (parent_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every approval decision, final and attributable.
CREATE TABLE approval_decisions (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  message_id BIGINT UNSIGNED NOT NULL,
  workspace_id BIGINT UNSIGNED NOT NULL,
  decision TINYINT UNSIGNED NOT NULL, -- 0 approved, 1 rejected, 2 returned (stale schedule)
  decided_by VARCHAR(64) NOT NULL,
  decided_at DATETIME(3) NOT NULL,
  reason VARCHAR(500) NULL,
  edited_subject VARCHAR(998) NULL,
  edited_body MEDIUMTEXT NULL,
  KEY ix_decisions_message (message_id, id),
  KEY ix_decisions_ws (workspace_id, decided_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- status: 0 awaiting_approval, 1 scheduled, 2 completed, 3 rejected, 4 failed,
-- 5 cancelled, 6 unknown.
CREATE TABLE invocations (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id VARCHAR(48) NOT NULL,
  workspace_id BIGINT UNSIGNED NOT NULL,
  action VARCHAR(64) NOT NULL,
  status TINYINT UNSIGNED NOT NULL,
  credits_reserved INT UNSIGNED NOT NULL DEFAULT 0,
  credits_charged INT UNSIGNED NOT NULL DEFAULT 0,
  message_id BIGINT UNSIGNED NULL,
  event_public_id VARCHAR(48) NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY ux_invocations_public (public_id),
  KEY ix_invocations_ws (workspace_id, created_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The ledger: SUM(delta_balance) = workspaces.credits_balance and
-- SUM(delta_reserved) = workspaces.credits_reserved, always.
-- kind: 0 grant, 1 reserve, 2 capture, 3 release.
CREATE TABLE credit_ledger (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  workspace_id BIGINT UNSIGNED NOT NULL,
  kind TINYINT UNSIGNED NOT NULL,
  delta_balance BIGINT NOT NULL,
  delta_reserved BIGINT NOT NULL,
  message_id BIGINT UNSIGNED NULL,
  note VARCHAR(200) NULL,
  created_at DATETIME(3) NOT NULL,
  KEY ix_ledger_ws (workspace_id, created_at, id),
  KEY ix_ledger_message (message_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Idempotency-Key: state 0 in progress, 1 done. Answers are kept 24 h.
CREATE TABLE idempotency_keys (
  workspace_id BIGINT UNSIGNED NOT NULL,
  idem_key VARCHAR(255) NOT NULL,
  request_hash BINARY(32) NOT NULL,
  state TINYINT UNSIGNED NOT NULL,
  status_code SMALLINT UNSIGNED NULL,
  response_body MEDIUMTEXT NULL,
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (workspace_id, idem_key),
  KEY ix_idem_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE suppressions (
  workspace_id BIGINT UNSIGNED NOT NULL,
  email VARCHAR(320) COLLATE utf8mb4_unicode_ci NOT NULL,
  reason VARCHAR(40) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (workspace_id, email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
