/* reply_token.h: the per-message token that lets a reply find its message when the thread
 * headers are gone — a colleague forwarding it from another address, a client that drops
 * References (docs/inbound.md, "Matching", step 2). Each outbound Message-ID starts with
 * it ("<token.random@domain>"), and a mailbox that allows plus addressing gets replies at
 * "local+token@domain". 16 characters of lower-case base32 (80 random bits: not guessable,
 * and intact when a mail system lower-cases an address). */
#ifndef LC_REPLY_TOKEN_H
#define LC_REPLY_TOKEN_H

#include <stddef.h>
#include "util/err.h"

#define REPLY_TOKEN_LEN 16
#define REPLY_MSGID_MAX 160 /* buffer size for reply_token_msgid_new */

/* reply_token_msgid_new writes a new Message-ID "<token.random@domain>" into out. Errors:
 * LC_EINVAL when domain is not a host name that fits (then out is ""). Needs sodium_init. */
lc_err reply_token_msgid_new(const char *domain, char out[REPLY_MSGID_MAX]);

/* reply_token_of_msgid copies the token a Message-ID of ours starts with into out and
 * returns 1; 0 when msgid (untrusted, may be NULL) has no token's shape there. */
int reply_token_of_msgid(const char *msgid, char out[REPLY_TOKEN_LEN + 1]);

/* reply_token_of_address copies the token of a plus address "local+token@domain"
 * (untrusted, any case) into out, lower-cased, and returns 1; 0 otherwise. */
int reply_token_of_address(const char *addr, char out[REPLY_TOKEN_LEN + 1]);

/* reply_token_address writes "local+token@domain" for the address base and the token of
 * our Message-ID msgid into out (size len). Returns 0 and leaves out "" when msgid has no
 * token, base is not local@domain, base's local part has a '+' already, or it does not
 * fit: the caller then uses base as it is. */
int reply_token_address(const char *base, const char *msgid, char *out, size_t len);

#endif
