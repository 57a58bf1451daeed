/* store_webhooks.c: SQL for webhooks, the webhook outbox and delivery attempts. */
#include <string.h>

#include "db/batch.h"
#include "db/store_batch.h"
#include "db/store_webhooks.h"
#include "util/buf.h"
#include "util/jsonw.h"

#define WH_JSON_MAX 16384
/* The largest record batch: 64 rows, each under 1 KB escaped (an error of 300 bytes, an
 * excerpt of 200, ids, a type and numbers; \u escapes of control bytes at most double
 * the two texts, which the HTTP client has made printable anyway). */
#define WHREC_JSON_MAX (64 * 1536)

lc_err
store_webhook_count_lock(struct db *db, int64_t workspace_id, unsigned *count)
{
	static const char sql[] = "SELECT id FROM webhooks WHERE workspace_id = ? AND status = 0 "
	                          "FOR UPDATE";
	struct db_param p[] = {DB_I64(workspace_id)};

	return db_count_rows(db, sql, p, 1, count);
}

lc_err
store_webhook_insert(struct db *db, const char *public_id, int64_t workspace_id, const char *url,
    const char *description, unsigned events_mask, const char *secret, const char *now_sql)
{
	static const char sql[] =
	    "INSERT INTO webhooks (public_id, workspace_id, url, description, events_mask, secret, "
	    "status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id), DB_CSTR(url),
	    description ? DB_CSTR(description) : DB_NULL, DB_I64(events_mask), DB_CSTR(secret),
	    DB_CSTR(now_sql), DB_CSTR(now_sql)};

	return db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), NULL, NULL);
}

