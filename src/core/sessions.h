/* sessions.h: signing in to the pages and staying signed in — server-side sessions and
 * their CSRF tokens. Nothing here knows HTTP: cookies, headers and forms are the front's
 * (src/ui/ui_session.c). The wrong-guess throttle is signin_throttle.h's. */
#ifndef LC_SESSIONS_H
#define LC_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "core/secret.h"
#include "util/ids.h"

#define USER_EMAIL_MAX 321 /* 320 bytes and the NUL */

/* Limits the fronts configure ([app] in the configuration). */
struct session_settings {
	unsigned idle_seconds;       /* a session unused this long ends */
	unsigned absolute_seconds;   /* a session ends this long after login, used or not */
	unsigned max_failures_email; /* failed guesses at one account from one client ... */
	unsigned max_failures_ip;    /* ... or from one client address (window), before 429 */
	unsigned failure_window_seconds;
	unsigned backoff_seconds;     /* the wait after max_failures_email; doubles per failure */
	unsigned backoff_max_seconds; /* ... up to this */
};

struct user_session {
	int64_t user_id;
	char user_public[ID_MAX];
	char email[USER_EMAIL_MAX];
	unsigned char csrf_secret[32];
	int64_t created_ms, expires_ms;
};

/* users_login checks email and password and opens a session: its id (secret; only its
 * hash is stored) goes to sid_out. old_sid (may be NULL) is a session the client had,
 * which ends: the id always changes at login. client (may be NULL) names the client
 * address for throttling. Errors: LC_EAUTH for a wrong address or password (the same
 * answer and about the same time either way), LC_EFORBIDDEN when too many failures came
 * for the address or from the client within the window (*retry_after seconds to wait),
 * database errors. Passwords are never logged. */
lc_err users_login(struct core *core, const struct session_settings *st, const char *email,
    const char *password, const char *client, const char *old_sid, char sid_out[USER_SECRET_MAX],
    unsigned *retry_after);

/* sessions_resolve loads the live session with id sid into out and moves its idle
 * deadline (at most once a minute). LC_EAUTH when there is none (unknown, expired, ended,
 * or the user is disabled). */
lc_err sessions_resolve(struct core *core, const struct session_settings *st, const char *sid,
    struct user_session *out);

/* sessions_resolve_in is sessions_resolve and users_principal in one statement, for the
 * pages of the workspace ws_public: the same session checks (limits, deletion, the idle
 * deadline's move), then the user's role there. LC_EAUTH when there is no live session
 * (out, who zeroed). LC_OK with out filled and *member 0 when the user has no role in
 * ws_public or it does not exist (who zeroed, *role 0); with *member 1, who, name
 * (name_len bytes, may be NULL) and *role as users_principal fills them. Database
 * errors. */
lc_err sessions_resolve_in(struct core *core, const struct session_settings *st, const char *sid,
    const char *ws_public, struct user_session *out, struct principal *who, char *name,
    size_t name_len, unsigned *role, int *member);

/* sessions_end ends the session with id sid (unknown ids are fine). */
lc_err sessions_end(struct core *core, const char *sid);

/* csrf_token writes the session's CSRF token (derived from its secret) into out. */
void csrf_token(const struct user_session *s, char out[USER_SECRET_MAX]);
/* csrf_valid is 1 when token is the session's CSRF token (constant-time comparison). */
int csrf_valid(const struct user_session *s, const char *token);

#endif
