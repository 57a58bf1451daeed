/* dkim_key.h: making DKIM key pairs with OpenSSL (docs/dkim.md). The private key comes out
 * as PEM text for the caller to seal at once (core/mailbox.h: secret_seal); the public key
 * as the base64 that goes in the p= tag of the DNS record. Two pairs: RSA-2048 (rsa-sha256)
 * and Ed25519 (ed25519-sha256, RFC 8463), whose private key is its raw 32-byte seed. */
#ifndef LC_MAIL_DKIM_KEY_H
#define LC_MAIL_DKIM_KEY_H

#include <stddef.h>
#include "util/err.h"

#define DKIM_PEM_MAX 2048 /* bytes of an RSA-2048 private key in PKCS#8 PEM, with NUL */
#define DKIM_PUB_MAX 512  /* base64 of an RSA-2048 SubjectPublicKeyInfo (392) with NUL */
#define DKIM_RSA_BITS 2048
#define DKIM_ED_SEED_BYTES 32 /* an Ed25519 private key (its seed, RFC 8032 5.1.5) */
#define DKIM_ED_PUB_MAX 48    /* base64 of the raw 32-byte Ed25519 public key (44) with NUL */

/* A new key pair. The PEM buffer holds a secret: wipe it (dkim_keys_wipe) as soon as it is
 * sealed. */
struct dkim_keys {
	char rsa_pem[DKIM_PEM_MAX]; /* PKCS#8 PEM of the RSA private key */
	char rsa_pub[DKIM_PUB_MAX]; /* base64 SubjectPublicKeyInfo: p= of k=rsa (RFC 6376) */
	size_t rsa_pem_len;
	unsigned char ed_seed[DKIM_ED_SEED_BYTES]; /* the Ed25519 private key */
	char ed_pub[DKIM_ED_PUB_MAX]; /* base64 raw public key: p= of k=ed25519 (RFC 8463 4.2) */
};

/* dkim_keys_generate makes an RSA-2048 and an Ed25519 key pair into k (zeroed first).
 * LC_ENOMEM when OpenSSL fails (k is then wiped). */
lc_err dkim_keys_generate(struct dkim_keys *k);
/* dkim_ed25519_generate makes an Ed25519 key pair alone: its seed (a secret the caller
 * seals and wipes) and the p= of its record. LC_ENOMEM when OpenSSL fails (seed wiped). */
lc_err dkim_ed25519_generate(unsigned char seed[DKIM_ED_SEED_BYTES], char pub[DKIM_ED_PUB_MAX]);
/* dkim_keys_wipe clears every byte of k. */
void dkim_keys_wipe(struct dkim_keys *k);

#endif
