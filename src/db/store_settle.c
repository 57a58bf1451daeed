/* store_settle.c: settling a campaign's messages in batches (sql/030_campaign_settle.sql). */
#include <string.h>

#include "db/store_credits.h"
#include "db/store_settle.h"

lc_err
store_settle_arm(struct db *db, int64_t campaign_id, int64_t workspace_id, const char *now_sql)
{
	static const char sql[] =
	    "INSERT INTO campaign_settle (campaign_id, workspace_id, due_at, created_at) "
	    "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE due_at = VALUES(due_at)";
	struct db_param p[] = {
	    DB_I64(campaign_id), DB_I64(workspace_id), DB_CSTR(now_sql), DB_CSTR(now_sql)};

	return db_exec(db, sql, p, 4, NULL, NULL);
}

lc_err
store_settle_next(struct db *db, const char *now_sql, struct db_rows *out)
{
	static const char sql[] = "SELECT campaign_id, workspace_id FROM campaign_settle "
	                          "WHERE due_at <= ? ORDER BY due_at, campaign_id LIMIT 1";
	struct db_param p[] = {DB_CSTR(now_sql)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_settle_lock(struct db *db, int64_t campaign_id, struct db_rows *out)
{
	static const char sql[] = "SELECT campaign_id FROM campaign_settle "
	                          "WHERE campaign_id = ? FOR UPDATE SKIP LOCKED";
	struct db_param p[] = {DB_I64(campaign_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_settle_again(struct db *db, int64_t campaign_id, const char *due_sql)
{
	static const char sql[] =
	    "UPDATE campaign_settle SET due_at = ?, batches = batches + 1 WHERE campaign_id = ?";
	struct db_param p[] = {DB_CSTR(due_sql), DB_I64(campaign_id)};

	return db_exec(db, sql, p, 2, NULL, NULL);
}

lc_err
store_settle_done(struct db *db, int64_t campaign_id)
{
	static const char sql[] = "DELETE FROM campaign_settle WHERE campaign_id = ?";
	struct db_param p[] = {DB_I64(campaign_id)};

	return db_exec(db, sql, p, 1, NULL, NULL);
}

lc_err
store_campaign_status_lock(struct db *db, int64_t campaign_id, struct db_rows *out)
{
	static const char sql[] = "SELECT status FROM campaigns WHERE id = ? FOR UPDATE";
	struct db_param p[] = {DB_I64(campaign_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_msg_open_batch(
    struct db *db, int64_t campaign_id, unsigned status, unsigned limit, struct db_rows *out)
{
	/* ix_outbound_campaign (campaign_id, status) ends in the primary key: one range, in
	 * id order, that stops after limit rows and locks only those */
	static const char sql[] =
	    "SELECT id FROM outbound_messages FORCE INDEX (ix_outbound_campaign) "
	    "WHERE campaign_id = ? AND status = ? ORDER BY id LIMIT ? FOR UPDATE";
	struct db_param p[] = {DB_I64(campaign_id), DB_I64(status), DB_I64(limit)};

	return db_query(db, sql, p, 3, out);
}

lc_err
store_msg_move_batch(struct db *db, int64_t campaign_id, unsigned from, unsigned to, unsigned limit,
    const char *now_sql, uint64_t *n)
{
	/* the same range as store_msg_open_batch; named, because with few rows MariaDB chose
	 * ix_outbound_lease and a filesort over the whole status for this statement */
	static const char sql[] = "UPDATE outbound_messages FORCE INDEX (ix_outbound_campaign) "
	                          "SET status = ?, held_reason = NULL, next_slot_at = NULL, "
	                          "updated_at = ? "
	                          "WHERE campaign_id = ? AND status = ? ORDER BY id LIMIT ?";
	struct db_param p[] = {
	    DB_I64(to), DB_CSTR(now_sql), DB_I64(campaign_id), DB_I64(from), DB_I64(limit)};

	if (from == 0 || to == 0)
		return LC_EINVAL;
	return db_exec(db, sql, p, 5, n, NULL);
}

lc_err
store_credit_release_row(
    struct db *db, int64_t workspace_id, int64_t amount, int64_t msg_id, const char *now_sql)
{
	static const char sql[] =
	    "INSERT INTO credit_ledger (workspace_id, kind, delta_balance, delta_reserved, "
	    "message_id, note, created_at) VALUES (?, ?, 0, ?, ?, NULL, ?)";
	struct db_param p[] = {DB_I64(workspace_id), DB_I64(CREDIT_RELEASE), DB_I64(-amount),
	    DB_I64(msg_id), DB_CSTR(now_sql)};

	if (amount <= 0)
		return LC_EINVAL;
	return db_exec(db, sql, p, 5, NULL, NULL);
}

lc_err
store_credit_release_sum(struct db *db, int64_t workspace_id, int64_t total, int *ok)
{
	static const char sql[] =
	    "UPDATE workspaces SET credits_reserved = credits_reserved - ? WHERE id = ?";
	struct db_param p[] = {DB_I64(total), DB_I64(workspace_id)};
	uint64_t n = 0;
	lc_err e;

	*ok = 0;
	if (total <= 0)
		return LC_EINVAL;
	if ((e = db_exec(db, sql, p, 2, &n, NULL)) != LC_OK)
		return e;
	*ok = n == 1;
	return LC_OK;
}
