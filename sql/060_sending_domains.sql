-- 060: sending domains and their DKIM keys (issue 15 item 5, docs/dkim.md).
-- A workspace's domain: mail whose From address is at this domain (or below it) is
-- DKIM-signed (rsa-sha256) with d=domain and s=selector before it is handed to the SMTP
-- server. rsa_box: the private key (PKCS#8 PEM), sealed with libsodium crypto_secretbox
-- under [mailboxes] key_file like mailbox passwords (24-byte nonce, then ciphertext and
-- tag): never stored, returned or logged in clear. rsa_public: the public key as published
-- in DNS (base64 of the SubjectPublicKeyInfo DER).
-- status: 0 active, 2 deleted (the row stays: the messages it signed name it).
CREATE TABLE sending_domains (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id VARCHAR(48) NOT NULL,
  workspace_id BIGINT UNSIGNED NOT NULL,
  domain VARCHAR(253) NOT NULL,
  selector VARCHAR(63) NOT NULL,
  rsa_public VARCHAR(600) NOT NULL,
  rsa_box VARBINARY(2400) NOT NULL,
  status TINYINT UNSIGNED NOT NULL DEFAULT 0,
  live_domain VARCHAR(253) AS (IF(status = 0, domain, NULL)) PERSISTENT,
  created_at DATETIME(3) NOT NULL,
  UNIQUE KEY ux_sending_domains_public (public_id),
  -- one live key per domain and workspace; the signer's lookup is one point of this index
  UNIQUE KEY ux_sending_domains_live (workspace_id, live_domain),
  KEY ix_sending_domains_ws (workspace_id, status, created_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
