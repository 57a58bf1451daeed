/* store_counts.c: the kept counts of a workspace, the rows they count, and the statements
 * that set them (store_counts.h). Every read is one workspace's index range: the kept
 * counts by their primary keys or ix_campaigns_ws_created, the rows by
 * ix_relationships_ws_created, ix_campaigns_ws_status, ix_outbound_ws_status (covering:
 * workspace_id, status, created_at, id, kind, campaign_id), ix_inbound_ws (covering:
 * class, campaign_id, relationship_id) and ix_ledger_ws. */
#include <string.h>

#include "db/store_accounts.h"
#include "db/store_counts.h"

/* of_workspace runs a statement whose one parameter is the workspace. */
static lc_err
of_workspace(struct db *db, const char *sql, int64_t ws, struct db_rows *out)
{
	struct db_param p[] = {DB_I64(ws)};

	return db_query(db, sql, p, 1, out);
}

/* kept runs the reader's plain form, or its FOR UPDATE form for a repair. */
static lc_err
kept(struct db *db, const char *const sql[2], int64_t ws, int lock, struct db_rows *out)
{
	return of_workspace(db, sql[lock != 0], ws, out);
}

#define BOTH(select)                                                                               \
	{                                                                                          \
		select, select " FOR UPDATE"                                                       \
	}

