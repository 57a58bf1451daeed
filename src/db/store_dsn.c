/* store_dsn.c: SQL of bounces reported after the send (store_dsn.h). */
#include <string.h>

#include "db/store_dsn.h"

lc_err
store_dsn_message_locked(struct db *db, int64_t id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT workspace_id, campaign_id, relationship_id, mailbox_id, status, to_email, "
	    "public_id FROM outbound_messages WHERE id = ? FOR UPDATE";
	struct db_param p[] = {DB_I64(id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_dsn_message_bounced(
    struct db *db, int64_t id, const char *why, const char *now_sql, uint64_t *changed)
{
	/* 3 sent, 10 bounced: only a sent message can bounce, and only once */
	static const char sql[] = "UPDATE outbound_messages SET status = 10, last_error = ?, "
	                          "updated_at = ? WHERE id = ? AND status = 3";
	struct db_param p[] = {DB_CSTR(why), DB_CSTR(now_sql), DB_I64(id)};

	*changed = 0;
	return db_exec(db, sql, p, 3, changed, NULL);
}

lc_err
store_campaign_window_locked(struct db *db, int64_t id, uint32_t *bits, unsigned *sends, int *found)
{
	static const char sql[] =
	    "SELECT recent_bounces, recent_sends FROM campaigns WHERE id = ? FOR UPDATE";
	struct db_param p[] = {DB_I64(id)};
	struct db_rows r;
	lc_err e;

	*bits = 0;
	*sends = 0;
	*found = 0;
	if ((e = db_query(db, sql, p, 1, &r)) != LC_OK)
		return e;
	if (r.nrows == 1) {
		*bits = (uint32_t)db_i64(&r, 0, 0);
		*sends = (unsigned)db_i64(&r, 0, 1);
		*found = 1;
	}
	db_rows_free(&r);
	return LC_OK;
}

lc_err
store_campaign_window_set(struct db *db, int64_t id, uint32_t bits, unsigned sends)
{
	static const char sql[] =
	    "UPDATE campaigns SET recent_bounces = ?, recent_sends = ? WHERE id = ?";
	struct db_param p[] = {DB_I64(bits), DB_I64(sends), DB_I64(id)};

	return db_exec(db, sql, p, 3, NULL, NULL);
}