lc_err
store_webhook_list(struct db *db, int64_t workspace_id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT id, public_id, url, description, events_mask, status, disabled_reason, "
	    "created_at, updated_at FROM webhooks WHERE workspace_id = ? AND status IN (0, 1) "
	    "ORDER BY id DESC";
	struct db_param p[] = {DB_I64(workspace_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_webhook_find(struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT id, public_id, url, description, events_mask, status, disabled_reason, "
	    "created_at, updated_at FROM webhooks WHERE public_id = ? AND workspace_id = ? "
	    "AND status IN (0, 1)";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_webhook_set_status(
    struct db *db, int64_t id, unsigned status, const char *reason, const char *now_sql)
{
	static const char sql[] = "UPDATE webhooks SET status = ?, disabled_reason = ?, "
	                          "updated_at = ? WHERE id = ? AND status IN (0, 1)";
	static const char cancel[] = "UPDATE webhook_outbox SET state = 4 "
	                             "WHERE webhook_id = ? AND state = 0";
	struct db_param p[] = {
	    DB_I64(status), reason ? DB_CSTR(reason) : DB_NULL, DB_CSTR(now_sql), DB_I64(id)};
	struct db_param c[] = {DB_I64(id)};
	lc_err e;

	if ((e = db_exec(db, sql, p, 4, NULL, NULL)) != LC_OK)
		return e;
	return db_exec(db, cancel, c, 1, NULL, NULL);
}

lc_err
store_whout_fanout(struct db *db, int64_t workspace_id, unsigned mask, const char *event_public_id,
    const char *type, const char *at_sql, int64_t campaign_id, int64_t relationship_id,
    const char *message_public_id, const char *detail)
{
	static const char sql[] =
	    "INSERT INTO webhook_outbox (webhook_id, workspace_id, event_public_id, type, "
	    "occurred_at, campaign_id, relationship_id, message_public_id, detail, due_at) "
	    "SELECT w.id, w.workspace_id, ?, ?, ?, ?, ?, ?, ?, ? FROM webhooks w "
	    "WHERE w.workspace_id = ? AND w.status = 0 AND (w.events_mask & ?) <> 0";
	struct db_param p[] = {DB_CSTR(event_public_id), DB_CSTR(type), DB_CSTR(at_sql),
	    campaign_id ? DB_I64(campaign_id) : DB_NULL,
	    relationship_id ? DB_I64(relationship_id) : DB_NULL,
	    message_public_id ? DB_CSTR(message_public_id) : DB_NULL,
	    detail ? DB_CSTR(detail) : DB_NULL, DB_CSTR(at_sql), DB_I64(workspace_id),
	    DB_I64(mask)};

	return db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), NULL, NULL);
}

lc_err
store_whout_fanout_batch(struct db *db, const struct store_event_row *v, size_t n, unsigned mask,
    const char *type, const char *at_sql)
{
	static const char sql[] =
	    "INSERT INTO webhook_outbox (webhook_id, workspace_id, event_public_id, type, "
	    "occurred_at, campaign_id, relationship_id, message_public_id, detail, due_at) "
	    "SELECT w.id, w.workspace_id, j.pid, ?, ?, NULLIF(j.c, 0), NULLIF(j.r, 0), "
	    "NULLIF(j.m, ''), NULL, ? "
	    "FROM JSON_TABLE(?, '$[*]' COLUMNS (pid VARCHAR(48) PATH '$[0]', "
	    "ws BIGINT UNSIGNED PATH '$[1]', c BIGINT UNSIGNED PATH '$[2]', "
	    "r BIGINT UNSIGNED PATH '$[3]', m VARCHAR(48) PATH '$[4]')) j "
	    "JOIN webhooks w ON w.workspace_id = j.ws AND w.status = 0 AND (w.events_mask & ?) <> "
	    "0";
	struct buf b;
	lc_err e;

	if (n == 0 || n > BATCH_IDS)
		return LC_EINVAL;
	buf_init(&b, WH_JSON_MAX);
	if ((e = store_event_rows_json(&b, v, n)) == LC_OK) {
		struct db_param p[] = {DB_CSTR(type), DB_CSTR(at_sql), DB_CSTR(at_sql),
		    DB_STR(b.data, b.len), DB_I64(mask)};
		e = db_exec(db, sql, p, 5, NULL, NULL);
	}
	buf_free(&b);
	return e;
}

lc_err
store_whout_insert(struct db *db, int64_t webhook_id, int64_t workspace_id,
    const char *event_public_id, const char *type, const char *at_sql)
{
	static const char sql[] =
	    "INSERT INTO webhook_outbox (webhook_id, workspace_id, event_public_id, type, "
	    "occurred_at, due_at) VALUES (?, ?, ?, ?, ?, ?)";
	struct db_param p[] = {DB_I64(webhook_id), DB_I64(workspace_id), DB_CSTR(event_public_id),
	    DB_CSTR(type), DB_CSTR(at_sql), DB_CSTR(at_sql)};

	return db_exec(db, sql, p, 6, NULL, NULL);
}

lc_err
store_whout_due(struct db *db, const char *now_sql, unsigned limit, struct db_rows *out)
{
	static const char sql[] = "SELECT id FROM webhook_outbox WHERE state = 0 AND due_at <= ? "
	                          "ORDER BY due_at, id LIMIT ? FOR UPDATE SKIP LOCKED";
	struct db_param p[] = {DB_CSTR(now_sql), DB_I64(limit)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_whout_claim_batch(struct db *db, const int64_t *ids, size_t n, const char *lease_sql)
{
	/* state = 0 guards the claim (see store_notify_claim) */
	static const char sql[] = "UPDATE webhook_outbox SET state = 1, fence = fence + 1, "
	                          "lease_expires_at = ? WHERE id IN (" Q64 ") AND state = 0";

	return batch_lease(db, sql, ids, n, lease_sql);
}

lc_err
store_whout_get_batch(struct db *db, const int64_t *ids, size_t n, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT o.id, o.fence, o.event_public_id, o.type, o.occurred_at, o.attempts, "
	    "c.public_id, r.public_id, o.message_public_id, o.detail, w.id, w.public_id, w.url, "
	    "w.secret, w.status, ws.public_id FROM webhook_outbox o "
	    "JOIN webhooks w ON w.id = o.webhook_id "
	    "JOIN workspaces ws ON ws.id = o.workspace_id "
	    "LEFT JOIN campaigns c ON c.id = o.campaign_id "
	    "LEFT JOIN relationships r ON r.id = o.relationship_id WHERE o.id IN (" Q64 ")";

	return batch_query(db, sql, ids, n, out);
}

lc_err
store_whout_finish(struct db *db, int64_t id, int64_t fence, unsigned state, unsigned attempts,
    const char *due_sql, uint64_t *changed)
{
	static const char sql[] =
	    "UPDATE webhook_outbox SET state = ?, attempts = ?, due_at = COALESCE(?, due_at), "
	    "lease_expires_at = NULL WHERE id = ? AND state = 1 AND fence = ?";
	struct db_param p[] = {DB_I64(state), DB_I64(attempts),
	    due_sql ? DB_CSTR(due_sql) : DB_NULL, DB_I64(id), DB_I64(fence)};

	return db_exec(db, sql, p, 5, changed, NULL);
}

lc_err
store_whout_reap(struct db *db, const char *now_sql, uint64_t *n)
{
	static const char sql[] = "UPDATE webhook_outbox SET state = 0, lease_expires_at = NULL "
	                          "WHERE state = 1 AND lease_expires_at < ?";
	struct db_param p[] = {DB_CSTR(now_sql)};

	return db_exec(db, sql, p, 1, n, NULL);
}

/* whrec_json writes v[0..n) as the JSON array both statements of store_whout_record_batch
 * read: [outbox id, fence, state, attempts, due or "", webhook id, event id, type,
 * status code, error or "", excerpt or "", duration ms] per row. The strings are escaped
 * by the writer; a string that is not UTF-8 fails the batch (LC_EINVAL), which the caller
 * prevents by passing what the HTTP client made printable. */
static lc_err
whrec_json(struct buf *b, const struct store_whrec *v, size_t n)
{
	struct jsonw w;
	size_t i;

	jsonw_init(&w, b);
	jsonw_arr(&w);
	for (i = 0; i < n; i++) {
		jsonw_arr(&w);
		jsonw_int(&w, v[i].outbox_id);
		jsonw_int(&w, v[i].fence);
		jsonw_int(&w, v[i].state);
		jsonw_int(&w, v[i].attempts);
		jsonw_str(&w, v[i].due_sql ? v[i].due_sql : "");
		jsonw_int(&w, v[i].webhook_id);
		jsonw_str(&w, v[i].event_public_id);
		jsonw_str(&w, v[i].type);
		jsonw_int(&w, v[i].status_code);
		jsonw_str(&w, v[i].error ? v[i].error : "");
		jsonw_str(&w, v[i].excerpt ? v[i].excerpt : "");
		jsonw_int(&w, v[i].duration_ms < 0 ? 0 : v[i].duration_ms);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	return jsonw_finish(&w);
}

lc_err
store_whout_record_batch(
    struct db *db, const struct store_whrec *v, size_t n, const char *now_sql, uint64_t *changed)
{
	/* the attempts first: a lost lease still records its attempt */
	static const char attempts[] =
	    "INSERT INTO webhook_deliveries (webhook_id, event_public_id, type, attempt, "
	    "status_code, error, response_excerpt, attempted_at, duration_ms) "
	    "SELECT j.wh, j.ev, j.ty, j.att, NULLIF(j.sc, 0), NULLIF(j.err, ''), "
	    "NULLIF(j.ex, ''), ?, j.dur FROM JSON_TABLE(?, '$[*]' COLUMNS ("
	    "att INT UNSIGNED PATH '$[3]', wh BIGINT UNSIGNED PATH '$[5]', "
	    "ev VARCHAR(48) PATH '$[6]', ty VARCHAR(64) PATH '$[7]', sc INT PATH '$[8]', "
	    "err VARCHAR(300) PATH '$[9]', ex VARCHAR(200) PATH '$[10]', "
	    "dur INT UNSIGNED PATH '$[11]')) j";
	/* each assignment reads only its own column: a multi-table UPDATE may apply them in
	 * any order; the fence keeps a late record from ending another worker's lease */
	static const char finish[] =
	    "UPDATE webhook_outbox o JOIN JSON_TABLE(?, '$[*]' COLUMNS ("
	    "id BIGINT UNSIGNED PATH '$[0]', f BIGINT UNSIGNED PATH '$[1]', "
	    "st INT UNSIGNED PATH '$[2]', att INT UNSIGNED PATH '$[3]', "
	    "due VARCHAR(32) PATH '$[4]')) j ON o.id = j.id "
	    "SET o.state = j.st, o.attempts = j.att, "
	    "o.due_at = COALESCE(NULLIF(j.due, ''), o.due_at), o.lease_expires_at = NULL "
	    "WHERE o.state = 1 AND o.fence = j.f";
	struct buf b;
	lc_err e;

	*changed = 0;
	if (n == 0 || n > BATCH_IDS)
		return LC_EINVAL;
	buf_init(&b, WHREC_JSON_MAX);
	if ((e = whrec_json(&b, v, n)) == LC_OK) {
		struct db_param a[] = {DB_CSTR(now_sql), DB_STR(b.data, b.len)};
		struct db_param f[] = {DB_STR(b.data, b.len)};
		if ((e = db_exec(db, attempts, a, 2, NULL, NULL)) == LC_OK)
			e = db_exec(db, finish, f, 1, changed, NULL);
	}
	buf_free(&b);
	return e;
}

lc_err
store_whdel_list(
    struct db *db, int64_t webhook_id, int64_t before_id, unsigned limit, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT id, event_public_id, type, attempt, status_code, error, attempted_at, "
	    "duration_ms FROM webhook_deliveries WHERE webhook_id = ? AND (? = 0 OR id < ?) "
	    "ORDER BY id DESC LIMIT ?";
	struct db_param p[] = {
	    DB_I64(webhook_id), DB_I64(before_id), DB_I64(before_id), DB_I64(limit)};

	return db_query(db, sql, p, 4, out);
}

lc_err
store_whdel_count(struct db *db, int64_t webhook_id, int64_t *count)
{
	static const char sql[] = "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ?";
	struct db_param p[] = {DB_I64(webhook_id)};

	return db_query_i64(db, sql, p, 1, count);
}
