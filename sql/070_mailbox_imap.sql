-- 070: IMAP per mailbox (issue 16, docs/imap.md). A mailbox may also be read: the worker's
-- IMAP sync fetches what arrives in its folders and feeds each message to the inbound path.
-- A table of its own rather than columns on mailboxes: a mailbox without IMAP has no row.
-- security: 0 tls (implicit TLS, usually 993), 1 starttls (required; usually 143).
-- username NULL: the SMTP username. password_box NULL: the SMTP password (the same sealed
-- box is opened; nothing is copied). Sealed like mailboxes.password_box.
-- folders: the folders watched, one per line (INBOX by default).
-- state: 0 pending (not synced since the settings changed), 1 syncing, 2 idle (IMAP IDLE),
-- 3 polling (the server has no IDLE), 4 error (backing off), 5 auth_failed (sync paused
-- until the IMAP settings or the password change).
-- version: bumped on every change of the settings, so the worker reconnects with them.
-- owner, lease_until: the worker that syncs the mailbox (one at a time, however many
-- workers run); a lease not renewed (a worker killed) is taken over when it ends.
CREATE TABLE mailbox_imap (
  mailbox_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  host VARCHAR(253) NOT NULL,
  port INT UNSIGNED NOT NULL,
  security TINYINT UNSIGNED NOT NULL,
  username VARCHAR(320) NULL,
  password_box VARBINARY(600) NULL,
  folders VARCHAR(2000) NOT NULL,
  state TINYINT UNSIGNED NOT NULL DEFAULT 0,
  last_error VARCHAR(300) NULL,
  last_sync_at DATETIME(3) NULL,
  failures INT UNSIGNED NOT NULL DEFAULT 0,
  version BIGINT UNSIGNED NOT NULL DEFAULT 1,
  owner VARCHAR(64) NULL,
  lease_until DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  KEY ix_mailbox_imap_owner (owner),
  KEY ix_mailbox_imap_lease (lease_until)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Where each watched folder was read up to: a restart fetches UIDs above last_uid; a
-- different UIDVALIDITY starts the folder again from 0 (the inbound path drops what it
-- already stored, by Message-ID).
CREATE TABLE mailbox_imap_folders (
  mailbox_id BIGINT UNSIGNED NOT NULL,
  folder VARCHAR(200) NOT NULL,
  uidvalidity BIGINT UNSIGNED NOT NULL,
  last_uid BIGINT UNSIGNED NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (mailbox_id, folder)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
