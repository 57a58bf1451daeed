/* store_notify.c: approver notifications, gathered per workspace (store_notify.h). A claim
 * names its rows in one JSON parameter read by JSON_TABLE, so that each statement has one
 * text for any number of rows and meets each row by its primary key. */
#include <string.h>

#include "db/store_notify.h"
#include "util/buf.h"

#define NOTIFY_JSON_MAX (STORE_NOTIFY_BATCH_MAX * 24 + 2)

static lc_err ids_json(const int64_t *, size_t, struct buf *);

/* ids_json writes ids[0..n) as a JSON array of numbers into b (initialised by the
 * caller, who frees it). LC_EINVAL for no ids or too many. */
static lc_err
ids_json(const int64_t *ids, size_t n, struct buf *b)
{
	size_t i;
	lc_err e;

	if (n == 0 || n > STORE_NOTIFY_BATCH_MAX)
		return LC_EINVAL;
	e = buf_puts(b, "[");
	for (i = 0; i < n && e == LC_OK; i++)
		e = buf_printf(b, "%s%lld", i ? "," : "", (long long)ids[i]);
	return e == LC_OK ? buf_puts(b, "]") : e;
}

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
store_notify_due_workspaces(struct db *db, const char *now_sql, unsigned limit, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT n.workspace_id, COALESCE(g.next_at, ''), COALESCE(g.next_at > ?, 0) "
	    "FROM approval_notifications n "
	    "LEFT JOIN approval_notify_gates g ON g.workspace_id = n.workspace_id "
	    "WHERE n.status = 0 AND n.due_at <= ? ORDER BY n.due_at, n.id LIMIT ?";
	struct db_param p[] = {DB_CSTR(now_sql), DB_CSTR(now_sql), DB_I64(limit)};

	return db_query(db, sql, p, 3, out);
}

lc_err
store_notify_gate_lock(
    struct db *db, int64_t workspace_id, const char *now_sql, struct db_rows *out)
{
	/* the upsert takes the row's lock whether it made the row or found it: two workers
	 * that both found no row would otherwise both mail the workspace */
	static const char make[] =
	    "INSERT INTO approval_notify_gates (workspace_id, next_at) VALUES (?, ?) "
	    "ON DUPLICATE KEY UPDATE workspace_id = workspace_id";
	static const char read[] = "SELECT next_at, next_at > ? FROM approval_notify_gates "
	                           "WHERE workspace_id = ? FOR UPDATE";
	struct db_param pm[] = {DB_I64(workspace_id), DB_CSTR(now_sql)};
	struct db_param pr[] = {DB_CSTR(now_sql), DB_I64(workspace_id)};
	lc_err e;

	if ((e = db_exec(db, make, pm, 2, NULL, NULL)) != LC_OK)
		return e;
	return db_query(db, read, pr, 2, out);
}

lc_err
store_notify_gate_set(
    struct db *db, int64_t workspace_id, const char *next_sql, const char *now_sql)
{
	static const char sql[] =
	    "UPDATE approval_notify_gates SET next_at = ?, last_at = ? WHERE workspace_id = ?";
	struct db_param p[] = {DB_CSTR(next_sql), DB_CSTR(now_sql), DB_I64(workspace_id)};

	return db_exec(db, sql, p, 3, NULL, NULL);
}

lc_err
store_notify_postpone(struct db *db, int64_t workspace_id, const char *next_sql)
{
	static const char sql[] = "UPDATE approval_notifications SET due_at = ? "
	                          "WHERE workspace_id = ? AND status = 0 AND due_at < ?";
	struct db_param p[] = {DB_CSTR(next_sql), DB_I64(workspace_id), DB_CSTR(next_sql)};

	return db_exec(db, sql, p, 3, NULL, NULL);
}

lc_err
store_notify_pending(
    struct db *db, int64_t workspace_id, const char *now_sql, unsigned limit, struct db_rows *out)
{
	/* outer joins: a notification whose message (or campaign) is gone must still be read,
	 * to be closed, or it would stay due for ever */
	static const char sql[] =
	    "SELECT n.id, n.attempts, COALESCE(m.status, 255), COALESCE(w.public_id, ''), "
	    "COALESCE(w.name, ''), COALESCE(m.public_id, ''), COALESCE(m.kind, 0), "
	    "COALESCE(m.to_email, ''), COALESCE(m.subject, ''), COALESCE(LEFT(m.body, 601), ''), "
	    "COALESCE(c.name, '') FROM approval_notifications n "
	    "LEFT JOIN workspaces w ON w.id = n.workspace_id "
	    "LEFT JOIN outbound_messages m ON m.id = n.message_id "
	    "LEFT JOIN campaigns c ON c.id = m.campaign_id "
	    "WHERE n.workspace_id = ? AND n.status = 0 AND n.due_at <= ? ORDER BY n.id LIMIT ?";
	struct db_param p[] = {DB_I64(workspace_id), DB_CSTR(now_sql), DB_I64(limit)};

	return db_query(db, sql, p, 3, out);
}

lc_err
store_notify_claim(struct db *db, const int64_t *ids, size_t n, const char *lease_sql)
{
	/* status = 0 guards the claim: on a Galera cluster the gate's lock is local to one
	 * node, and a row another node claimed first must change nothing here */
	static const char sql[] =
	    "UPDATE approval_notifications a JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT "
	    "UNSIGNED PATH '$')) j ON a.id = j.id SET a.status = 1, a.attempts = a.attempts + 1, "
	    "a.lease_expires_at = ? WHERE a.status = 0";
	uint64_t changed = 0;
	struct buf b;
	lc_err e;

	buf_init(&b, NOTIFY_JSON_MAX);
	if ((e = ids_json(ids, n, &b)) == LC_OK) {
		struct db_param p[] = {DB_STR(b.data, b.len), DB_CSTR(lease_sql)};
		e = db_exec(db, sql, p, 2, &changed, NULL);
	}
	buf_free(&b);
	if (e != LC_OK)
		return e;
	return changed == n ? LC_OK : LC_ERETRY;
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
store_notify_done(struct db *db, const int64_t *ids, size_t n, unsigned status, const char *due_sql,
    const char *error, const char *now_sql)
{
	static const char sql[] =
	    "UPDATE approval_notifications a JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT "
	    "UNSIGNED PATH '$')) j ON a.id = j.id SET a.status = ?, "
	    "a.due_at = COALESCE(?, a.due_at), a.last_error = ?, a.lease_expires_at = NULL, "
	    "a.sent_at = IF(? = 2, ?, a.sent_at)";
	struct buf b;
	lc_err e;

	buf_init(&b, NOTIFY_JSON_MAX);
	if ((e = ids_json(ids, n, &b)) == LC_OK) {
		struct db_param p[] = {DB_STR(b.data, b.len), DB_I64(status),
		    due_sql ? DB_CSTR(due_sql) : DB_NULL, error ? DB_CSTR(error) : DB_NULL,
		    DB_I64(status), DB_CSTR(now_sql)};
		e = db_exec(db, sql, p, 6, NULL, NULL);
	}
	buf_free(&b);
	return e;
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
