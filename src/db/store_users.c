/* store_users.c: users, roles, set-password tokens, sessions, failed logins and the
 * reads of the approval pages. One statement per function; every WHERE is served by an
 * index of sql/003_users.sql or of the tables it reads. */
#include <stdint.h>
#include <string.h>

#include "db/store_users.h"

#define HASH_PARAM(h) DB_STR((const char *)(h), 32)

/* ---- users ---- */

lc_err
store_user_by_email(struct db *db, const char *email, struct db_rows *out)
{
	static const char sql[] = "SELECT id, public_id, email, password_hash, disabled_at "
	                          "FROM users WHERE email = ?";
	struct db_param p[] = {DB_CSTR(email)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_user_insert(struct db *db, const char *public_id, const char *email,
    const char *password_hash, const char *now_sql, uint64_t *id)
{
	static const char sql[] = "INSERT INTO users (public_id, email, password_hash, created_at, "
	                          "updated_at) VALUES (?, ?, ?, ?, ?)";
	struct db_param p[] = {DB_CSTR(public_id), DB_CSTR(email),
	    password_hash ? DB_CSTR(password_hash) : DB_NULL, DB_CSTR(now_sql), DB_CSTR(now_sql)};

	return db_exec(db, sql, p, 5, NULL, id);
}

lc_err
store_user_set_password(
    struct db *db, int64_t user_id, const char *password_hash, const char *now_sql)
{
	static const char sql[] = "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?";
	struct db_param p[] = {DB_CSTR(password_hash), DB_CSTR(now_sql), DB_I64(user_id)};

	return db_exec(db, sql, p, 3, NULL, NULL);
}

lc_err
store_user_role_put(
    struct db *db, int64_t user_id, int64_t workspace_id, unsigned role, const char *now_sql)
{
	static const char sql[] =
	    "INSERT INTO user_workspaces (user_id, workspace_id, role, created_at) "
	    "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE role = VALUES(role)";
	struct db_param p[] = {
	    DB_I64(user_id), DB_I64(workspace_id), DB_I64(role), DB_CSTR(now_sql)};

	return db_exec(db, sql, p, 4, NULL, NULL);
}

lc_err
store_user_workspaces(struct db *db, int64_t user_id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT w.id, w.public_id, w.name, w.account_id, uw.role FROM user_workspaces uw "
	    "JOIN workspaces w ON w.id = uw.workspace_id WHERE uw.user_id = ? "
	    "ORDER BY w.name, w.id LIMIT 500";
	struct db_param p[] = {DB_I64(user_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_user_workspace(struct db *db, int64_t user_id, const char *ws_public, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT w.id, w.public_id, w.name, w.account_id, uw.role FROM workspaces w "
	    "JOIN user_workspaces uw ON uw.workspace_id = w.id AND uw.user_id = ? "
	    "WHERE w.public_id = ?";
	struct db_param p[] = {DB_I64(user_id), DB_CSTR(ws_public)};

	return db_query(db, sql, p, 2, out);
}

/* ---- set-password tokens ---- */

lc_err
store_token_insert(struct db *db, const unsigned char *hash, int64_t user_id, const char *now_sql,
    const char *expires_sql)
{
	static const char sql[] = "INSERT INTO user_tokens (token_hash, user_id, created_at, "
	                          "expires_at) VALUES (?, ?, ?, ?)";
	struct db_param p[] = {
	    HASH_PARAM(hash), DB_I64(user_id), DB_CSTR(now_sql), DB_CSTR(expires_sql)};

	return db_exec(db, sql, p, 4, NULL, NULL);
}

lc_err
store_token_get(
    struct db *db, const unsigned char *hash, const char *now_sql, int lock, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT t.user_id, u.email FROM user_tokens t JOIN users u ON u.id = t.user_id "
	    "WHERE t.token_hash = ? AND t.used_at IS NULL AND t.expires_at > ? "
	    "AND u.disabled_at IS NULL";
	static const char lock_sql[] =
	    "SELECT t.user_id, u.email FROM user_tokens t JOIN users u ON u.id = t.user_id "
	    "WHERE t.token_hash = ? AND t.used_at IS NULL AND t.expires_at > ? "
	    "AND u.disabled_at IS NULL FOR UPDATE";
	struct db_param p[] = {HASH_PARAM(hash), DB_CSTR(now_sql)};

	return db_query(db, lock ? lock_sql : sql, p, 2, out);
}

lc_err
store_token_use(struct db *db, const unsigned char *hash, const char *now_sql, uint64_t *changed)
{
	static const char sql[] = "UPDATE user_tokens SET used_at = ? "
	                          "WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?";
	struct db_param p[] = {DB_CSTR(now_sql), HASH_PARAM(hash), DB_CSTR(now_sql)};

	return db_exec(db, sql, p, 3, changed, NULL);
}

lc_err
store_token_purge(struct db *db, const char *cutoff_sql)
{
	static const char sql[] = "DELETE FROM user_tokens WHERE expires_at < ? LIMIT 100";
	struct db_param p[] = {DB_CSTR(cutoff_sql)};

	return db_exec(db, sql, p, 1, NULL, NULL);
}

/* ---- sessions ---- */

lc_err
store_session_insert(struct db *db, const unsigned char *hash, int64_t user_id,
    const unsigned char *csrf_secret, const char *now_sql, const char *expires_sql)
{
	static const char sql[] =
	    "INSERT INTO sessions (id_hash, user_id, csrf_secret, created_at, last_seen_at, "
	    "expires_at) VALUES (?, ?, ?, ?, ?, ?)";
	struct db_param p[] = {HASH_PARAM(hash), DB_I64(user_id), HASH_PARAM(csrf_secret),
	    DB_CSTR(now_sql), DB_CSTR(now_sql), DB_CSTR(expires_sql)};

	return db_exec(db, sql, p, 6, NULL, NULL);
}

lc_err
store_session_get(
    struct db *db, const unsigned char *hash, const char *now_sql, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT s.user_id, u.public_id, u.email, s.csrf_secret, s.created_at, s.last_seen_at, "
	    "s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id "
	    "WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL";
	struct db_param p[] = {HASH_PARAM(hash), DB_CSTR(now_sql)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_session_in_workspace(struct db *db, const unsigned char *hash, const char *now_sql,
    const char *ws_public, struct db_rows *out)
{
	/* The membership is a LEFT JOIN of the inner join (user_workspaces, workspaces) so
	 * that a live session without a role in the workspace still comes back (a 404 page,
	 * not the login page). Columns as store_session_get's, then store_user_workspace's. */
	static const char sql[] =
	    "SELECT s.user_id, u.public_id, u.email, s.csrf_secret, s.created_at, s.last_seen_at, "
	    "s.expires_at, w.id, w.public_id, w.name, w.account_id, uw.role "
	    "FROM sessions s JOIN users u ON u.id = s.user_id "
	    "LEFT JOIN (workspaces w JOIN user_workspaces uw ON uw.workspace_id = w.id) "
	    "ON w.public_id = ? AND uw.user_id = s.user_id "
	    "WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL";
	struct db_param p[] = {DB_CSTR(ws_public), HASH_PARAM(hash), DB_CSTR(now_sql)};

	return db_query(db, sql, p, 3, out);
}

lc_err
store_session_touch(
    struct db *db, const unsigned char *hash, const char *now_sql, const char *expires_sql)
{
	static const char sql[] =
	    "UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?";
	struct db_param p[] = {DB_CSTR(now_sql), DB_CSTR(expires_sql), HASH_PARAM(hash)};

	return db_exec(db, sql, p, 3, NULL, NULL);
}

lc_err
store_session_delete(struct db *db, const unsigned char *hash)
{
	static const char sql[] = "DELETE FROM sessions WHERE id_hash = ?";
	struct db_param p[] = {HASH_PARAM(hash)};

	return db_exec(db, sql, p, 1, NULL, NULL);
}

lc_err
store_session_delete_user(struct db *db, int64_t user_id)
{
	static const char sql[] = "DELETE FROM sessions WHERE user_id = ?";
	struct db_param p[] = {DB_I64(user_id)};

	return db_exec(db, sql, p, 1, NULL, NULL);
}

lc_err
store_session_purge(struct db *db, const char *now_sql)
{
	static const char sql[] = "DELETE FROM sessions WHERE expires_at < ? LIMIT 100";
	struct db_param p[] = {DB_CSTR(now_sql)};

	return db_exec(db, sql, p, 1, NULL, NULL);
}

/* ---- failed logins ---- */

lc_err
store_login_failures(struct db *db, unsigned scope, const unsigned char *hash,
    const char *cutoff_sql, unsigned limit, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT failed_at FROM login_failures WHERE scope = ? AND subject_hash = ? "
	    "AND failed_at > ? ORDER BY failed_at DESC LIMIT ?";
	struct db_param p[] = {DB_I64(scope), HASH_PARAM(hash), DB_CSTR(cutoff_sql), DB_I64(limit)};

	return db_query(db, sql, p, 4, out);
}

lc_err
store_login_failure_add(
    struct db *db, unsigned scope, const unsigned char *hash, const char *now_sql)
{
	static const char sql[] =
	    "INSERT INTO login_failures (scope, subject_hash, failed_at) VALUES (?, ?, ?)";
	struct db_param p[] = {DB_I64(scope), HASH_PARAM(hash), DB_CSTR(now_sql)};

	return db_exec(db, sql, p, 3, NULL, NULL);
}

lc_err
store_login_failures_clear(struct db *db, unsigned scope, const unsigned char *hash)
{
	static const char sql[] = "DELETE FROM login_failures WHERE scope = ? AND subject_hash = ?";
	struct db_param p[] = {DB_I64(scope), HASH_PARAM(hash)};

	return db_exec(db, sql, p, 2, NULL, NULL);
}

lc_err
store_address_key(struct db *db, const char *email, struct db_rows *out)
{
	/* utf8mb4_unicode_ci is PAD SPACE: comparisons ignore trailing spaces, WEIGHT_STRING
	 * keeps them, so they are trimmed first */
	static const char sql[] =
	    "SELECT WEIGHT_STRING(RTRIM(CONVERT(? USING utf8mb4)) COLLATE utf8mb4_unicode_ci)";
	struct db_param p[] = {DB_CSTR(email)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_login_failures_purge(struct db *db, const char *cutoff_sql)
{
	static const char sql[] = "DELETE FROM login_failures WHERE failed_at < ? LIMIT 100";
	struct db_param p[] = {DB_CSTR(cutoff_sql)};

	return db_exec(db, sql, p, 1, NULL, NULL);
}

/* ---- reads of the pages ---- */

/* Decisions with the message they decided and the user behind "user:<public id>". */
#define DECISION_SELECT                                                                            \
	"SELECT d.id, d.decided_at, d.decision, d.decided_by, d.reason, "                          \
	"d.edited_subject IS NOT NULL, d.edited_body IS NOT NULL, m.public_id, m.subject, "        \
	"m.to_email, m.to_name, c.public_id, c.name, u.email FROM approval_decisions d "           \
	"JOIN outbound_messages m ON m.id = d.message_id "                                         \
	"JOIN campaigns c ON c.id = m.campaign_id "                                                \
	"LEFT JOIN users u ON d.decided_by LIKE 'user:%' AND u.public_id = "                       \
	"SUBSTRING(d.decided_by, 6) "

lc_err
store_decision_list(
    struct db *db, int64_t workspace_id, const struct store_window *w, struct db_rows *out)
{
	static const char sql[] = DECISION_SELECT
	    "WHERE d.workspace_id = ? AND d.decided_at <= ? AND (d.decided_at < ? OR d.id < ?) "
	    "ORDER BY d.decided_at DESC, d.id DESC LIMIT ?";
	const char *before = w->before_sql ? w->before_sql : "9999-12-31 23:59:59.999";
	struct db_param p[] = {DB_I64(workspace_id), DB_CSTR(before), DB_CSTR(before),
	    DB_I64(w->before_sql ? w->before_id : INT64_MAX), DB_I64(w->limit)};

	return db_query(db, sql, p, 5, out);
}

lc_err
store_decisions_of_message(struct db *db, int64_t workspace_id, int64_t msg_id, struct db_rows *out)
{
	static const char sql[] =
	    DECISION_SELECT "WHERE d.message_id = ? AND d.workspace_id = ? ORDER BY d.id LIMIT 100";
	struct db_param p[] = {DB_I64(msg_id), DB_I64(workspace_id)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_msg_of_relationship(struct db *db, int64_t workspace_id, int64_t relationship_id,
    unsigned limit, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT public_id, kind, status, subject, created_at, schedule_at, sent_at "
	    "FROM outbound_messages WHERE relationship_id = ? AND workspace_id = ? "
	    "ORDER BY created_at DESC, id DESC LIMIT ?";
	struct db_param p[] = {DB_I64(relationship_id), DB_I64(workspace_id), DB_I64(limit)};

	return db_query(db, sql, p, 3, out);
}
