/* users.h: people who use the approval pages — users and their role per workspace,
 * one-time set-password links, the workspaces a user sees and the principal a user acts
 * as. Passwords: passwords.h; sessions and CSRF: sessions.h; the sign-in throttle:
 * signin_throttle.h; the reads of the pages (decision log, a prospect's messages):
 * decisions.h. Nothing here knows HTTP: cookies, headers and forms are the front's. */
#ifndef LC_USERS_H
#define LC_USERS_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "core/passwords.h"
#include "core/sessions.h"
#include "util/ids.h"

#define USER_LINK_HOURS 24 /* a set-password link is valid this long, once */

/* Roles per workspace, each with everything of the one before: viewers read, approvers
 * decide, pause and resume campaigns, admins also change the workspace's mailboxes on the
 * pages (docs/mailboxes.md, "The pages and the CLI"). */
enum user_role { ROLE_VIEWER = 0, ROLE_APPROVER = 1, ROLE_ADMIN = 2, ROLE_N };
/* user_role_name: a role as the CLI and the pages name it; "unknown" for any other value. */
const char *user_role_name(unsigned role);
/* user_role_from_name: the role named s ("admin", "approver", "viewer"), or -1. */
int user_role_from_name(const char *s);
/* user_role_approves: the role may decide messages and pause or resume campaigns. */
int user_role_approves(unsigned role);
/* user_role_manages: the role may change the workspace's settings (its mailboxes). */
int user_role_manages(unsigned role);

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

/* users_link_lookup finds the user a live set-password token belongs to and copies the
 * address into email (USER_EMAIL_MAX bytes). Nothing changes. LC_ENOTFOUND when the token
 * is unknown, used or expired. */
lc_err users_link_lookup(struct core *core, const char *token, char email[USER_EMAIL_MAX]);

/* users_link_use sets the password through a set-password token, uses the token up and
 * ends every session of the user. LC_ENOTFOUND as users_link_lookup; LC_EINVAL for a
 * password users_password_ok refuses. */
lc_err users_link_use(struct core *core, const char *token, const char *password);

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

/* users_principal_row fills out, name (name_len bytes; may be NULL) and *role from row 0
 * of r, whose columns from col0 on are store_users.h's UWS_COL_* (a user's membership in
 * one workspace, never NULL there). The one place a role becomes the principal's rights:
 * users_principal and sessions_resolve_in both call it. Cannot fail. */
void users_principal_row(const struct db_rows *r, size_t col0, struct principal *out, char *name,
    size_t name_len, unsigned *role);

/* users_actor writes how decisions made by this user are recorded ("user:<public id>"). */
void users_actor(const struct user_session *s, char *out, size_t len);

#endif
