/* store_mailboxes.c: SQL for sender mailboxes, campaign_mailboxes, the routing of messages to
 * mailboxes and mailbox tests (sql/040_mailboxes.sql). */
#include <string.h>

#include "db/store_mailboxes.h"

/* A mailbox's sends today: messages routed to it since the day's start, one range of
 * ix_outbound_mailbox (mailbox_id, mailbox_at). */
#define MBX_SELECT                                                                                 \
	"SELECT b.id, b.public_id, b.workspace_id, b.from_name, b.from_address, b.reply_to, "      \
	"b.smtp_host, b.smtp_port, b.security, b.username, b.password_box, b.daily_cap, "          \
	"b.status, b.paused_reason, b.paused_at, b.created_at, b.updated_at, "                     \
	"(SELECT COUNT(*) FROM outbound_messages o WHERE o.mailbox_id = b.id "                     \
	"AND o.mailbox_at >= ?), b.window_days, b.window_start, b.window_end, b.time_zone, "       \
	"b.warmup_start, b.warmup_step, b.warmup_from, b.min_gap_seconds, b.jitter_seconds, "      \
	"b.pace_day, b.pace_count, b.next_send_at, b.plus_reply_to FROM mailboxes b "

lc_err
store_mailbox_count_lock(struct db *db, int64_t workspace_id, unsigned *count)
{
	static const char sql[] = "SELECT id FROM mailboxes WHERE workspace_id = ? AND status IN "
	                          "(0, 1) FOR UPDATE";
	struct db_param p[] = {DB_I64(workspace_id)};

	return db_count_rows(db, sql, p, 1, count);
}

lc_err
store_mailbox_insert(struct db *db, const struct store_mailbox *m, const char *now_sql)
{
	static const char sql[] =
	    "INSERT INTO mailboxes (public_id, workspace_id, from_name, from_address, reply_to, "
	    "smtp_host, smtp_port, security, username, password_box, daily_cap, status, "
	    "window_days, window_start, window_end, time_zone, warmup_start, warmup_step, "
	    "min_gap_seconds, jitter_seconds, created_at, updated_at, plus_reply_to) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct db_param p[] = {DB_CSTR(m->public_id), DB_I64(m->workspace_id),
	    DB_CSTR(m->from_name), DB_CSTR(m->from_address),
	    m->reply_to ? DB_CSTR(m->reply_to) : DB_NULL, DB_CSTR(m->host), DB_I64(m->port),
	    DB_I64(m->security), DB_CSTR(m->username),
	    DB_STR((const char *)m->password_box, m->box_len), DB_I64(m->daily_cap),
	    DB_I64(m->days), DB_I64(m->start_min), DB_I64(m->end_min), DB_CSTR(m->time_zone),
	    DB_I64(m->warmup_start), DB_I64(m->warmup_step), DB_I64(m->gap_s), DB_I64(m->jitter_s),
	    DB_CSTR(now_sql), DB_CSTR(now_sql), DB_I64(m->plus_reply_to ? 1 : 0)};

	if (m->password_box == NULL)
		return LC_EINVAL;
	return db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), NULL, NULL);
}

lc_err
store_mailbox_update(struct db *db, int64_t id, const struct store_mailbox *m, const char *now_sql)
{
	static const char sql[] =
	    "UPDATE mailboxes SET from_name = ?, from_address = ?, reply_to = ?, smtp_host = ?, "
	    "smtp_port = ?, security = ?, username = ?, password_box = COALESCE(?, password_box), "
	    "daily_cap = ?, window_days = ?, window_start = ?, window_end = ?, time_zone = ?, "
	    "warmup_from = IF(warmup_start = ?, warmup_from, NULL), warmup_start = ?, "
	    "warmup_step = ?, min_gap_seconds = ?, jitter_seconds = ?, updated_at = ?, "
	    "plus_reply_to = ? WHERE id = ?";
	struct db_param p[] = {DB_CSTR(m->from_name), DB_CSTR(m->from_address),
	    m->reply_to ? DB_CSTR(m->reply_to) : DB_NULL, DB_CSTR(m->host), DB_I64(m->port),
	    DB_I64(m->security), DB_CSTR(m->username),
	    m->password_box ? DB_STR((const char *)m->password_box, m->box_len) : DB_NULL,
	    DB_I64(m->daily_cap), DB_I64(m->days), DB_I64(m->start_min), DB_I64(m->end_min),
	    DB_CSTR(m->time_zone), DB_I64(m->warmup_start), DB_I64(m->warmup_start),
	    DB_I64(m->warmup_step), DB_I64(m->gap_s), DB_I64(m->jitter_s), DB_CSTR(now_sql),
	    DB_I64(m->plus_reply_to ? 1 : 0), DB_I64(id)};

	return db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), NULL, NULL);
}

