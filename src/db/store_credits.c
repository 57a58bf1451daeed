/* store_credits.c: the workspace balance and its ledger, changed together. */
#include <stdint.h>
#include <string.h>

#include "db/store_accounts.h"
#include "db/store_credits.h"
#include "db/store_outbox.h"
#include "util/buf.h"

static const char ledger_one_sql[] =
    "INSERT INTO credit_ledger (workspace_id, kind, delta_balance, delta_reserved, "
    "message_id, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";

static lc_err ledger_insert(
    struct db *, int64_t, unsigned, int64_t, int64_t, int64_t, const char *, const char *);

/* ledger_insert appends one entry to the workspace's ledger. */
static lc_err
ledger_insert(struct db *db, int64_t workspace_id, unsigned kind, int64_t d_balance,
    int64_t d_reserved, int64_t msg_id, const char *note, const char *now_sql)
{
	struct db_param p[] = {DB_I64(workspace_id), DB_I64(kind), DB_I64(d_balance),
	    DB_I64(d_reserved), msg_id ? DB_I64(msg_id) : DB_NULL, note ? DB_CSTR(note) : DB_NULL,
	    DB_CSTR(now_sql)};

	return db_exec(db, ledger_one_sql, p, 7, NULL, NULL);
}

lc_err
store_credit_move_touch(struct db *db, int64_t workspace_id, unsigned kind, int64_t amount,
    int64_t msg_id, const char *now_sql, int *ok)
{
	/* store_credit_move's reserve (the same guard) and release, plus the version move */
	static const char reserve_sql[] =
	    "UPDATE workspaces SET credits_reserved = credits_reserved + ?, " WS_VERSION_MOVE_SQL
	    " WHERE id = ? AND credits_balance - credits_reserved >= ?";
	static const char release_sql[] =
	    "UPDATE workspaces SET credits_reserved = credits_reserved - ?, " WS_VERSION_MOVE_SQL
	    " WHERE id = ?";
	struct db_param p[] = {DB_I64(amount), DB_I64(workspace_id), DB_I64(amount)};
	uint64_t n = 0;
	lc_err e;

	*ok = 0;
	if (amount <= 0 || (kind != CREDIT_RESERVE && kind != CREDIT_RELEASE))
		return LC_EINVAL;
	if (kind == CREDIT_RESERVE)
		e = db_exec(db, reserve_sql, p, 3, &n, NULL);
	else
		e = db_exec(db, release_sql, p, 2, &n, NULL);
	if (e != LC_OK || n != 1)
		return e;
	if ((e = ledger_insert(db, workspace_id, kind, 0, kind == CREDIT_RESERVE ? amount : -amount,
	         msg_id, NULL, now_sql)) != LC_OK)
		return e;
	*ok = 1;
	return LC_OK;
}

lc_err
store_credit_move(struct db *db, int64_t workspace_id, unsigned kind, int64_t amount,
    int64_t msg_id, const char *note, const char *now_sql, int *ok)
{
	static const char grant_sql[] =
	    "UPDATE workspaces SET credits_balance = credits_balance + ? WHERE id = ?";
	static const char reserve_sql[] =
	    "UPDATE workspaces SET credits_reserved = credits_reserved + ? "
	    "WHERE id = ? AND credits_balance - credits_reserved >= ?";
	static const char release_sql[] =
	    "UPDATE workspaces SET credits_reserved = credits_reserved - ? WHERE id = ?";
	int64_t d_balance = 0, d_reserved = 0;
	uint64_t n = 0;
	lc_err e;

	*ok = 0;
	if (amount <= 0)
		return LC_EINVAL;
	switch (kind) {
	case CREDIT_GRANT: {
		struct db_param p[] = {DB_I64(amount), DB_I64(workspace_id)};
		e = db_exec(db, grant_sql, p, 2, &n, NULL);
		d_balance = amount;
		break;
	}
	case CREDIT_RESERVE: {
		struct db_param p[] = {DB_I64(amount), DB_I64(workspace_id), DB_I64(amount)};
		e = db_exec(db, reserve_sql, p, 3, &n, NULL);
		d_reserved = amount;
		break;
	}
	case CREDIT_RELEASE: {
		struct db_param p[] = {DB_I64(amount), DB_I64(workspace_id)};
		e = db_exec(db, release_sql, p, 2, &n, NULL);
		d_reserved = -amount;
		break;
	}
	default: return LC_EINVAL;
	}
	if (e != LC_OK || n != 1)
		return e;
	if ((e = ledger_insert(
	         db, workspace_id, kind, d_balance, d_reserved, msg_id, note, now_sql)) != LC_OK)
		return e;
	*ok = 1;
	return LC_OK;
}

