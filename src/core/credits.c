/* credits.c: reading the balance and the ledger. Moves happen in the transactions that
 * cause them (enqueue.c, delivery.c, admin.c) through store_credit_move. */
#include <stdlib.h>
#include <string.h>

#include "core/paging.h"
#include "core/sending.h"
#include "db/store_credits.h"
#include "util/timefmt.h"

lc_err
credits_get(struct core *core, const struct principal *who, unsigned limit, int has_cursor,
    int64_t cursor_ms, int64_t cursor_id, struct credits_view *out)
{
	struct store_window w;
	char before[TIME_SQL_LEN];
	struct db_rows r;
	size_t i;
	lc_err e;

	memset(out, 0, sizeof(*out));
	if ((e = store_credit_balance(core->db, who->workspace_id, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_ENOTFOUND;
	}
	out->balance = db_i64(&r, 0, CR_COL_BALANCE);
	out->reserved = db_i64(&r, 0, CR_COL_RESERVED);
	db_rows_free(&r);
	page_window(&w, before, limit, has_cursor, cursor_ms, cursor_id);
	if ((e = store_credit_ledger(core->db, who->workspace_id, &w, &out->ledger)) != LC_OK)
		return e;
	out->n = out->ledger.nrows;
	if (out->ledger.nrows > limit) {
		const char *at = db_str(&out->ledger, limit - 1, LEDGER_COL_AT);
		int64_t ms = 0;

		out->has_next = 1;
		out->n = limit;
		if (at)
			sqltime_parse(at, strlen(at), &ms);
		cursor_encode(ms, db_i64(&out->ledger, limit - 1, LEDGER_COL_ID), out->next_cursor);
	}
	if (out->n > 0 && (out->entries = calloc(out->n, sizeof(*out->entries))) == NULL) {
		credits_view_free(out);
		return LC_ENOMEM;
	}
	for (i = 0; i < out->n; i++) {
		struct ledger_entry *l = &out->entries[i];
		const char *at = db_str(&out->ledger, i, LEDGER_COL_AT);

		l->kind = (unsigned)db_i64(&out->ledger, i, LEDGER_COL_KIND);
		l->balance_change = db_i64(&out->ledger, i, LEDGER_COL_DB);
		l->reserved_change = db_i64(&out->ledger, i, LEDGER_COL_DR);
		l->message_id = db_str(&out->ledger, i, LEDGER_COL_MSG);
		l->note = db_str(&out->ledger, i, LEDGER_COL_NOTE);
		l->at_ms = -1;
		if (at)
			sqltime_parse(at, strlen(at), &l->at_ms);
	}
	return LC_OK;
}

void
credits_view_free(struct credits_view *v)
{
	db_rows_free(&v->ledger);
	free(v->entries);
	v->entries = NULL;
	v->n = 0;
}
