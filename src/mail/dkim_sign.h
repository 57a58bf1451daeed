/* dkim_sign.h: DKIM signatures (RFC 6376) of composed messages with libopendkim
 * (docs/dkim.md): rsa-sha256, relaxed/relaxed. */
#ifndef LC_MAIL_DKIM_SIGN_H
#define LC_MAIL_DKIM_SIGN_H

#include <stddef.h>
#include "util/buf.h"
#include "util/err.h"

/* dkim_sign_global_init prepares libopendkim (the header lists to sign and oversign); call
 * once before threads start. LC_ENOMEM when the library cannot be set up; then every
 * dkim_sign_message fails with LC_ECONFLICT. */
lc_err dkim_sign_global_init(void);
/* dkim_sign_global_end frees the library; call after the threads ended. */
void dkim_sign_global_end(void);

/* What one message is signed with. The PEM text is a secret the caller wipes. */
struct dkim_signer {
	const char *domain;   /* d= */
	const char *selector; /* s= */
	const char *rsa_pem;  /* PKCS#8 PEM of the RSA key, NUL-ended */
};

/* dkim_sign_message signs msg[0..len) (a complete message with CRLF line ends, as
 * mail_compose makes it) and writes the signed message — the DKIM-Signature header field,
 * then msg — to out (which must be empty). The caller keeps ownership of everything.
 * Errors: LC_EINVAL when libopendkim refuses the key or the message (why: its words, never
 * the key), LC_ENOMEM when out's max is exceeded, LC_ECONFLICT when the library was not set
 * up. out is left empty on error. */
lc_err dkim_sign_message(const struct dkim_signer *s, const char *msg, size_t len, struct buf *out,
    char *why, size_t whylen);

#endif