lc_err
store_mailbox_list(
    struct db *db, int64_t workspace_id, const char *day_start_sql, struct db_rows *out)
{
	static const char sql[] = MBX_SELECT "WHERE b.workspace_id = ? AND b.status IN (0, 1) "
	                                     "ORDER BY b.created_at DESC, b.id DESC";
	struct db_param p[] = {DB_CSTR(day_start_sql), DB_I64(workspace_id)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_mailbox_find(struct db *db, int64_t workspace_id, const char *public_id, int lock,
    const char *day_start_sql, struct db_rows *out)
{
	static const char sql[] = MBX_SELECT "WHERE b.public_id = ? AND b.workspace_id = ? "
	                                     "AND b.status IN (0, 1)";
	static const char lock_sql[] = MBX_SELECT "WHERE b.public_id = ? AND b.workspace_id = ? "
	                                          "AND b.status IN (0, 1) FOR UPDATE";
	struct db_param p[] = {DB_CSTR(day_start_sql), DB_CSTR(public_id), DB_I64(workspace_id)};

	return db_query(db, lock ? lock_sql : sql, p, 3, out);
}

lc_err
store_mailbox_by_id(struct db *db, int64_t id, const char *day_start_sql, struct db_rows *out)
{
	static const char sql[] = MBX_SELECT "WHERE b.id = ?";
	struct db_param p[] = {DB_CSTR(day_start_sql), DB_I64(id)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_mailbox_set_status(struct db *db, int64_t id, unsigned status, const char *reason,
    const char *now_sql, uint64_t *changed)
{
	static const char sql[] =
	    "UPDATE mailboxes SET status = ?, paused_reason = ?, "
	    "paused_at = IF(? = 1, ?, NULL), updated_at = ? WHERE id = ? AND status <> ? "
	    "AND status <> 2";
	struct db_param p[] = {DB_I64(status), reason ? DB_CSTR(reason) : DB_NULL, DB_I64(status),
	    DB_CSTR(now_sql), DB_CSTR(now_sql), DB_I64(id), DB_I64(status)};

	return db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), changed, NULL);
}

lc_err
store_campaign_mailboxes_set(struct db *db, int64_t campaign_id, const int64_t *ids, size_t n)
{
	static const char del_sql[] = "DELETE FROM campaign_mailboxes WHERE campaign_id = ?";
	static const char ins_sql[] =
	    "INSERT IGNORE INTO campaign_mailboxes (campaign_id, mailbox_id) VALUES (?, ?)";
	struct db_param p[] = {DB_I64(campaign_id), DB_NULL};
	size_t i;
	lc_err e;

	if ((e = db_exec(db, del_sql, p, 1, NULL, NULL)) != LC_OK)
		return e;
	for (i = 0; i < n; i++) {
		p[1] = DB_I64(ids[i]);
		if ((e = db_exec(db, ins_sql, p, 2, NULL, NULL)) != LC_OK)
			return e;
	}
	return LC_OK;
}

lc_err
store_campaign_mailboxes_get(struct db *db, int64_t campaign_id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT b.public_id" CAMPAIGN_MAILBOXES_WHERE("?") "ORDER BY" CAMPAIGN_MAILBOXES_ORDER;
	struct db_param p[] = {DB_I64(campaign_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_campaign_mailboxes_drop(struct db *db, int64_t mailbox_id)
{
	static const char sql[] = "DELETE FROM campaign_mailboxes WHERE mailbox_id = ?";
	struct db_param p[] = {DB_I64(mailbox_id)};

	return db_exec(db, sql, p, 1, NULL, NULL);
}

lc_err
store_route_info(struct db *db, int64_t message_id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT COALESCE(m.mailbox_id, 0), COALESCE(r.mailbox_id, 0), "
	    "EXISTS (SELECT 1 FROM campaign_mailboxes cm WHERE cm.campaign_id = m.campaign_id) "
	    "FROM outbound_messages m JOIN relationships r ON r.id = m.relationship_id "
	    "WHERE m.id = ?";
	struct db_param p[] = {DB_I64(message_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_route_pick(struct db *db, int64_t campaign_id, const char *day_start_sql, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT b.id FROM campaign_mailboxes cm JOIN mailboxes b ON b.id = cm.mailbox_id "
	    "WHERE cm.campaign_id = ? AND b.status IN (0, 1) "
	    "ORDER BY b.status, CAST(b.daily_cap AS SIGNED) - (SELECT COUNT(*) FROM "
	    "outbound_messages o WHERE o.mailbox_id = b.id AND o.mailbox_at >= ?) DESC, "
	    "b.routed_total, b.id LIMIT 1 FOR UPDATE";
	struct db_param p[] = {DB_I64(campaign_id), DB_CSTR(day_start_sql)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_route_assign(struct db *db, int64_t message_id, int64_t relationship_id, int64_t mailbox_id,
    int thread, const char *now_sql)
{
	static const char msg_sql[] =
	    "UPDATE outbound_messages SET mailbox_id = ?, mailbox_at = ? WHERE id = ?";
	static const char rel_sql[] = "UPDATE relationships SET mailbox_id = ? WHERE id = ?";
	static const char count_sql[] =
	    "UPDATE mailboxes SET routed_total = routed_total + 1 WHERE id = ?";
	struct db_param pm[] = {DB_I64(mailbox_id), DB_CSTR(now_sql), DB_I64(message_id)};
	struct db_param pr[] = {DB_I64(mailbox_id), DB_I64(relationship_id)};
	struct db_param pc[] = {DB_I64(mailbox_id)};
	lc_err e;

	if ((e = db_exec(db, msg_sql, pm, 3, NULL, NULL)) != LC_OK || !thread)
		return e;
	if ((e = db_exec(db, rel_sql, pr, 2, NULL, NULL)) != LC_OK)
		return e;
	return db_exec(db, count_sql, pc, 1, NULL, NULL);
}

lc_err
store_mailbox_release_held(struct db *db, int64_t mailbox_id, const char *now_sql, uint64_t *n)
{
	/* 8 held -> 1 scheduled, due now; a paused campaign (2) keeps its messages held */
	static const char sql[] =
	    "UPDATE outbound_messages m JOIN campaigns c ON c.id = m.campaign_id "
	    "SET m.status = 1, m.due_at = ?, m.held_reason = NULL, m.next_slot_at = NULL, "
	    "m.updated_at = ? "
	    "WHERE m.mailbox_id = ? AND m.status = 8 AND c.status <> 2";
	struct db_param p[] = {DB_CSTR(now_sql), DB_CSTR(now_sql), DB_I64(mailbox_id)};

	return db_exec(db, sql, p, 3, n, NULL);
}

lc_err
store_mailbox_test_insert(struct db *db, const char *public_id, int64_t mailbox_id,
    int64_t workspace_id, const char *now_sql)
{
	static const char sql[] = "INSERT INTO mailbox_tests (public_id, mailbox_id, workspace_id, "
	                          "state, created_at) VALUES (?, ?, ?, 0, ?)";
	struct db_param p[] = {
	    DB_CSTR(public_id), DB_I64(mailbox_id), DB_I64(workspace_id), DB_CSTR(now_sql)};

	return db_exec(db, sql, p, 4, NULL, NULL);
}

lc_err
store_mailbox_test_get(
    struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out)
{
	static const char sql[] = "SELECT id, public_id, mailbox_id, state, ok, result, created_at "
	                          "FROM mailbox_tests WHERE public_id = ? AND workspace_id = ?";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_mailbox_test_claim(struct db *db, const char *now_sql, struct db_rows *out)
{
	static const char sql[] = "SELECT id, public_id, mailbox_id, state, ok, result, created_at "
	                          "FROM mailbox_tests WHERE state = 0 ORDER BY state, id LIMIT 1 "
	                          "FOR UPDATE SKIP LOCKED";
	/* state = 0 guards the claim (see store_notify_claim) */
	static const char mark_sql[] =
	    "UPDATE mailbox_tests SET state = 1, started_at = ? WHERE id = ? AND state = 0";
	struct db_param p[] = {DB_CSTR(now_sql), DB_NULL};
	uint64_t n = 0;
	lc_err e;

	if ((e = db_query(db, sql, NULL, 0, out)) != LC_OK || out->nrows == 0)
		return e;
	p[1] = DB_I64(db_i64(out, 0, MBT_COL_ID));
	if ((e = db_exec(db, mark_sql, p, 2, &n, NULL)) == LC_OK && n != 1)
		e = LC_ERETRY;
	if (e != LC_OK)
		db_rows_free(out);
	return e;
}

lc_err
store_mailbox_test_finish(
    struct db *db, int64_t id, int ok, const char *result, const char *now_sql)
{
	static const char sql[] = "UPDATE mailbox_tests SET state = 2, ok = ?, result = ?, "
	                          "finished_at = ? WHERE id = ?";
	struct db_param p[] = {DB_I64(ok ? 1 : 0), DB_CSTR(result), DB_CSTR(now_sql), DB_I64(id)};

	return db_exec(db, sql, p, 4, NULL, NULL);
}