lc_err
store_counts_workspaces(struct db *db, int64_t after_id, unsigned limit, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT id, public_id FROM workspaces WHERE id > ? ORDER BY id LIMIT ?";
	struct db_param p[] = {DB_I64(after_id), DB_I64(limit)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_counts_kept_workspace(struct db *db, int64_t ws, int lock, struct db_rows *out)
{
	static const char *const sql[2] =
	    BOTH("SELECT relationships_count, contacted_count, credits_balance, "
	         "credits_reserved FROM workspaces WHERE id = ?");

	return kept(db, sql, ws, lock, out);
}

lc_err
store_counts_kept_totals(struct db *db, int64_t ws, int lock, struct db_rows *out)
{
	static const char *const sql[2] = BOTH("SELECT type, status, n FROM "
	                                       "workspace_campaign_counts WHERE workspace_id = ? "
	                                       "ORDER BY type, status");

	return kept(db, sql, ws, lock, out);
}

lc_err
store_counts_kept_campaigns(struct db *db, int64_t ws, int lock, struct db_rows *out)
{
	static const char *const sql[2] = BOTH(
	    "SELECT id, public_id, drafts_count, sent_count, delivered_count, opened_count, "
	    "replied_count, pending_approvals FROM campaigns FORCE INDEX (ix_campaigns_ws_created) "
	    "WHERE workspace_id = ? ORDER BY id");

	return kept(db, sql, ws, lock, out);
}

lc_err
store_counts_kept_waiting(struct db *db, int64_t ws, int lock, struct db_rows *out)
{
	static const char *const sql[2] = BOTH("SELECT campaign_id, kind, n FROM approval_waiting "
	                                       "WHERE workspace_id = ? ORDER BY campaign_id, kind");

	return kept(db, sql, ws, lock, out);
}

lc_err
store_counts_kept_inbound(struct db *db, int64_t ws, int lock, struct db_rows *out)
{
	static const char *const sql[2] =
	    BOTH("SELECT campaign_id, klass * 2 + matched, n FROM inbound_counts "
	         "WHERE workspace_id = ? ORDER BY campaign_id, klass, matched");

	return kept(db, sql, ws, lock, out);
}

lc_err
store_counts_of_relationships(struct db *db, int64_t ws, struct db_rows *out)
{
	/* sent (3) and opened (4) are the statuses contacted_count counts (migration 011) */
	static const char sql[] =
	    "SELECT campaign_id, funnel, status IN (3, 4) AS contacted, COUNT(*) FROM "
	    "relationships "
	    "FORCE INDEX (ix_relationships_ws_created) WHERE workspace_id = ? "
	    "GROUP BY campaign_id, funnel, contacted ORDER BY campaign_id";
	return of_workspace(db, sql, ws, out);
}

lc_err
store_counts_of_campaigns(struct db *db, int64_t ws, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT type, status, COUNT(*) FROM campaigns FORCE INDEX (ix_campaigns_ws_status) "
	    "WHERE workspace_id = ? GROUP BY type, status ORDER BY type, status";
	return of_workspace(db, sql, ws, out);
}

lc_err
store_counts_of_waiting(struct db *db, int64_t ws, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT campaign_id, kind, COUNT(*) FROM outbound_messages "
	    "FORCE INDEX (ix_outbound_ws_status) WHERE workspace_id = ? AND status = 0 "
	    "GROUP BY campaign_id, kind ORDER BY campaign_id, kind";
	return of_workspace(db, sql, ws, out);
}

lc_err
store_counts_of_inbound(struct db *db, int64_t ws, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT COALESCE(campaign_id, 0) AS c, klass * 2 + (relationship_id IS NOT NULL) AS k, "
	    "COUNT(*) FROM inbound_messages FORCE INDEX (ix_inbound_ws) WHERE workspace_id = ? "
	    "GROUP BY c, k ORDER BY c, k";
	return of_workspace(db, sql, ws, out);
}

lc_err
store_counts_of_ledger(struct db *db, int64_t ws, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT COALESCE(SUM(delta_balance), 0), COALESCE(SUM(delta_reserved), 0) "
	    "FROM credit_ledger FORCE INDEX (ix_ledger_ws) WHERE workspace_id = ?";
	return of_workspace(db, sql, ws, out);
}

lc_err
store_counts_set_workspace(struct db *db, int64_t ws, const int64_t v[4])
{
	static const char sql[] =
	    "UPDATE workspaces SET relationships_count = ?, contacted_count = ?, "
	    "credits_balance = ?, credits_reserved = ?, " WS_VERSION_MOVE_SQL " WHERE id = ?";
	struct db_param p[] = {DB_I64(v[0]), DB_I64(v[1]), DB_I64(v[2]), DB_I64(v[3]), DB_I64(ws)};

	return db_exec(db, sql, p, 5, NULL, NULL);
}

lc_err
store_counts_set_total(struct db *db, int64_t ws, unsigned type, unsigned status, int64_t n)
{
	static const char sql[] = "INSERT INTO workspace_campaign_counts (workspace_id, type, "
	                          "status, n) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE n = "
	                          "VALUES(n)";
	struct db_param p[] = {DB_I64(ws), DB_I64(type), DB_I64(status), DB_I64(n)};

	return db_exec(db, sql, p, 4, NULL, NULL);
}

lc_err
store_counts_set_campaign(struct db *db, int64_t campaign_id, const int64_t v[6])
{
	static const char sql[] =
	    "UPDATE campaigns SET drafts_count = ?, sent_count = ?, delivered_count = ?, "
	    "opened_count = ?, replied_count = ?, pending_approvals = ? WHERE id = ?";
	struct db_param p[] = {DB_I64(v[0]), DB_I64(v[1]), DB_I64(v[2]), DB_I64(v[3]), DB_I64(v[4]),
	    DB_I64(v[5]), DB_I64(campaign_id)};

	return db_exec(db, sql, p, 7, NULL, NULL);
}

lc_err
store_counts_set_waiting(struct db *db, int64_t ws, int64_t campaign_id, unsigned kind, int64_t n)
{
	static const char sql[] =
	    "INSERT INTO approval_waiting (workspace_id, campaign_id, kind, n) "
	    "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE n = VALUES(n)";
	struct db_param p[] = {DB_I64(ws), DB_I64(campaign_id), DB_I64(kind), DB_I64(n)};

	return db_exec(db, sql, p, 4, NULL, NULL);
}

lc_err
store_counts_set_inbound(
    struct db *db, int64_t ws, int64_t campaign_id, unsigned class_matched, int64_t n)
{
	static const char sql[] =
	    "INSERT INTO inbound_counts (workspace_id, campaign_id, klass, matched, n) "
	    "VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE n = VALUES(n)";
	struct db_param p[] = {DB_I64(ws), DB_I64(campaign_id), DB_I64(class_matched / 2),
	    DB_I64(class_matched % 2), DB_I64(n)};

	return db_exec(db, sql, p, 5, NULL, NULL);
}
