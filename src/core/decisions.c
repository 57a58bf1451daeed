/* decisions.c: the decision log and a prospect's messages, as the approval pages show them
 * (src/ui/ui_approvals.c). Decisions are made in approvals.c; this file only reads them. */
#include <stdlib.h>
#include <string.h>

#include "core/decisions.h"
#include "core/paging.h"
#include "db/store_users.h"

static lc_err decisions_fill(struct decision_page *, size_t);

const char *
decision_kind_name(unsigned d)
{
	static const char *const names[] = {"approved", "rejected", "returned"};

	return d < DECISION_N ? names[d] : "unknown";
}

static lc_err
decisions_fill(struct decision_page *page, size_t n)
{
	const struct db_rows *r = &page->rows;
	size_t i;

	if (n > 0 && (page->items = calloc(n, sizeof(*page->items))) == NULL)
		return LC_ENOMEM;
	for (i = 0; i < n; i++) {
		struct decision_entry *d = &page->items[i];
		d->id = db_i64(r, i, DEC_COL_ID);
		d->at_ms = db_ms(r, i, DEC_COL_AT);
		d->decision = (unsigned)db_i64(r, i, DEC_COL_DECISION);
		d->decided_by = db_str(r, i, DEC_COL_BY);
		d->user_email = db_str(r, i, DEC_COL_USER_EMAIL);
		d->reason = db_str(r, i, DEC_COL_REASON);
		d->edited_subject = db_i64(r, i, DEC_COL_ED_SUBJECT) != 0;
		d->edited_body = db_i64(r, i, DEC_COL_ED_BODY) != 0;
		d->message_public_id = db_str(r, i, DEC_COL_MSG_PUBLIC);
		d->subject = db_str(r, i, DEC_COL_SUBJECT);
		d->to = db_str(r, i, DEC_COL_TO);
		d->to_name = db_str(r, i, DEC_COL_TO_NAME);
		d->campaign_public_id = db_str(r, i, DEC_COL_CAMPAIGN_PUBLIC);
		d->campaign_name = db_str(r, i, DEC_COL_CAMPAIGN_NAME);
	}
	page->n = n;
	return LC_OK;
}

lc_err
decisions_list(struct core *core, const struct principal *who, unsigned limit, int has_cursor,
    int64_t cursor_ms, int64_t cursor_id, struct decision_page *page)
{
	struct store_window w;
	char before[TIME_SQL_LEN];
	size_t n;
	lc_err e;

	memset(page, 0, sizeof(*page));
	if (limit < 1 || limit > 200)
		return LC_EINVAL;
	page_window(&w, before, limit, has_cursor, cursor_ms, cursor_id);
	if ((e = store_decision_list(core->db, who->workspace_id, &w, &page->rows)) != LC_OK)
		return e;
	n = page->rows.nrows;
	page->has_next = n > limit;
	if (page->has_next)
		n = limit;
	if ((e = decisions_fill(page, n)) != LC_OK) {
		decision_page_free(page);
		return e;
	}
	if (page->has_next)
		cursor_encode(page->items[n - 1].at_ms, page->items[n - 1].id, page->next_cursor);
	return LC_OK;
}

lc_err
decisions_of_message(
    struct core *core, const struct principal *who, int64_t msg_id, struct decision_page *page)
{
	lc_err e;

	memset(page, 0, sizeof(*page));
	if ((e = store_decisions_of_message(core->db, who->workspace_id, msg_id, &page->rows)) !=
	    LC_OK)
		return e;
	if ((e = decisions_fill(page, page->rows.nrows)) != LC_OK)
		decision_page_free(page);
	return e;
}

void
decision_page_free(struct decision_page *page)
{
	db_rows_free(&page->rows);
	free(page->items);
	page->items = NULL;
	page->n = 0;
}

lc_err
messages_of_relationship(struct core *core, const struct principal *who, int64_t relationship_id,
    unsigned limit, struct history *out)
{
	size_t i, n;
	lc_err e;

	memset(out, 0, sizeof(*out));
	if ((e = store_msg_of_relationship(
	         core->db, who->workspace_id, relationship_id, limit, &out->rows)) != LC_OK)
		return e;
	n = out->rows.nrows;
	if (n > 0 && (out->items = calloc(n, sizeof(*out->items))) == NULL) {
		db_rows_free(&out->rows);
		return LC_ENOMEM;
	}
	/* the rows come newest first; the page reads oldest first */
	for (i = 0; i < n; i++) {
		struct history_entry *h = &out->items[n - 1 - i];
		h->public_id = db_str(&out->rows, i, HIST_COL_PUBLIC);
		h->subject = db_str(&out->rows, i, HIST_COL_SUBJECT);
		h->kind = (unsigned)db_i64(&out->rows, i, HIST_COL_KIND);
		h->status = (unsigned)db_i64(&out->rows, i, HIST_COL_STATUS);
		h->created_ms = db_ms(&out->rows, i, HIST_COL_CREATED);
		h->schedule_ms = db_ms(&out->rows, i, HIST_COL_SCHEDULE);
		h->sent_ms = db_ms(&out->rows, i, HIST_COL_SENT);
	}
	out->n = n;
	return LC_OK;
}

void
history_free(struct history *h)
{
	db_rows_free(&h->rows);
	free(h->items);
	h->items = NULL;
	h->n = 0;
}
