/* inbound_read.c: listing and reading inbound mail, and a relationship's history. */
#include <stdlib.h>
#include <string.h>

#include "core/inbound.h"
#include "core/paging.h"
#include "db/store_inbound.h"
#include "util/timefmt.h"

static void view_from_row(const struct db_rows *, size_t, void *);

/* view_from_row: a row of IN_SELECT as the struct inbound_view at item (a page_spec reader) */
static void
view_from_row(const struct db_rows *r, size_t i, void *item)
{
	struct inbound_view *v = item;

	memset(v, 0, sizeof(*v));
	v->id = db_i64(r, i, IN_COL_ID);
	v->public_id = db_str(r, i, IN_COL_PUBLIC);
	v->campaign_public_id = db_str(r, i, IN_COL_CAMPAIGN_PUBLIC);
	v->relationship_public_id = db_str(r, i, IN_COL_REL_PUBLIC);
	v->outbound_public_id = db_str(r, i, IN_COL_OUT_PUBLIC);
	v->auto_response_public_id = db_str(r, i, IN_COL_AUTO_PUBLIC);
	v->klass = (unsigned)db_i64(r, i, IN_COL_KLASS);
	v->match = (unsigned)db_i64(r, i, IN_COL_MATCH);
	v->message_id = db_str(r, i, IN_COL_MSGID);
	v->in_reply_to = db_str(r, i, IN_COL_IN_REPLY_TO);
	v->references = db_str(r, i, IN_COL_REFERENCES);
	v->from = db_str(r, i, IN_COL_FROM);
	v->from_name = db_str(r, i, IN_COL_FROM_NAME);
	v->to = db_str(r, i, IN_COL_TO);
	v->subject = db_str(r, i, IN_COL_SUBJECT);
	v->text = db_str(r, i, IN_COL_TEXT);
	v->text_new = db_str(r, i, IN_COL_TEXT_NEW);
	v->bounce_status = db_str(r, i, IN_COL_BOUNCE_STATUS);
	v->bounce_recipient = db_str(r, i, IN_COL_BOUNCE_RCPT);
	v->sent_ms = db_ms(r, i, IN_COL_SENT);
	v->received_ms = db_ms(r, i, IN_COL_RECEIVED);
	v->campaign_id = db_i64(r, i, IN_COL_CAMPAIGN_ID);
	v->relationship_id = db_i64(r, i, IN_COL_REL_ID);
	v->ooo_return = db_isnull(r, i, IN_COL_OOO_RETURN) ? NULL : db_str(r, i, IN_COL_OOO_RETURN);
	v->triage_decision = db_isnull(r, i, IN_COL_TRIAGE_DECISION)
	                         ? -1
	                         : (int)db_i64(r, i, IN_COL_TRIAGE_DECISION);
	v->triaged_by = db_isnull(r, i, IN_COL_TRIAGED_BY) ? NULL : db_str(r, i, IN_COL_TRIAGED_BY);
	v->triaged_ms = db_ms(r, i, IN_COL_TRIAGED_AT);
}

static const struct page_spec spec = {
    sizeof(struct inbound_view), view_from_row, PAGE_KEY(struct inbound_view, received_ms, id)};

lc_err
inbound_list(struct core *core, const struct principal *who, const struct inbound_query *q,
    struct page *page)
{
	struct store_inbound_filter f = {.workspace_id = who->workspace_id}; /* the rest 0 */
	char before[TIME_SQL_LEN];
	int none;
	lc_err e;

	memset(page, 0, sizeof(*page));
	f.klass_mask = q->klass_mask ? q->klass_mask : (1u << IN_NCLASSES) - 1;
	f.matched = q->matched;
	if ((e = campaigns_filter_id(core, who, q->campaign_id, &f.campaign_id, &none)) != LC_OK ||
	    none)
		return e; /* none: the filter names no campaign, so the page is empty */
	page_window(&f.w, before, q->limit, q->has_cursor, q->cursor_ms, q->cursor_id);
	if ((e = store_inbound_list(core->db, &f, &page->rows)) != LC_OK ||
	    (e = store_inbound_count(core->db, &f, &page->total)) != LC_OK ||
	    (e = page_build(page, q->limit, &spec)) != LC_OK)
		page_free(page);
	return e;
}

lc_err
inbound_triage_list(struct core *core, const struct principal *who, const struct inbound_query *q,
    struct page *page)
{
	struct store_window w;
	char before[TIME_SQL_LEN];
	lc_err e;

	/* the cursor is (received_at, id): triage_at is received_at while a message waits */
	memset(page, 0, sizeof(*page));
	page_window(&w, before, q->limit, q->has_cursor, q->cursor_ms, q->cursor_id);
	if ((e = store_triage_list(core->db, who->workspace_id, &w, &page->rows)) != LC_OK ||
	    (e = store_triage_count(core->db, who->workspace_id, &page->total)) != LC_OK ||
	    (e = page_build(page, q->limit, &spec)) != LC_OK)
		page_free(page);
	return e;
}

lc_err
inbound_get(struct core *core, const struct principal *who, const char *public_id, struct page *v)
{
	lc_err e;

	memset(v, 0, sizeof(*v));
	if (!id_has_shape("msg_", public_id, strlen(public_id)))
		return LC_ENOTFOUND;
	if ((e = store_inbound_get(core->db, who->workspace_id, public_id, &v->rows)) != LC_OK ||
	    (e = page_one(v, &spec)) != LC_OK)
		page_free(v);
	return e;
}

static void
history_from_row(const struct db_rows *rows, size_t i, void *item)
{
	struct history_entry *h = item;

	h->inbound = db_i64(rows, i, H_COL_DIRECTION) == 1;
	h->public_id = db_str(rows, i, H_COL_PUBLIC);
	h->kind = (unsigned)db_i64(rows, i, H_COL_KIND);
	h->status = (unsigned)db_i64(rows, i, H_COL_STATUS);
	h->subject = db_str(rows, i, H_COL_SUBJECT);
	h->at_ms = db_ms(rows, i, H_COL_AT);
	h->held_reason = (unsigned)db_i64(rows, i, H_COL_HELD_REASON);
	h->next_slot_ms = db_ms(rows, i, H_COL_NEXT_SLOT);
}

lc_err
relationships_history(struct core *core, int64_t relationship_id, struct page *h)
{
	/* the store caps the rows (500): they all make the page, which has no next */
	static const struct page_spec hspec = {
	    sizeof(struct history_entry), history_from_row, 0, 0};
	lc_err e;

	memset(h, 0, sizeof(*h));
	if ((e = store_rel_history(core->db, relationship_id, &h->rows)) != LC_OK ||
	    (e = page_build(h, (unsigned)h->rows.nrows, &hspec)) != LC_OK)
		page_free(h);
	return e;
}
