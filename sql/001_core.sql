-- 001: accounts, workspaces, API keys, campaigns, relationships, events and the
-- counters/aggregates that let list, get and metrics read a bounded number of rows.
-- Portable to MySQL 8 and MariaDB >= 10.6: InnoDB, utf8mb4, UTC DATETIME(3).

CREATE TABLE accounts (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id VARCHAR(48) NOT NULL,
  name VARCHAR(200) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  UNIQUE KEY ux_accounts_public (public_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE workspaces (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id VARCHAR(48) NOT NULL,
  account_id BIGINT UNSIGNED NOT NULL,
  name VARCHAR(200) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  credits_balance BIGINT NOT NULL DEFAULT 0,
  credits_reserved BIGINT NOT NULL DEFAULT 0,
  UNIQUE KEY ux_workspaces_public (public_id),
  KEY ix_workspaces_account (account_id, created_at, id),
  CONSTRAINT fk_workspaces_account FOREIGN KEY (account_id) REFERENCES accounts (id),
  CONSTRAINT ck_workspaces_credits CHECK (credits_balance >= 0 AND credits_reserved >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- workspace_id NULL: an account key (acts on any workspace of the account).
CREATE TABLE api_keys (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id VARCHAR(48) NOT NULL,
  key_hash BINARY(32) NOT NULL,
  account_id BIGINT UNSIGNED NOT NULL,
  workspace_id BIGINT UNSIGNED NULL,
  name VARCHAR(200) NOT NULL,
  can_approve TINYINT NOT NULL DEFAULT 0,
  created_at DATETIME(3) NOT NULL,
  revoked_at DATETIME(3) NULL,
  UNIQUE KEY ux_api_keys_public (public_id),
  UNIQUE KEY ux_api_keys_hash (key_hash),
  KEY ix_api_keys_account (account_id),
  CONSTRAINT fk_api_keys_account FOREIGN KEY (account_id) REFERENCES accounts (id),
  CONSTRAINT fk_api_keys_workspace FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- type: 0 serp, 1 competitor, 2 custom.  status: 0 draft, 1 active, 2 paused,
-- 3 completed, 4 cancelled.  The *_count columns are relationship funnel counters,
-- maintained by the transaction that records each event.
CREATE TABLE campaigns (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id VARCHAR(48) NOT NULL,
  workspace_id BIGINT UNSIGNED NOT NULL,
  type TINYINT UNSIGNED NOT NULL,
  name VARCHAR(200) COLLATE utf8mb4_unicode_ci NOT NULL,
  target_url VARCHAR(2048) NOT NULL,
  sender VARCHAR(320) NOT NULL,
  status TINYINT UNSIGNED NOT NULL,
  template_subject VARCHAR(998) NOT NULL DEFAULT '',
  template_body MEDIUMTEXT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  paused_at DATETIME(3) NULL,
  pause_reason VARCHAR(500) NULL,
  drafts_count INT UNSIGNED NOT NULL DEFAULT 0,
  sent_count INT UNSIGNED NOT NULL DEFAULT 0,
  delivered_count INT UNSIGNED NOT NULL DEFAULT 0,
  opened_count INT UNSIGNED NOT NULL DEFAULT 0,
  replied_count INT UNSIGNED NOT NULL DEFAULT 0,
  placed_count INT UNSIGNED NOT NULL DEFAULT 0,
  pending_approvals INT UNSIGNED NOT NULL DEFAULT 0,
  first_reply_at DATETIME(3) NULL,
  first_placed_at DATETIME(3) NULL,
  UNIQUE KEY ux_campaigns_public (public_id),
  KEY ix_campaigns_ws_created (workspace_id, created_at, id),
  CONSTRAINT fk_campaigns_workspace FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- status: 0 prospect, 1 awaiting_approval, 2 scheduled, 3 sent, 4 opened, 5 replied,
-- 6 link_placed, 7 bounced, 8 unsubscribed, 9 declined ("no_response" is derived).
CREATE TABLE relationships (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id VARCHAR(48) NOT NULL,
  workspace_id BIGINT UNSIGNED NOT NULL,
  campaign_id BIGINT UNSIGNED NOT NULL,
  domain VARCHAR(253) COLLATE utf8mb4_unicode_ci NOT NULL,
  contact_name VARCHAR(200) COLLATE utf8mb4_unicode_ci NOT NULL,
  contact_email VARCHAR(320) COLLATE utf8mb4_unicode_ci NOT NULL,
  status TINYINT UNSIGNED NOT NULL DEFAULT 0,
  link_url VARCHAR(2048) NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  drafted_at DATETIME(3) NULL,
  first_sent_at DATETIME(3) NULL,
  last_contacted_at DATETIME(3) NULL,
  opened_at DATETIME(3) NULL,
  last_reply_at DATETIME(3) NULL,
  placed_at DATETIME(3) NULL,
  bounced_at DATETIME(3) NULL,
  UNIQUE KEY ux_relationships_public (public_id),
  UNIQUE KEY ux_relationships_campaign_email (campaign_id, contact_email),
  KEY ix_relationships_campaign (campaign_id, created_at, id),
  KEY ix_relationships_ws_created (workspace_id, created_at, id),
  KEY ix_relationships_ws_domain (workspace_id, domain),
  CONSTRAINT fk_relationships_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id),
  CONSTRAINT fk_relationships_workspace FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Append-only LinkBuildingEvents.
CREATE TABLE events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id VARCHAR(48) NOT NULL,
  workspace_id BIGINT UNSIGNED NOT NULL,
  campaign_id BIGINT UNSIGNED NOT NULL,
  relationship_id BIGINT UNSIGNED NULL,
  message_public_id VARCHAR(48) NULL,
  type VARCHAR(40) NOT NULL,
  occurred_at DATETIME(3) NOT NULL,
  detail VARCHAR(2048) NULL,
  UNIQUE KEY ux_events_public (public_id),
  KEY ix_events_campaign (campaign_id, occurred_at, id),
  KEY ix_events_workspace (workspace_id, occurred_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Per-day aggregates behind the metrics timeline; one row per campaign, UTC day and kind.
-- kind: 0 campaign_created, 1 drafts_ready, 2 approvals_completed, 3 emails_sent,
-- 4 first_reply, 5 first_link_placed.
CREATE TABLE campaign_days (
  campaign_id BIGINT UNSIGNED NOT NULL,
  day DATE NOT NULL,
  kind TINYINT UNSIGNED NOT NULL,
  count INT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, day, kind)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Pauses and resumes with their reasons, for the timeline (kind: 0 paused, 1 resumed).
CREATE TABLE campaign_state_notes (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  campaign_id BIGINT UNSIGNED NOT NULL,
  occurred_at DATETIME(3) NOT NULL,
  kind TINYINT UNSIGNED NOT NULL,
  reason VARCHAR(500) NULL,
  KEY ix_state_notes_campaign (campaign_id, occurred_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