lc_err
store_credit_capture_batch(struct db *db, int64_t workspace_id, const int64_t *msg_ids,
    const int64_t *amounts, size_t n, const char *now_sql, int *ok)
{
	static const char capture_sql[] =
	    "UPDATE workspaces SET credits_balance = credits_balance - ?, "
	    "credits_reserved = credits_reserved - ? WHERE id = ?";
	static const char ledger_sql[] =
	    "INSERT INTO credit_ledger (workspace_id, kind, delta_balance, delta_reserved, "
	    "message_id, note, created_at) SELECT ?, ?, -j.a, -j.a, NULLIF(j.m, 0), NULL, ? "
	    "FROM JSON_TABLE(?, '$[*]' COLUMNS (m BIGINT UNSIGNED PATH '$[0]', "
	    "a BIGINT PATH '$[1]')) j";
	struct buf b;
	int64_t total = 0;
	uint64_t changed = 0;
	size_t i;
	lc_err e;

	*ok = 0;
	if (n == 0 || n > STORE_BATCH_MAX)
		return LC_EINVAL;
	for (i = 0; i < n; i++) {
		if (amounts[i] <= 0 || amounts[i] > INT32_MAX)
			return LC_EINVAL;
		total += amounts[i];
	}
	{
		struct db_param p[] = {DB_I64(total), DB_I64(total), DB_I64(workspace_id)};
		if ((e = db_exec(db, capture_sql, p, 3, &changed, NULL)) != LC_OK || changed != 1)
			return e;
	}
	buf_init(&b, 64 * 64); /* 64 rows of "[id,amount]," with 20-digit numbers */
	e = buf_puts(&b, "[");
	for (i = 0; i < n && e == LC_OK; i++)
		e = buf_printf(&b, "%s[%lld,%lld]", i ? "," : "", (long long)msg_ids[i],
		    (long long)amounts[i]);
	if (e == LC_OK && (e = buf_puts(&b, "]")) == LC_OK) {
		struct db_param p[] = {DB_I64(workspace_id), DB_I64(CREDIT_CAPTURE),
		    DB_CSTR(now_sql), DB_STR(b.data, b.len)};
		e = db_exec(db, ledger_sql, p, 4, NULL, NULL);
	}
	buf_free(&b);
	if (e == LC_OK)
		*ok = 1;
	return e;
}

lc_err
store_credit_balance(struct db *db, int64_t workspace_id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT credits_balance, credits_reserved FROM workspaces WHERE id = ?";
	struct db_param p[] = {DB_I64(workspace_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_credit_ledger(
    struct db *db, int64_t workspace_id, const struct store_window *w, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT l.id, l.kind, l.delta_balance, l.delta_reserved, m.public_id, l.note, "
	    "l.created_at FROM credit_ledger l LEFT JOIN outbound_messages m ON m.id = "
	    "l.message_id "
	    "WHERE l.workspace_id = ? AND l.created_at <= ? AND (l.created_at < ? OR l.id < ?) "
	    "ORDER BY l.created_at DESC, l.id DESC LIMIT ?";
	const char *before = w->before_sql ? w->before_sql : "9999-12-31 23:59:59.999";
	struct db_param p[] = {DB_I64(workspace_id), DB_CSTR(before), DB_CSTR(before),
	    DB_I64(w->before_sql ? w->before_id : INT64_MAX), DB_I64(w->limit)};

	return db_query(db, sql, p, 5, out);
}
