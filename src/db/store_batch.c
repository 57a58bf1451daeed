/* store_batch.c: the batch statements of a delivery record (see store_batch.h). The
 * JSON parameters carry only numbers and public ids (batch_json_id checks), and
 * JSON_TABLE drives each statement into a primary-key lookup per row. */
#include <string.h>

#include "db/batch.h"
#include "db/store_batch.h"
#include "db/store_outbox.h"

_Static_assert(STORE_BATCH_MAX == BATCH_IDS, "batch statements have 64 id placeholders");

/* The largest JSON parameter: 64 rows of at most five fields, two of them public ids. */
#define BATCH_JSON_MAX 16384

lc_err
store_msg_lock_batch(struct db *db, const int64_t *ids, size_t n)
{
	static const char sql[] =
	    "SELECT id FROM outbound_messages WHERE id IN (" Q64 ") FOR UPDATE";
	struct db_param p[BATCH_IDS];
	struct db_rows r;
	lc_err e;

	if (n == 0 || n > BATCH_IDS)
		return LC_EINVAL;
	batch_ids(ids, n, p);
	if ((e = db_query(db, sql, p, BATCH_IDS, &r)) != LC_OK)
		return e;
	db_rows_free(&r);
	return LC_OK;
}

lc_err
store_msg_sent_batch(
    struct db *db, const int64_t *ids, size_t n, const char *now_sql, uint64_t *changed)
{
	static const char sql[] =
	    "UPDATE outbound_messages SET status = 3, sent_at = ?, "
	    "credits_charged = credits_reserved, lease_owner = NULL, lease_expires_at = NULL, "
	    "last_error = NULL, updated_at = ? WHERE id IN (" Q64 ") AND status = 2";
	struct db_param p[2 + BATCH_IDS];

	*changed = 0;
	if (n == 0 || n > BATCH_IDS)
		return LC_EINVAL;
	p[0] = DB_CSTR(now_sql);
	p[1] = DB_CSTR(now_sql);
	batch_ids(ids, n, p + 2);
	return db_exec(db, sql, p, 2 + BATCH_IDS, changed, NULL);
}

lc_err
store_inv_done_batch(
    struct db *db, const struct store_inv_done *v, size_t n, unsigned status, const char *now_sql)
{
	static const char sql[] =
	    "UPDATE invocations i JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED PATH "
	    "'$[0]', charged INT UNSIGNED PATH '$[1]', ev VARCHAR(48) PATH '$[2]')) j "
	    "ON i.id = j.id SET i.status = ?, i.credits_charged = j.charged, "
	    "i.event_public_id = j.ev, i.updated_at = ?";
	struct buf b;
	size_t i;
	lc_err e = LC_OK;

	if (n == 0 || n > BATCH_IDS)
		return LC_EINVAL;
	buf_init(&b, BATCH_JSON_MAX);
	e = buf_puts(&b, "[");
	for (i = 0; i < n && e == LC_OK; i++)
		if ((e = buf_printf(&b, "%s[%lld,%u,", i ? "," : "", (long long)v[i].inv_id,
		         v[i].charged)) == LC_OK &&
		    (e = batch_json_id(&b, v[i].event_public_id)) == LC_OK)
			e = buf_puts(&b, "]");
	if (e == LC_OK && (e = buf_puts(&b, "]")) == LC_OK) {
		struct db_param p[] = {DB_STR(b.data, b.len), DB_I64(status), DB_CSTR(now_sql)};
		e = db_exec(db, sql, p, 3, NULL, NULL);
	}
	buf_free(&b);
	return e;
}

