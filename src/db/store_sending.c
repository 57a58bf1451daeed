/* store_sending.c: policy, idempotency keys, suppressions and the campaign details that
 * sending needs. */
#include <string.h>

#include "db/store_sending.h"
#include "db/store_suppressions.h"
#include "util/ids.h"

lc_err
store_policy_get(struct db *db, int64_t workspace_id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT approve_drafts, approve_send_email, approve_respond, approve_auto_responses, "
	    "approve_follow_ups, max_lateness_hours, track_opens, auto_pause_bounce_permille, "
	    "unsubscribe_suppresses_domain, currency "
	    "FROM workspaces WHERE id = ?";
	struct db_param p[] = {DB_I64(workspace_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_policy_put(struct db *db, int64_t workspace_id, const struct store_policy *p)
{
	/* one statement: a PUT changes the whole policy or nothing */
	static const char sql[] =
	    "UPDATE workspaces SET approve_drafts = ?, approve_send_email = ?, approve_respond = "
	    "?, "
	    "approve_auto_responses = ?, approve_follow_ups = ?, max_lateness_hours = ?, "
	    "track_opens = ?, unsubscribe_suppresses_domain = ?, auto_pause_bounce_permille = ?, "
	    "currency = ? WHERE id = ?";
	struct db_param q[] = {DB_I64(p->flags[0]), DB_I64(p->flags[1]), DB_I64(p->flags[2]),
	    DB_I64(p->flags[3]), DB_I64(p->flags[4]), DB_I64(p->lateness_hours),
	    DB_I64(p->track_opens ? 1 : 0), DB_I64(p->unsubscribe_domain ? 1 : 0),
	    DB_I64(p->bounce_permille), DB_CSTR(p->currency), DB_I64(workspace_id)};

	return db_exec(db, sql, q, 11, NULL, NULL);
}

lc_err
store_idem_claim(struct db *db, int64_t workspace_id, const char *key, const char *cutoff_sql,
    struct db_rows *out)
{
	/* the row lock is the claim: held by a live request's transaction, it is skipped (that
	 * request still runs); it dies with a dead request's connection */
	static const char sql[] =
	    "SELECT request_hash, state, status_code, response_body, created_at < ? "
	    "FROM idempotency_keys WHERE workspace_id = ? AND idem_key = ? FOR UPDATE SKIP LOCKED";
	struct db_param p[] = {DB_CSTR(cutoff_sql), DB_I64(workspace_id), DB_CSTR(key)};

	return db_query(db, sql, p, 3, out);
}

lc_err
store_idem_renew(struct db *db, int64_t workspace_id, const char *key, const unsigned char *hash,
    const char *now_sql)
{
	static const char sql[] = "UPDATE idempotency_keys SET request_hash = ?, state = 0, "
	                          "status_code = NULL, response_body = NULL, created_at = ? "
	                          "WHERE workspace_id = ? AND idem_key = ?";
	struct db_param p[] = {DB_STR((const char *)hash, KEY_HASH_LEN), DB_CSTR(now_sql),
	    DB_I64(workspace_id), DB_CSTR(key)};

	return db_exec(db, sql, p, 4, NULL, NULL);
}

lc_err
store_idem_insert(struct db *db, int64_t workspace_id, const char *key, const unsigned char *hash,
    const char *now_sql)
{
	static const char sql[] = "INSERT INTO idempotency_keys (workspace_id, idem_key, "
	                          "request_hash, state, created_at) VALUES (?, ?, ?, 0, ?)";
	struct db_param p[] = {DB_I64(workspace_id), DB_CSTR(key),
	    DB_STR((const char *)hash, KEY_HASH_LEN), DB_CSTR(now_sql)};

	return db_exec(db, sql, p, 4, NULL, NULL);
}

lc_err
store_idem_delete(struct db *db, int64_t workspace_id, const char *key)
{
	static const char sql[] =
	    "DELETE FROM idempotency_keys WHERE workspace_id = ? AND idem_key = ?";
	struct db_param p[] = {DB_I64(workspace_id), DB_CSTR(key)};

	return db_exec(db, sql, p, 2, NULL, NULL);
}

lc_err
store_idem_finish(
    struct db *db, int64_t workspace_id, const char *key, int status, const char *body, size_t len)
{
	static const char sql[] = "UPDATE idempotency_keys SET state = 1, status_code = ?, "
	                          "response_body = ? WHERE workspace_id = ? AND idem_key = ?";
	struct db_param p[] = {
	    DB_I64(status), DB_STR(body, len), DB_I64(workspace_id), DB_CSTR(key)};

	return db_exec(db, sql, p, 4, NULL, NULL);
}

lc_err
store_suppressed(struct db *db, int64_t workspace_id, const char *email, int *yes)
{
	static const char sql[] = "SELECT " SUPPRESSED_SQL(
	    "w.account_id", "w.id", "?", "?") " FROM workspaces w WHERE w.id = ?";
	struct db_param p[] = {DB_CSTR(email), DB_CSTR(email), DB_I64(workspace_id)};
	struct db_rows r;
	lc_err e;

	if ((e = db_query(db, sql, p, 3, &r)) != LC_OK)
		return e;
	*yes = r.nrows > 0 && db_i64(&r, 0, 0) > 0;
	db_rows_free(&r);
	return LC_OK;
}

lc_err
store_suppress(
    struct db *db, int64_t workspace_id, const char *email, const char *reason, const char *now_sql)
{
	/* the address on the workspace's own list; source from the historical reasons */
	static const char sql[] =
	    "INSERT IGNORE INTO suppressions (account_id, workspace_id, email, kind, reason, "
	    "source, created_by, created_at) SELECT account_id, id, ?, 0, ?, "
	    "IF(? = 'hard_bounce', 'hard_bounce', 'unsubscribe_link'), 'system', ? "
	    "FROM workspaces WHERE id = ?";
	struct db_param p[] = {DB_CSTR(email), DB_CSTR(reason), DB_CSTR(reason), DB_CSTR(now_sql),
	    DB_I64(workspace_id)};

	return db_exec(db, sql, p, 5, NULL, NULL);
}

lc_err
store_follow_up_insert(
    struct db *db, int64_t campaign_id, unsigned step, unsigned after_days, const char *body)
{
	static const char sql[] = "INSERT INTO campaign_follow_ups (campaign_id, step, after_days, "
	                          "body) VALUES (?, ?, ?, ?)";
	struct db_param p[] = {
	    DB_I64(campaign_id), DB_I64(step), DB_I64(after_days), DB_CSTR(body)};

	return db_exec(db, sql, p, 4, NULL, NULL);
}

lc_err
store_follow_up_get(struct db *db, int64_t campaign_id, unsigned step, struct db_rows *out)
{
	static const char sql[] = "SELECT after_days, body FROM campaign_follow_ups "
	                          "WHERE campaign_id = ? AND step = ?";
	struct db_param p[] = {DB_I64(campaign_id), DB_I64(step)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_campaign_auto_response(
    struct db *db, int64_t campaign_id, const char *body, int delay_minutes)
{
	static const char sql[] = "UPDATE campaigns SET auto_response_body = ?, "
	                          "auto_response_delay_minutes = ? WHERE id = ?";
	struct db_param p[] = {DB_CSTR(body), DB_I64(delay_minutes), DB_I64(campaign_id)};

	return db_exec(db, sql, p, 3, NULL, NULL);
}

lc_err
store_campaign_lock(struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT id, status, sender, template_subject, template_body, name, target_url, "
	    "launched_at IS NOT NULL FROM campaigns "
	    "WHERE public_id = ? AND workspace_id = ? FOR UPDATE";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_send_gate_rel(struct db *db, int64_t workspace_id, int64_t campaign_id, const char *public_id,
    struct db_rows *out)
{
	/* the workspace row by its primary key, the relationship by its unique public id; a
	 * relationship not found leaves its columns NULL, and a NULL address counts no entry */
	static const char sql[] = "SELECT w.approve_send_email, w.approve_respond, " SUPPRESSED_SQL(
	    "w.account_id", "w.id", "r.contact_email",
	    "r.contact_email") ", r.id, r.contact_email, "
	                       "r.contact_name FROM workspaces w LEFT JOIN relationships r "
	                       "ON r.public_id = ? AND r.campaign_id = ? WHERE w.id = ?";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(campaign_id), DB_I64(workspace_id)};

	return db_query(db, sql, p, 3, out);
}

lc_err
store_send_gate_addr(struct db *db, int64_t workspace_id, const char *email, struct db_rows *out)
{
	static const char sql[] = "SELECT w.approve_send_email, w.approve_respond, " SUPPRESSED_SQL(
	    "w.account_id", "w.id", "?", "?") " FROM workspaces w WHERE w.id = ?";
	struct db_param p[] = {DB_CSTR(email), DB_CSTR(email), DB_I64(workspace_id)};

	return db_query(db, sql, p, 3, out);
}

lc_err
store_campaign_launched(struct db *db, int64_t workspace_id, const char *public_id, int *yes)
{
	static const char sql[] = "SELECT launched_at IS NOT NULL FROM campaigns "
	                          "WHERE public_id = ? AND workspace_id = ?";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id)};
	struct db_rows r;
	lc_err e;

	if ((e = db_query(db, sql, p, 2, &r)) != LC_OK)
		return e;
	*yes = r.nrows != 1 || db_i64(&r, 0, 0) != 0;
	db_rows_free(&r);
	return LC_OK;
}

lc_err
store_campaign_set_launched(struct db *db, int64_t campaign_id, const char *now_sql)
{
	static const char sql[] = "UPDATE campaigns SET launched_at = ?, updated_at = ? "
	                          "WHERE id = ? AND launched_at IS NULL";
	struct db_param p[] = {DB_CSTR(now_sql), DB_CSTR(now_sql), DB_I64(campaign_id)};

	return db_exec(db, sql, p, 3, NULL, NULL);
}

lc_err
store_rel_undrafted(struct db *db, int64_t campaign_id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT id, domain, contact_name, contact_email FROM relationships "
	    "FORCE INDEX (ix_relationships_campaign) WHERE campaign_id = ? AND drafted_at IS NULL "
	    "ORDER BY created_at, id";
	struct db_param p[] = {DB_I64(campaign_id)};

	return db_query(db, sql, p, 1, out);
}
