/* users.h: people who use the approval pages — users and their role per workspace,
 * one-time set-password links, Argon2id passwords, server-side sessions, CSRF tokens and
 * login throttling — plus the few reads only the pages need (decision log, a prospect's
 * messages). Nothing here knows HTTP: cookies, headers and forms are the front's. */
#ifndef LC_USERS_H
#define LC_USERS_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "util/cursor.h"
#include "util/ids.h"

#define USER_EMAIL_MAX 321     /* 320 bytes and the NUL */
#define USER_SECRET_LEN 43     /* session ids, set-password tokens, CSRF tokens: base64url */
#define USER_SECRET_MAX 48     /* of 32 bytes, 43 characters, and the NUL */
#define USER_PASSWORD_MIN 8    /* characters */
#define USER_PASSWORD_MAX 1024 /* bytes */
#define USER_LINK_HOURS 24     /* a set-password link is valid this long, once */

/* Roles per workspace, each with everything of the one before: viewers read, approvers
 * decide, pause and resume campaigns, admins also change the workspace's mailboxes on the
 * pages (docs/mailboxes.md, "The pages and the CLI"). */
enum user_role { ROLE_VIEWER = 0, ROLE_APPROVER = 1, ROLE_ADMIN = 2, ROLE_N };
const char *user_role_name(unsigned role);
int user_role_from_name(const char *s);
/* user_role_approves: the role may decide messages and pause or resume campaigns. */
int user_role_approves(unsigned role);
/* user_role_manages: the role may change the workspace's settings (its mailboxes). */
int user_role_manages(unsigned role);

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

/* login_backoff says how long (seconds) a client must wait after its newest failed guess at
 * one account, having failed `failures` times (within a day): 0 below `limit`, then base,
 * doubling with each further failure, never more than cap. Pure (docs/signin.md). */
unsigned login_backoff(unsigned failures, unsigned limit, unsigned base, unsigned cap);

/* ---- users (operator actions behind `linkcamp user`) ---- */

/* users_add creates the user named email (or finds it) and gives it role in the workspace
 * ws_public (replacing an earlier role there). password (may be NULL) becomes its
 * password. When link is non-NULL a one-time set-password token valid USER_LINK_HOURS is
 * made and written there (USER_SECRET_MAX bytes; shown once, only its hash is kept).
 * user_out (may be NULL) receives the user's public id; *created (may be NULL) is 1 for a
 * new user. LC_EINVAL for a bad address or password (why, static, says which),
 * LC_ENOTFOUND for an unknown workspace. */
lc_err users_add(struct core *core, const char *email, const char *ws_public, unsigned role,
    const char *password, char *link, char user_out[ID_MAX], int *created, const char **why);

/* users_password_ok is 1 when pw is acceptable as a password (UTF-8, no control
 * characters, USER_PASSWORD_MIN characters up to USER_PASSWORD_MAX bytes). */
int users_password_ok(const char *pw);

/* users_link_lookup finds the user a live set-password token belongs to and copies the
 * address into email (USER_EMAIL_MAX bytes). Nothing changes. LC_ENOTFOUND when the token
 * is unknown, used or expired. */
lc_err users_link_lookup(struct core *core, const char *token, char email[USER_EMAIL_MAX]);

/* users_link_use sets the password through a set-password token, uses the token up and
 * ends every session of the user. LC_ENOTFOUND as users_link_lookup; LC_EINVAL for a
 * password users_password_ok refuses. */
lc_err users_link_use(struct core *core, const char *token, const char *password);

/* ---- sessions ---- */

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

/* sessions_end ends the session with id sid (unknown ids are fine). */
lc_err sessions_end(struct core *core, const char *sid);

/* csrf_token writes the session's CSRF token (derived from its secret) into out. */
void csrf_token(const struct user_session *s, char out[USER_SECRET_MAX]);
/* csrf_valid is 1 when token is the session's CSRF token (constant-time comparison). */
int csrf_valid(const struct user_session *s, const char *token);

/* secret_new writes a new random URL-safe secret (43 characters) into out. */
void secret_new(char out[USER_SECRET_MAX]);
/* secret_equal compares two secrets in constant time for equal lengths; 0 when either is
 * NULL or they differ. */
int secret_equal(const char *a, const char *b);

/* ---- a user's workspaces ---- */

struct user_workspace {
	int64_t id, account_id;
	const char *public_id, *name; /* borrowed from the rows */
	unsigned role;
};
struct user_workspace_list {
	struct db_rows rows;
	struct user_workspace *items;
	size_t n;
};
/* users_workspaces lists the workspaces of a user, by name. Free with
 * user_workspace_list_free. */
lc_err users_workspaces(struct core *core, int64_t user_id, struct user_workspace_list *out);
void user_workspace_list_free(struct user_workspace_list *l);

/* users_principal builds the principal a user acts as in the workspace ws_public
 * (can_approve for approvers), with its name (name_len bytes) and the role.
 * LC_ENOTFOUND when the user has no role there. */
lc_err users_principal(struct core *core, const struct user_session *s, const char *ws_public,
    struct principal *out, char *name, size_t name_len, unsigned *role);

/* users_actor writes how decisions made by this user are recorded ("user:<public id>"). */
void users_actor(const struct user_session *s, char *out, size_t len);

/* ---- what the pages read besides the shared core ---- */

enum decision_kind { DECISION_APPROVED = 0, DECISION_REJECTED, DECISION_RETURNED, DECISION_N };
const char *decision_kind_name(unsigned d);

struct decision_entry {
	int64_t id, at_ms;
	unsigned decision;
	const char *decided_by; /* as recorded */
	const char *user_email; /* the user behind "user:..." or NULL */
	const char *reason;     /* NULL when none */
	int edited_subject, edited_body;
	const char *message_public_id, *subject, *to, *to_name, *campaign_public_id, *campaign_name;
};
struct decision_page {
	struct db_rows rows;
	struct decision_entry *items;
	size_t n;
	int has_next;
	char next_cursor[CURSOR_MAX];
};
/* decisions_list reads the workspace's decision log, newest first (limit 1..200). */
lc_err decisions_list(struct core *core, const struct principal *who, unsigned limit,
    int has_cursor, int64_t cursor_ms, int64_t cursor_id, struct decision_page *page);
/* decisions_of_message reads the decisions on one message (internal id), oldest first. */
lc_err decisions_of_message(
    struct core *core, const struct principal *who, int64_t msg_id, struct decision_page *page);
void decision_page_free(struct decision_page *page);

struct history_entry {
	const char *public_id, *subject; /* borrowed */
	unsigned kind, status;
	int64_t created_ms, schedule_ms, sent_ms; /* < 0: never */
};
struct history {
	struct db_rows rows;
	struct history_entry *items;
	size_t n;
};
/* messages_of_relationship lists the newest (up to limit) outbound messages to one
 * relationship (internal id) of the workspace, oldest first. Free with history_free. */
lc_err messages_of_relationship(struct core *core, const struct principal *who,
    int64_t relationship_id, unsigned limit, struct history *out);
void history_free(struct history *h);

#endif
