-- 003: people who use the approval pages (SPEC §8): users, their roles per workspace,
-- one-time set-password tokens, server-side sessions and failed logins for throttling.
-- Secrets are never stored: tokens and session ids only as SHA-256, passwords as
-- Argon2id strings (libsodium crypto_pwhash_str).

CREATE TABLE users (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id VARCHAR(48) NOT NULL,
  email VARCHAR(320) COLLATE utf8mb4_unicode_ci NOT NULL,
  password_hash VARCHAR(255) NULL, -- NULL until a password is set
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  disabled_at DATETIME(3) NULL,
  UNIQUE KEY ux_users_public (public_id),
  UNIQUE KEY ux_users_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- role: 0 viewer (reads), 1 approver (decides, pauses and resumes).
CREATE TABLE user_workspaces (
  user_id BIGINT UNSIGNED NOT NULL,
  workspace_id BIGINT UNSIGNED NOT NULL,
  role TINYINT UNSIGNED NOT NULL,
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (user_id, workspace_id),
  KEY ix_user_workspaces_ws (workspace_id),
  CONSTRAINT fk_user_workspaces_user FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT fk_user_workspaces_ws FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One-time links to set a password (`linkcamp user add ... --link`): 24 h, single use.
CREATE TABLE user_tokens (
  token_hash BINARY(32) NOT NULL PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(3) NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  used_at DATETIME(3) NULL,
  KEY ix_user_tokens_user (user_id),
  KEY ix_user_tokens_expires (expires_at),
  CONSTRAINT fk_user_tokens_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- expires_at is the earlier of the idle deadline (moved on use) and the absolute one
-- (created_at + the maximum lifetime), so one indexed comparison finds live sessions.
CREATE TABLE sessions (
  id_hash BINARY(32) NOT NULL PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  csrf_secret BINARY(32) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  last_seen_at DATETIME(3) NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  KEY ix_sessions_user (user_id),
  KEY ix_sessions_expires (expires_at),
  CONSTRAINT fk_sessions_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- scope: 0 the e-mail address tried, 1 the client address. subject_hash is the SHA-256
-- of the lower-cased address, so addresses of people who are not users are not kept.
CREATE TABLE login_failures (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  scope TINYINT UNSIGNED NOT NULL,
  subject_hash BINARY(32) NOT NULL,
  failed_at DATETIME(3) NOT NULL,
  KEY ix_login_failures_subject (scope, subject_hash, failed_at),
  KEY ix_login_failures_at (failed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