lc_err
store_event_rows_json(struct buf *b, const struct store_event_row *v, size_t n)
{
	size_t i;
	lc_err e = buf_puts(b, "[");

	for (i = 0; i < n && e == LC_OK; i++) {
		if ((e = buf_puts(b, i ? ",[" : "[")) != LC_OK ||
		    (e = batch_json_id(b, v[i].public_id)) != LC_OK ||
		    (e = buf_printf(b, ",%lld,%lld,%lld,", (long long)v[i].workspace_id,
		         (long long)v[i].campaign_id, (long long)v[i].relationship_id)) != LC_OK)
			break;
		e = v[i].message_public_id ? batch_json_id(b, v[i].message_public_id)
		                           : buf_puts(b, "\"\"");
		if (e == LC_OK)
			e = buf_puts(b, "]");
	}
	return e == LC_OK ? buf_puts(b, "]") : e;
}

lc_err
store_event_insert_batch(
    struct db *db, const struct store_event_row *v, size_t n, const char *type, const char *at_sql)
{
	static const char sql[] =
	    "INSERT INTO events (public_id, workspace_id, campaign_id, relationship_id, "
	    "message_public_id, type, occurred_at, detail) "
	    "SELECT j.pid, j.ws, j.c, NULLIF(j.r, 0), NULLIF(j.m, ''), ?, ?, NULL "
	    "FROM JSON_TABLE(?, '$[*]' COLUMNS (pid VARCHAR(48) PATH '$[0]', "
	    "ws BIGINT UNSIGNED PATH '$[1]', c BIGINT UNSIGNED PATH '$[2]', "
	    "r BIGINT UNSIGNED PATH '$[3]', m VARCHAR(48) PATH '$[4]')) j";
	struct buf b;
	lc_err e = LC_OK;

	if (n == 0 || n > BATCH_IDS)
		return LC_EINVAL;
	buf_init(&b, BATCH_JSON_MAX);
	if ((e = store_event_rows_json(&b, v, n)) == LC_OK) {
		struct db_param p[] = {DB_CSTR(type), DB_CSTR(at_sql), DB_STR(b.data, b.len)};
		e = db_exec(db, sql, p, 3, NULL, NULL);
	}
	buf_free(&b);
	return e;
}

lc_err
store_rel_lock_batch(struct db *db, const int64_t *ids, size_t n, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT id, status, first_sent_at IS NULL, funnel FROM relationships "
	    "WHERE id IN (" Q64 ") FOR UPDATE";

	return batch_query(db, sql, ids, n, out);
}

lc_err
store_rel_contacted_batch(struct db *db, const struct store_rel_contact *v, size_t n,
    unsigned to_status, const char *at_sql)
{
	/* each assignment reads only its own column: a multi-table UPDATE may apply them in
	 * any order */
	static const char sql[] =
	    "UPDATE relationships r JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED PATH "
	    "'$[0]', f INT PATH '$[1]', s INT PATH '$[2]')) j ON r.id = j.id "
	    "SET r.last_contacted_at = ?, r.first_sent_at = IF(j.f = 1, ?, r.first_sent_at), "
	    "r.funnel = r.funnel | 2, "
	    "r.updated_at = IF(j.s = 1, ?, r.updated_at), r.status = IF(j.s = 1, ?, r.status)";
	struct buf b;
	size_t i;
	lc_err e = LC_OK;

	if (n == 0 || n > BATCH_IDS)
		return LC_EINVAL;
	buf_init(&b, BATCH_JSON_MAX);
	e = buf_puts(&b, "[");
	for (i = 0; i < n && e == LC_OK; i++)
		e = buf_printf(&b, "%s[%lld,%d,%d]", i ? "," : "", (long long)v[i].id,
		    v[i].stamp_first_sent ? 1 : 0, v[i].advance ? 1 : 0);
	if (e == LC_OK && (e = buf_puts(&b, "]")) == LC_OK) {
		struct db_param p[] = {DB_STR(b.data, b.len), DB_CSTR(at_sql), DB_CSTR(at_sql),
		    DB_CSTR(at_sql), DB_I64(to_status)};
		e = db_exec(db, sql, p, 5, NULL, NULL);
	}
	buf_free(&b);
	return e;
}
