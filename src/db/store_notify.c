/* store_notify.c: approver notifications. */
#include <string.h>

#include "db/store_notify.h"

lc_err
store_notify_insert(struct db *db, int64_t workspace_id, int64_t msg_id, const char *now_sql)
{
	static const char sql[] = "INSERT INTO approval_notifications (workspace_id, message_id, "
	                          "status, due_at, created_at) VALUES (?, ?, 0, ?, ?)";
	struct db_param p[] = {
	    DB_I64(workspace_id), DB_I64(msg_id), DB_CSTR(now_sql), DB_CSTR(now_sql)};

	return db_exec(db, sql, p, 4, NULL, NULL);
}

lc_err
store_notify_due(struct db *db, const char *now_sql, unsigned limit, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT id FROM approval_notifications WHERE status = 0 "
	    "AND due_at <= ? ORDER BY due_at, id LIMIT ? FOR UPDATE SKIP LOCKED";
	struct db_param p[] = {DB_CSTR(now_sql), DB_I64(limit)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_notify_claim(struct db *db, int64_t id, const char *lease_sql)
{
	/* status = 0 guards the claim: on a Galera cluster the due query's lock is local to
	 * one node, and a row another node claimed first must change nothing here */
	static const char sql[] = "UPDATE approval_notifications SET status = 1, "
	                          "attempts = attempts + 1, lease_expires_at = ? "
	                          "WHERE id = ? AND status = 0";
	struct db_param p[] = {DB_CSTR(lease_sql), DB_I64(id)};
	uint64_t n = 0;
	lc_err e;

	if ((e = db_exec(db, sql, p, 2, &n, NULL)) != LC_OK)
		return e;
	return n == 1 ? LC_OK : LC_ERETRY;
}

lc_err
store_notify_get(struct db *db, int64_t id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT n.id, n.workspace_id, w.public_id, m.public_id, m.kind, m.to_email, m.subject, "
	    "m.body, c.name, m.status, n.attempts FROM approval_notifications n "
	    "JOIN workspaces w ON w.id = n.workspace_id "
	    "JOIN outbound_messages m ON m.id = n.message_id "
	    "JOIN campaigns c ON c.id = m.campaign_id WHERE n.id = ?";
	struct db_param p[] = {DB_I64(id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_notify_approvers(struct db *db, int64_t workspace_id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT u.email FROM user_workspaces uw JOIN users u ON u.id = uw.user_id "
	    "WHERE uw.workspace_id = ? AND uw.role = 1 AND u.disabled_at IS NULL "
	    "ORDER BY u.id LIMIT 50";
	struct db_param p[] = {DB_I64(workspace_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_notify_done(struct db *db, int64_t id, unsigned status, const char *due_sql,
    const char *error, const char *now_sql)
{
	static const char sql[] =
	    "UPDATE approval_notifications SET status = ?, due_at = COALESCE(?, due_at), "
	    "last_error = ?, lease_expires_at = NULL, sent_at = IF(? = 2, ?, sent_at) WHERE id = ?";
	struct db_param p[] = {DB_I64(status), due_sql ? DB_CSTR(due_sql) : DB_NULL,
	    error ? DB_CSTR(error) : DB_NULL, DB_I64(status), DB_CSTR(now_sql), DB_I64(id)};

	return db_exec(db, sql, p, 6, NULL, NULL);
}

lc_err
store_notify_reap(struct db *db, const char *now_sql)
{
	static const char sql[] =
	    "UPDATE approval_notifications SET status = 0, "
	    "lease_expires_at = NULL WHERE status = 1 AND lease_expires_at < ?";
	struct db_param p[] = {DB_CSTR(now_sql)};

	return db_exec(db, sql, p, 1, NULL, NULL);
}
