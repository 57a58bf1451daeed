/* store_workspaces.c: an account's workspaces as the agency sees them, with the counters
 * the workspace rows and workspace_campaign_counts already keep. */
#include <string.h>

#include "db/store_workspaces.h"

static const char no_cursor_sql[] = "9999-12-31 23:59:59.999";

/* Served by ix_workspaces_account (account_id, created_at, id); each counter reads the
 * workspace's at most 15 rows of workspace_campaign_counts by primary-key prefix. */
lc_err
store_workspace_page(
    struct db *db, int64_t account_id, const struct store_window *w, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT w.id, w.public_id, w.name, w.created_at, w.credits_balance, "
	    "w.credits_reserved, w.relationships_count, "
	    "(SELECT COALESCE(SUM(c.n), 0) FROM workspace_campaign_counts c "
	    "WHERE c.workspace_id = w.id), "
	    "(SELECT COALESCE(SUM(c.n), 0) FROM workspace_campaign_counts c "
	    "WHERE c.workspace_id = w.id AND c.status = 1) "
	    "FROM workspaces w WHERE w.account_id = ? AND w.created_at <= ? "
	    "AND (w.created_at < ? OR w.id < ?) ORDER BY w.created_at DESC, w.id DESC LIMIT ?";
	const char *before = w->before_sql ? w->before_sql : no_cursor_sql;
	struct db_param p[] = {DB_I64(account_id), DB_CSTR(before), DB_CSTR(before),
	    DB_I64(w->before_sql ? w->before_id : INT64_MAX), DB_I64(w->limit)};

	return db_query(db, sql, p, 5, out);
}

lc_err
store_workspace_count(struct db *db, int64_t account_id, int64_t *n)
{
	static const char sql[] = "SELECT COUNT(*) FROM workspaces WHERE account_id = ?";
	struct db_param p[] = {DB_I64(account_id)};

	return db_query_i64(db, sql, p, 1, n);
}
