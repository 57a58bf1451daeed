/* store_pacing.c: SQL of mailbox pacing (store_pacing.h, sql/050_pacing.sql). Every
 * statement is a primary-key point read or write: a claim never scans past sends. */
#include <string.h>

#include "db/store_pacing.h"

lc_err
store_pace_lock(struct db *db, int64_t id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT window_days, window_start, window_end, time_zone, daily_cap, warmup_start, "
	    "warmup_step, warmup_from, min_gap_seconds, jitter_seconds, pace_day, pace_count, "
	    "next_send_at, workspace_id FROM mailboxes WHERE id = ? FOR UPDATE";
	struct db_param p[] = {DB_I64(id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_pace_take(struct db *db, int64_t id, int64_t day, unsigned count, const char *now_sql,
    const char *next_send_sql)
{
	static const char sql[] =
	    "UPDATE mailboxes SET pace_day = ?, pace_count = ?, "
	    "warmup_from = IF(warmup_start > 0, COALESCE(warmup_from, ?), warmup_from), "
	    "last_sent_at = ?, next_send_at = ? WHERE id = ?";
	struct db_param p[] = {DB_I64(day), DB_I64(count), DB_I64(day), DB_CSTR(now_sql),
	    DB_CSTR(next_send_sql), DB_I64(id)};

	return db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), NULL, NULL);
}

lc_err
store_domain_sent(
    struct db *db, int64_t workspace_id, const char *domain, const char *hour_sql, unsigned *sent)
{
	static const char sql[] = "SELECT sent FROM domain_sends WHERE workspace_id = ? "
	                          "AND domain = ? AND hour_start = ? FOR UPDATE";
	struct db_param p[] = {DB_I64(workspace_id), DB_CSTR(domain), DB_CSTR(hour_sql)};
	int64_t v;
	lc_err e;

	e = db_query_i64(db, sql, p, 3, &v);
	*sent = (unsigned)v;
	return e;
}

lc_err
store_domain_take(struct db *db, int64_t workspace_id, const char *domain, const char *hour_sql)
{
	static const char sql[] =
	    "INSERT INTO domain_sends (workspace_id, domain, hour_start, sent) VALUES (?, ?, ?, 1) "
	    "ON DUPLICATE KEY UPDATE sent = sent + 1";
	struct db_param p[] = {DB_I64(workspace_id), DB_CSTR(domain), DB_CSTR(hour_sql)};

	return db_exec(db, sql, p, 3, NULL, NULL);
}

lc_err
store_mailbox_refusal(struct db *db, int64_t id, unsigned *count)
{
	static const char upd[] = "UPDATE mailboxes SET policy_refusals = policy_refusals + 1 "
	                          "WHERE id = ?";
	static const char sel[] = "SELECT policy_refusals FROM mailboxes WHERE id = ?";
	struct db_param p[] = {DB_I64(id)};
	int64_t v = 0;
	lc_err e;

	if ((e = db_exec(db, upd, p, 1, NULL, NULL)) == LC_OK)
		e = db_query_i64(db, sel, p, 1, &v);
	*count = (unsigned)v;
	return e;
}

lc_err
store_mailbox_refusals_clear(struct db *db, int64_t id)
{
	static const char sql[] = "UPDATE mailboxes SET policy_refusals = 0 "
	                          "WHERE id = ? AND policy_refusals > 0";
	struct db_param p[] = {DB_I64(id)};

	return db_exec(db, sql, p, 1, NULL, NULL);
}

lc_err
store_campaign_outcomes(struct db *db, int64_t id, unsigned n, int bounce)
{
	/* 1048575: twenty bits */
	static const char sql[] =
	    "UPDATE campaigns SET recent_bounces = ((recent_bounces << ?) | ?) & 1048575, "
	    "recent_sends = LEAST(recent_sends + ?, 20) WHERE id = ?";
	struct db_param p[] = {
	    DB_I64(n > 20 ? 20 : n), DB_I64(bounce ? 1 : 0), DB_I64(n), DB_I64(id)};

	return db_exec(db, sql, p, 4, NULL, NULL);
}

lc_err
store_campaign_health(struct db *db, int64_t id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT BIT_COUNT(c.recent_bounces), c.recent_sends, w.auto_pause_bounce_permille, "
	    "c.status, c.workspace_id, c.public_id FROM campaigns c "
	    "JOIN workspaces w ON w.id = c.workspace_id WHERE c.id = ?";
	struct db_param p[] = {DB_I64(id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_msg_hold(struct db *db, int64_t id, unsigned reason, const char *next_slot_sql,
    const char *error, const char *now_sql, uint64_t *changed)
{
	/* 8 held; from 1 scheduled, 8 held (a new reason or slot), 9 deferred */
	static const char sql[] =
	    "UPDATE outbound_messages SET status = 8, held_reason = ?, next_slot_at = ?, "
	    "due_at = COALESCE(?, due_at), last_error = COALESCE(?, last_error), updated_at = ? "
	    "WHERE id = ? AND status IN (1, 8, 9)";
	struct db_param p[] = {reason ? DB_I64(reason) : DB_NULL,
	    next_slot_sql ? DB_CSTR(next_slot_sql) : DB_NULL,
	    next_slot_sql ? DB_CSTR(next_slot_sql) : DB_NULL, error ? DB_CSTR(error) : DB_NULL,
	    DB_CSTR(now_sql), DB_I64(id)};

	return db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), changed, NULL);
}
