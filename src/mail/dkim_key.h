/* dkim_key.h: making DKIM key pairs with OpenSSL (docs/dkim.md). The private keys come out
 * as PEM text for the caller to seal at once (core/mailbox.h: secret_seal); the public keys
 * as the base64 that goes in the p= tag of the DNS record. */
#ifndef LC_MAIL_DKIM_KEY_H
#define LC_MAIL_DKIM_KEY_H

#include <stddef.h>
#include "util/err.h"

#define DKIM_PEM_MAX 2048   /* bytes of an RSA-2048 or Ed25519 private key in PEM, with NUL */
#define DKIM_PUB_MAX 512    /* base64 of an RSA-2048 SubjectPublicKeyInfo (392) with NUL */
#define DKIM_RSA_BITS 2048

/* A new pair of keys. The PEM buffers hold secrets: wipe them (dkim_keys_wipe) as soon as
 * they are sealed. */
struct dkim_keys {
	char rsa_pem[DKIM_PEM_MAX]; /* PKCS#8 PEM of the RSA private key */
	char ed_pem[DKIM_PEM_MAX];  /* PKCS#8 PEM of the Ed25519 private key */
	char rsa_pub[DKIM_PUB_MAX]; /* base64 SubjectPublicKeyInfo: p= of k=rsa (RFC 6376) */
	char ed_pub[DKIM_PUB_MAX];  /* base64 of the raw 32-byte key: p= of k=ed25519 (RFC 8463) */
	size_t rsa_pem_len, ed_pem_len;
};

/* dkim_keys_generate makes an RSA-2048 and an Ed25519 key pair into k (zeroed first).
 * LC_ENOMEM when OpenSSL fails (the buffers are then wiped). */
lc_err dkim_keys_generate(struct dkim_keys *k);
/* dkim_keys_wipe clears every byte of k. */
void dkim_keys_wipe(struct dkim_keys *k);
/* dkim_pub_from_pem derives the p= value of a private key's public half (RSA: base64
 * SubjectPublicKeyInfo; Ed25519: base64 of the raw key) from PEM text. LC_EINVAL when pem
 * is not a private key. Used by the tests of the sealing round trip. */
lc_err dkim_pub_from_pem(const char *pem, size_t len, char out[DKIM_PUB_MAX]);

#endif
