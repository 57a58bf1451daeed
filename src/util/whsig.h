/* whsig.h: Standard Webhooks secrets and signatures (https://www.standardwebhooks.com):
 * a secret is "whsec_" + base64 of 32 random bytes; a signature is
 * "v1," + base64(HMAC-SHA256(key, id "." timestamp "." body)), key being the secret's
 * decoded bytes. Needs sodium_init(). */
#ifndef LC_WHSIG_H
#define LC_WHSIG_H

#include <stddef.h>
#include <stdint.h>
#include "util/err.h"

#define WHSIG_SECRET_MAX 64    /* buffer size for a secret: "whsec_" + 44 + NUL */
#define WHSIG_SIGNATURE_MAX 52 /* buffer size for "v1," + 44 + NUL */

/* whsig_secret_new writes a new random secret into out. */
void whsig_secret_new(char out[WHSIG_SECRET_MAX]);

/* whsig_sign writes the v1 signature of (id, timestamp, body[0..len)) under secret into
 * out. LC_EINVAL when secret is not "whsec_" + standard base64 of 1..64 bytes. */
lc_err whsig_sign(const char *secret, const char *id, int64_t timestamp, const char *body,
    size_t len, char out[WHSIG_SIGNATURE_MAX]);

#endif
