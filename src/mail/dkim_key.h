/* dkim_key.h: making DKIM key pairs with OpenSSL (docs/dkim.md). The private key comes out
 * as PEM text for the caller to seal at once (core/mailbox.h: secret_seal); the public key
 * as the base64 that goes in the p= tag of the DNS record. */
#ifndef LC_MAIL_DKIM_KEY_H
#define LC_MAIL_DKIM_KEY_H

#include <stddef.h>
#include "util/err.h"

#define DKIM_PEM_MAX 2048 /* bytes of an RSA-2048 private key in PKCS#8 PEM, with NUL */
#define DKIM_PUB_MAX 512  /* base64 of an RSA-2048 SubjectPublicKeyInfo (392) with NUL */
#define DKIM_RSA_BITS 2048

/* A new key pair. The PEM buffer holds a secret: wipe it (dkim_keys_wipe) as soon as it is
 * sealed. */
struct dkim_keys {
	char rsa_pem[DKIM_PEM_MAX]; /* PKCS#8 PEM of the RSA private key */
	char rsa_pub[DKIM_PUB_MAX]; /* base64 SubjectPublicKeyInfo: p= of k=rsa (RFC 6376) */
	size_t rsa_pem_len;
};

/* dkim_keys_generate makes an RSA-2048 key pair into k (zeroed first). LC_ENOMEM when
 * OpenSSL fails (k is then wiped). */
lc_err dkim_keys_generate(struct dkim_keys *k);
/* dkim_keys_wipe clears every byte of k. */
void dkim_keys_wipe(struct dkim_keys *k);

#endif
