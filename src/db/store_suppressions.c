/* store_suppressions.c: the do-not-email list (store_suppressions.h). */
#include <string.h>

#include "db/store_suppressions.h"

#define SUP_SELECT                                                                                 \
	"SELECT s.email, s.kind, s.workspace_id, s.reason, s.source, s.created_by, "               \
	"s.created_at, w.public_id, s.id FROM suppressions s "                                     \
	"LEFT JOIN workspaces w ON w.id = s.workspace_id "

lc_err
store_suppression_insert(struct db *db, const struct store_suppression_new *n, int *created)
{
	static const char sql[] =
	    "INSERT IGNORE INTO suppressions (account_id, workspace_id, email, kind, reason, "
	    "source, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	struct db_param p[] = {DB_I64(n->account_id), DB_I64(n->workspace_id), DB_CSTR(n->value),
	    DB_I64(n->kind), DB_CSTR(n->reason), DB_CSTR(n->source), DB_CSTR(n->created_by),
	    DB_CSTR(n->now_sql)};
	uint64_t affected = 0;
	lc_err e;

	e = db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), &affected, NULL);
	*created = e == LC_OK && affected == 1;
	return e;
}

lc_err
store_suppression_get(
    struct db *db, int64_t account_id, int64_t workspace_id, const char *value, struct db_rows *out)
{
	static const char sql[] =
	    SUP_SELECT "WHERE s.account_id = ? AND s.email = ? AND s.workspace_id = ?";
	struct db_param p[] = {DB_I64(account_id), DB_CSTR(value), DB_I64(workspace_id)};

	return db_query(db, sql, p, 3, out);
}

lc_err
store_suppression_delete(
    struct db *db, int64_t account_id, int64_t workspace_id, const char *value, int *deleted)
{
	static const char sql[] = "DELETE FROM suppressions WHERE account_id = ? AND email = ? "
	                          "AND workspace_id = ?";
	struct db_param p[] = {DB_I64(account_id), DB_CSTR(value), DB_I64(workspace_id)};
	uint64_t affected = 0;
	lc_err e;

	e = db_exec(db, sql, p, 3, &affected, NULL);
	*deleted = e == LC_OK && affected > 0;
	return e;
}

lc_err
store_suppression_list(struct db *db, const struct store_suppression_filter *f, struct db_rows *out)
{
	/* Each list is its own range of ix_suppressions_list; UNION ALL of the two ranges,
	 * each already cut at the limit, keeps the read bounded whatever the lists hold. */
#define SUP_PAGE                                                                                   \
	SUP_SELECT "WHERE s.account_id = ? AND s.workspace_id = ? "                                \
	           "AND (s.created_at < ? OR (s.created_at = ? AND s.id < ?)) "                    \
	           "ORDER BY s.created_at DESC, s.id DESC LIMIT ?"
	static const char sql[] = "(" SUP_PAGE ") UNION ALL (" SUP_PAGE ") "
	                          "ORDER BY 7 DESC, 9 DESC LIMIT ?";
#undef SUP_PAGE
	const char *before = f->w.before_sql ? f->w.before_sql : "9999-12-31 23:59:59.999";
	int64_t before_id = f->w.before_sql ? f->w.before_id : INT64_MAX;
	/* a list left out reads workspace -1: no row has it */
	int64_t ws = f->scope == 1 ? -1 : f->workspace_id, acct = f->scope == 0 ? -1 : 0;
	struct db_param p[] = {DB_I64(f->account_id), DB_I64(ws), DB_CSTR(before), DB_CSTR(before),
	    DB_I64(before_id), DB_I64(f->w.limit), DB_I64(f->account_id), DB_I64(acct),
	    DB_CSTR(before), DB_CSTR(before), DB_I64(before_id), DB_I64(f->w.limit),
	    DB_I64(f->w.limit)};

	return db_query(db, sql, p, sizeof(p) / sizeof(p[0]), out);
}

lc_err
store_suppression_policy(struct db *db, int64_t workspace_id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT account_id, unsubscribe_suppresses_domain FROM workspaces WHERE id = ?";
	struct db_param p[] = {DB_I64(workspace_id)};

	return db_query(db, sql, p, 1, out);
}
