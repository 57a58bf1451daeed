/* store_users.h: SQL for users, their workspaces, set-password tokens, sessions, failed
 * logins, and the reads only the approval pages make (decision log, a prospect's
 * messages). Row column orders are the enums below; hashes are 32 bytes. */
#ifndef LC_STORE_USERS_H
#define LC_STORE_USERS_H

#include <stdint.h>
#include "db/db.h"
#include "db/store_window.h"

/* ---- users ---- */
enum { USR_COL_ID, USR_COL_PUBLIC, USR_COL_EMAIL, USR_COL_HASH, USR_COL_DISABLED };
/* store_user_by_email finds a user by address (case-insensitive). */
lc_err store_user_by_email(struct db *db, const char *email, struct db_rows *out);
lc_err store_user_insert(struct db *db, const char *public_id, const char *email,
    const char *password_hash, const char *now_sql, uint64_t *id);
lc_err store_user_set_password(
    struct db *db, int64_t user_id, const char *password_hash, const char *now_sql);
/* store_user_role_put gives the user role in the workspace, replacing an earlier one. */
lc_err store_user_role_put(
    struct db *db, int64_t user_id, int64_t workspace_id, unsigned role, const char *now_sql);

enum { UWS_COL_ID, UWS_COL_PUBLIC, UWS_COL_NAME, UWS_COL_ACCOUNT, UWS_COL_ROLE };
/* store_user_workspaces lists the user's workspaces by name. */
lc_err store_user_workspaces(struct db *db, int64_t user_id, struct db_rows *out);
/* store_user_workspace finds one of them by public id. */
lc_err store_user_workspace(
    struct db *db, int64_t user_id, const char *ws_public, struct db_rows *out);

/* ---- set-password tokens ---- */
lc_err store_token_insert(struct db *db, const unsigned char *hash, int64_t user_id,
    const char *now_sql, const char *expires_sql);
enum { TKN_COL_USER, TKN_COL_EMAIL };
/* store_token_get finds the user of a live token (unused, not expired); lock adds
 * FOR UPDATE. */
lc_err store_token_get(
    struct db *db, const unsigned char *hash, const char *now_sql, int lock, struct db_rows *out);
/* store_token_use marks a live token used; *changed is 0 when it was not live. */
lc_err store_token_use(
    struct db *db, const unsigned char *hash, const char *now_sql, uint64_t *changed);
/* store_token_purge deletes up to 100 tokens that expired before cutoff. */
lc_err store_token_purge(struct db *db, const char *cutoff_sql);

/* ---- sessions ---- */
lc_err store_session_insert(struct db *db, const unsigned char *hash, int64_t user_id,
    const unsigned char *csrf_secret, const char *now_sql, const char *expires_sql);
enum {
	SES_COL_USER,
	SES_COL_USER_PUBLIC,
	SES_COL_EMAIL,
	SES_COL_CSRF,
	SES_COL_CREATED,
	SES_COL_LAST_SEEN,
	SES_COL_EXPIRES,
	SES_COL_N
};
/* store_session_get finds a live session (expires after now) of an enabled user. */
lc_err store_session_get(
    struct db *db, const unsigned char *hash, const char *now_sql, struct db_rows *out);
/* store_session_in_workspace is store_session_get and store_user_workspace in one
 * statement (the pages of a workspace pay the optimizer once, docs/first-reads.md): the
 * session's SES_COL_* columns, then from SES_COL_N on the user's membership in the
 * workspace ws_public as UWS_COL_*, all NULL when the user has no role there or there is
 * no such workspace. No row: no live session. */
lc_err store_session_in_workspace(struct db *db, const unsigned char *hash, const char *now_sql,
    const char *ws_public, struct db_rows *out);
lc_err store_session_touch(
    struct db *db, const unsigned char *hash, const char *now_sql, const char *expires_sql);
lc_err store_session_delete(struct db *db, const unsigned char *hash);
lc_err store_session_delete_user(struct db *db, int64_t user_id);
/* store_session_purge deletes up to 100 sessions that expired before now. */
lc_err store_session_purge(struct db *db, const char *now_sql);

/* ---- failed logins ---- */
/* scope 0 (an address as typed) is no longer written; 2 is one account (or
 * normalised address) guessed at from one client (docs/signin.md) */
enum { LOGIN_SCOPE_EMAIL = 0, LOGIN_SCOPE_CLIENT = 1, LOGIN_SCOPE_ACCOUNT_CLIENT = 2 };
/* store_address_key returns (one row, one binary cell) the collation key of an address
 * under the collation users.email is matched with, trailing spaces dropped: two addresses
 * the user lookup finds equal have the same key. */
lc_err store_address_key(struct db *db, const char *email, struct db_rows *out);
/* store_login_failures returns failed_at of the newest `limit` failures after cutoff. */
lc_err store_login_failures(struct db *db, unsigned scope, const unsigned char *hash,
    const char *cutoff_sql, unsigned limit, struct db_rows *out);
lc_err store_login_failure_add(
    struct db *db, unsigned scope, const unsigned char *hash, const char *now_sql);
lc_err store_login_failures_clear(struct db *db, unsigned scope, const unsigned char *hash);
/* store_login_failures_purge deletes up to 100 failures older than cutoff. */
lc_err store_login_failures_purge(struct db *db, const char *cutoff_sql);

/* ---- reads of the pages ---- */
enum {
	DEC_COL_ID,
	DEC_COL_AT,
	DEC_COL_DECISION,
	DEC_COL_BY,
	DEC_COL_REASON,
	DEC_COL_ED_SUBJECT,
	DEC_COL_ED_BODY,
	DEC_COL_MSG_PUBLIC,
	DEC_COL_SUBJECT,
	DEC_COL_TO,
	DEC_COL_TO_NAME,
	DEC_COL_CAMPAIGN_PUBLIC,
	DEC_COL_CAMPAIGN_NAME,
	DEC_COL_USER_EMAIL
};
/* store_decision_list reads a workspace's decisions newest first, before the cursor
 * position (before_sql NULL: from the newest). */
lc_err store_decision_list(
    struct db *db, int64_t workspace_id, const struct store_window *w, struct db_rows *out);
/* store_decisions_of_message reads one message's decisions, oldest first. */
lc_err store_decisions_of_message(
    struct db *db, int64_t workspace_id, int64_t msg_id, struct db_rows *out);

enum {
	HIST_COL_PUBLIC,
	HIST_COL_KIND,
	HIST_COL_STATUS,
	HIST_COL_SUBJECT,
	HIST_COL_CREATED,
	HIST_COL_SCHEDULE,
	HIST_COL_SENT
};
/* store_msg_of_relationship lists the newest `limit` messages to a relationship. */
lc_err store_msg_of_relationship(struct db *db, int64_t workspace_id, int64_t relationship_id,
    unsigned limit, struct db_rows *out);

#endif
