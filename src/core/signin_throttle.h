/* signin_throttle.h: how many wrong guesses a sign-in may take (docs/signin.md). Failed
 * guesses are counted per account and client (a back-off that doubles, remembered a day)
 * and per client address (a limit per window), keyed on what the collation-aware lookup
 * finds rather than on the bytes typed. */
#ifndef LC_SIGNIN_THROTTLE_H
#define LC_SIGNIN_THROTTLE_H

#include <stdint.h>

#include "core/core.h"
#include "core/sessions.h"

/* login_backoff says how long (seconds) a client must wait after its newest failed guess at
 * one account, having failed `failures` times (within a day): 0 below `limit`, then base,
 * doubling with each further failure, never more than cap. Pure (backoff.c). */
unsigned login_backoff(unsigned failures, unsigned limit, unsigned base, unsigned cap);

/* What one sign-in's guesses are counted under: the account (or address) with the client,
 * and the client address alone (has_client). */
struct signin_subject {
	unsigned char pair[32], client[32];
	int has_client;
};

/* signin_throttle_check makes s for a sign-in at the account user_id (0: none found) by
 * the address email (email_ok: it could name an account) from client (NULL: unknown), and
 * sets *retry_after (seconds, 0: go ahead) when that client must wait, at now (ms).
 * Database errors. */
lc_err signin_throttle_check(struct core *core, const struct session_settings *st, int64_t user_id,
    const char *email, int email_ok, const char *client, int64_t now, struct signin_subject *s,
    unsigned *retry_after);

/* signin_throttle_failed counts a wrong guess under s at now and forgets guesses older than
 * a day. Database errors. */
lc_err signin_throttle_failed(struct core *core, const struct signin_subject *s, int64_t now);

/* signin_throttle_passed forgets the client's wrong guesses at the account after a
 * sign-in that succeeded (the client-wide count keeps its window). Database errors. */
lc_err signin_throttle_passed(struct core *core, const struct signin_subject *s);

#endif
