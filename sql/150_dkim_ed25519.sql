-- 150: the second DKIM key of a sending domain, Ed25519 (RFC 8463; docs/dkim.md). Made with
-- the RSA key by POST /v1/domains and `linkcamp domain add`; a domain added before this
-- migration has none (NULL) and keeps signing rsa-sha256 only.
-- ed25519_selector: its own selector (the RSA selector + "-ed25519"), so that each key has
-- its own record. ed25519_public: the p= of "v=DKIM1; k=ed25519" (base64 of the raw 32-byte
-- public key). ed25519_box: the 32-byte private key (the seed, RFC 8032 5.1.5), sealed like
-- rsa_box with libsodium crypto_secretbox under [mailboxes] key_file (nonce, ciphertext,
-- tag): never stored, returned or logged in clear. The three are NULL together.
ALTER TABLE sending_domains
  ADD COLUMN ed25519_selector VARCHAR(63) NULL,
  ADD COLUMN ed25519_public VARCHAR(64) NULL,
  ADD COLUMN ed25519_box VARBINARY(128) NULL;
