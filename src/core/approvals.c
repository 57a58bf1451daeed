/* approvals.c: the approval queue. Every decision is recorded, attributable and final. */
#include <stdlib.h>
#include <string.h>

#include "core/sending.h"
#include "core/validate.h"
#include "core/paging.h"
#include "db/store_outbox.h"
#include "util/timefmt.h"

struct decide_ctx {
	const struct principal *who;
	const char *public_id, *by, *subject, *body, *reason;
	int approve;
	struct core_fail *fail;
};

static lc_err decide_tx(struct db *, void *);
static int same_text(const char *, const char *);
static char line_char(const char **);

/* line_char reads the next character of *p with every line end (CRLF, CR, LF) read as LF. */
static char
line_char(const char **p)
{
	char c = **p;

	if (c == '\0')
		return c;
	(*p)++;
	if (c != '\r')
		return c;
	if (**p == '\n')
		(*p)++;
	return '\n';
}

/* same_text: a and b are the same text but for their line ends. A browser's form sends
 * CRLF whatever the message holds, and an API client may send either: neither is an edit. */
static int
same_text(const char *a, const char *b)
{
	char x, y;

	do {
		x = line_char(&a);
		y = line_char(&b);
		if (x != y)
			return 0;
	} while (x != '\0');
	return 1;
}

/* held_from_row reads a message's pacing hold from columns reason_col and slot_col: a
 * reason is shown only while the message is held (a released one keeps its column). */
static void
held_from_row(const struct db_rows *r, size_t i, unsigned status, size_t reason_col,
    size_t slot_col, unsigned *reason, int64_t *next_slot_ms)
{
	*reason = status == MS_HELD ? (unsigned)db_i64(r, i, reason_col) : 0;
	*next_slot_ms = status == MS_HELD ? db_ms(r, i, slot_col) : -1;
}

void
out_message_from_row(const struct db_rows *r, size_t i, struct out_message *m)
{
	memset(m, 0, sizeof(*m));
	m->id = db_i64(r, i, MSG_COL_ID);
	m->public_id = db_str(r, i, MSG_COL_PUBLIC);
	m->workspace_id = db_i64(r, i, MSG_COL_WORKSPACE);
	m->campaign_id = db_i64(r, i, MSG_COL_CAMPAIGN);
	m->relationship_id = db_i64(r, i, MSG_COL_RELATIONSHIP);
	m->kind = (unsigned)db_i64(r, i, MSG_COL_KIND);
	m->status = (unsigned)db_i64(r, i, MSG_COL_STATUS);
	m->follow_up_step = (unsigned)db_i64(r, i, MSG_COL_STEP);
	m->from = db_str(r, i, MSG_COL_FROM);
	m->to = db_str(r, i, MSG_COL_TO);
	m->to_name = db_str(r, i, MSG_COL_TO_NAME);
	m->subject = db_str(r, i, MSG_COL_SUBJECT);
	m->body = db_str(r, i, MSG_COL_BODY);
	m->message_id = db_str(r, i, MSG_COL_MSGID);
	m->in_reply_to = db_str(r, i, MSG_COL_IN_REPLY_TO);
	m->references = db_str(r, i, MSG_COL_REFERENCES);
	m->unsubscribe_token = db_str(r, i, MSG_COL_UNSUB);
	m->schedule_ms = db_ms(r, i, MSG_COL_SCHEDULE);
	m->due_ms = db_ms(r, i, MSG_COL_DUE);
	m->created_ms = db_ms(r, i, MSG_COL_CREATED);
	m->requested_by = db_str(r, i, MSG_COL_REQUESTED_BY);
	m->credits_reserved = (unsigned)db_i64(r, i, MSG_COL_RESERVED);
	m->credits_charged = (unsigned)db_i64(r, i, MSG_COL_CHARGED);
	m->attempts = (unsigned)db_i64(r, i, MSG_COL_ATTEMPTS);
	m->fence = (uint64_t)db_i64(r, i, MSG_COL_FENCE);
	m->smtp_phase = (unsigned)db_i64(r, i, MSG_COL_PHASE);
	m->last_error = db_str(r, i, MSG_COL_LAST_ERROR);
	m->sent_ms = db_ms(r, i, MSG_COL_SENT_AT);
	m->campaign_public_id = db_str(r, i, MSG_COL_CAMPAIGN_PUBLIC);
	m->relationship_public_id = db_str(r, i, MSG_COL_REL_PUBLIC);
	m->campaign_status = (unsigned)db_i64(r, i, MSG_COL_CAMPAIGN_STATUS);
	m->relationship_status = (unsigned)db_i64(r, i, MSG_COL_REL_STATUS);
	m->suppressed = db_i64(r, i, MSG_COL_SUPPRESSED) > 0;
	m->max_lateness_hours = (unsigned)db_i64(r, i, MSG_COL_MAX_LATENESS);
	m->invocation_id = db_i64(r, i, MSG_COL_INVOCATION);
	m->invocation_public_id = db_str(r, i, MSG_COL_INV_PUBLIC);
	m->decided_ms = db_ms(r, i, MSG_COL_DECIDED_AT);
	m->track_opens = db_i64(r, i, MSG_COL_TRACK_OPENS) != 0;
	held_from_row(r, i, m->status, MSG_COL_HELD_REASON, MSG_COL_NEXT_SLOT, &m->held_reason,
	    &m->next_slot_ms);
	m->open_token = db_str(r, i, MSG_COL_OPEN_TOKEN);
}

void
message_event(const struct out_message *m, enum event_type type, int64_t at_ms, struct event_in *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->workspace_id = m->workspace_id;
	ev->campaign_id = m->campaign_id;
	ev->relationship_id = m->relationship_id;
	ev->message_id = m->public_id;
	ev->at_ms = at_ms;
}

static void
item_from_row(const struct db_rows *rows, size_t i, void *item)
{
	out_message_from_row(rows, i, item);
}

static const struct page_spec spec = {
    sizeof(struct out_message), item_from_row, PAGE_KEY(struct out_message, created_ms, id)};

static void
brief_from_row(const struct db_rows *r, size_t i, void *item)
{
	struct msg_brief *m = item;

	memset(m, 0, sizeof(*m));
	m->id = db_i64(r, i, MSGB_COL_ID);
	m->public_id = db_str(r, i, MSGB_COL_PUBLIC);
	m->kind = (unsigned)db_i64(r, i, MSGB_COL_KIND);
	m->status = (unsigned)db_i64(r, i, MSGB_COL_STATUS);
	m->to = db_str(r, i, MSGB_COL_TO);
	m->to_name = db_str(r, i, MSGB_COL_TO_NAME);
	m->subject = db_str(r, i, MSGB_COL_SUBJECT);
	m->schedule_ms = db_ms(r, i, MSGB_COL_SCHEDULE);
	m->created_ms = db_ms(r, i, MSGB_COL_CREATED);
	m->credits_reserved = (unsigned)db_i64(r, i, MSGB_COL_RESERVED);
	held_from_row(r, i, m->status, MSGB_COL_HELD_REASON, MSGB_COL_NEXT_SLOT, &m->held_reason,
	    &m->next_slot_ms);
	m->campaign_public_id = db_str(r, i, MSGB_COL_CAMPAIGN_PUBLIC);
	m->campaign_name = db_str(r, i, MSGB_COL_CAMPAIGN_NAME);
}

static const struct page_spec brief_spec = {
    sizeof(struct msg_brief), brief_from_row, PAGE_KEY(struct msg_brief, created_ms, id)};

/* list_page reads the page q asks for, whole messages or (brief) struct msg_brief: one
 * filter, window and count for both. */
static lc_err
list_page(struct core *core, const struct principal *who, const struct approval_query *q, int brief,
    struct page *page)
{
	struct store_msg_filter f = {.workspace_id = who->workspace_id}; /* the rest 0 */
	char before[TIME_SQL_LEN];
	int none;
	lc_err e;

	memset(page, 0, sizeof(*page));
	f.status_mask = q->status_mask ? q->status_mask : 1u << MS_AWAITING_APPROVAL;
	f.kind_mask = q->kind_mask ? q->kind_mask : (1u << MSG_NKINDS) - 1;
	if (q->campaign_id && q->campaign_row_id > 0) {
		/* read by the caller from this workspace; the list is filtered by workspace too */
		f.campaign_id = q->campaign_row_id;
	} else if ((e = campaigns_filter_id(core, who, q->campaign_id, &f.campaign_id, &none)) !=
	               LC_OK ||
	           none)
		return e; /* none: the filter names no campaign, so the page is empty */
	page_window(&f.w, before, q->limit, q->has_cursor, q->cursor_ms, q->cursor_id);
	e = brief ? store_msg_list_brief(core->db, &f, &page->rows)
	          : store_msg_list(core->db, &f, &page->rows);
	if (e != LC_OK ||
	    (!q->no_total && (e = store_msg_count(core->db, &f, &page->total)) != LC_OK) ||
	    (e = page_build(page, q->limit, brief ? &brief_spec : &spec)) != LC_OK)
		page_free(page);
	return e;
}

lc_err
approvals_list(struct core *core, const struct principal *who, const struct approval_query *q,
    struct page *page)
{
	return list_page(core, who, q, 0, page);
}

lc_err
approvals_list_brief(struct core *core, const struct principal *who, const struct approval_query *q,
    struct page *page)
{
	return list_page(core, who, q, 1, page);
}

lc_err
approvals_by_campaign(struct core *core, const struct principal *who,
    const struct approval_query *q, struct page *page)
{
	struct approval_campaign *items;
	size_t i;
	lc_err e;

	memset(page, 0, sizeof(*page));
	if (q->status_mask != 0 && q->status_mask != 1u << MS_AWAITING_APPROVAL)
		return LC_EINVAL; /* only waiting messages are counted */
	/* list_page's kind filter, every campaign at once */
	if ((e = store_msg_waiting_by_campaign(core->db, who->workspace_id,
	         q->kind_mask ? q->kind_mask : (1u << MSG_NKINDS) - 1, &page->rows)) != LC_OK)
		return e;
	if (page->rows.nrows == 0)
		return LC_OK;
	if ((items = calloc(page->rows.nrows, sizeof(*items))) == NULL) {
		page_free(page);
		return LC_ENOMEM;
	}
	for (i = 0; i < page->rows.nrows; i++) {
		items[i].public_id = db_str(&page->rows, i, MCC_COL_CAMPAIGN_PUBLIC);
		items[i].name = db_str(&page->rows, i, MCC_COL_CAMPAIGN_NAME);
		items[i].n = db_i64(&page->rows, i, MCC_COL_N);
		if (q->campaign_id == NULL || strcmp(q->campaign_id, items[i].public_id) == 0)
			page->total += items[i].n;
	}
	page->items = items;
	page->n = page->rows.nrows;
	return LC_OK;
}

lc_err
approvals_get(struct core *core, const struct principal *who, const char *public_id, struct page *v)
{
	lc_err e;

	memset(v, 0, sizeof(*v));
	if (!id_has_shape("out_", public_id, strlen(public_id)))
		return LC_ENOTFOUND;
	if ((e = store_msg_get(core->db, who->workspace_id, public_id, 0, &v->rows)) != LC_OK ||
	    (e = page_one(v, &spec)) != LC_OK)
		page_free(v);
	return e;
}

static lc_err
decide_tx(struct db *db, void *arg)
{
	struct decide_ctx *ctx = arg;
	char now[TIME_SQL_LEN];
	const char *subject, *body;
	struct db_rows r;
	struct out_message m;
	struct event_in ev;
	unsigned next;
	uint64_t n = 0;
	int changed = 0;
	lc_err e;

	sqltime_format(now_ms(), now);
	if ((e = store_msg_get(db, ctx->who->workspace_id, ctx->public_id, 1, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		ctx->fail->code = "approval_not_found";
		return LC_ENOTFOUND;
	}
	out_message_from_row(&r, 0, &m);
	if (m.status != MS_AWAITING_APPROVAL) {
		db_rows_free(&r);
		ctx->fail->code = "already_decided";
		ctx->fail->detail = "This message is not awaiting approval; decisions are final.";
		return LC_ECONFLICT;
	}
	/* only changed fields make an edit (the rule of every front) */
	subject = ctx->approve && ctx->subject && strcmp(ctx->subject, m.subject) != 0
	              ? ctx->subject
	              : NULL;
	body = ctx->approve && ctx->body && !same_text(ctx->body, m.body) ? ctx->body : NULL;
	if ((e = store_decision_insert(db, m.id, m.workspace_id, ctx->approve ? 0 : 1, ctx->by,
	         ctx->reason, subject, body, now)) != LC_OK)
		goto out;
	/* the message's row is written once: status, decided_at and the edits together */
	if (!ctx->approve) {
		e = outbox_reject_tx(db, &m, ctx->reason, now, &changed);
		goto out;
	}
	next = m.campaign_status == CSTATUS_PAUSED ? MS_HELD : MS_SCHEDULED;
	if ((e = store_msg_decide(db, m.id, 1u << MS_AWAITING_APPROVAL, next, subject, body, NULL,
	         now, now, &n)) != LC_OK)
		goto out;
	message_event(&m, EV_APPROVAL_COMPLETED, now_ms(), &ev);
	if ((e = events_record(db, &ev, NULL)) != LC_OK)
		goto out;
	e = outbox_inv_set(db, &m, inv_status_of(next), 0, NULL, now);
out:
	db_rows_free(&r);
	return e;
}

lc_err
approvals_decide(struct core *core, const struct principal *who, const char *public_id, int approve,
    const char *decided_by, const char *subject, const char *body, const char *reason,
    struct page *v, struct core_fail *fail)
{
	struct decide_ctx ctx = {who, public_id, decided_by, subject, body, reason, approve, fail};
	lc_err e;

	if (v)
		memset(v, 0, sizeof(*v));
	if (!who->can_approve) {
		fail->code = "forbidden";
		fail->detail = "This key may not approve or reject messages.";
		return LC_EFORBIDDEN;
	}
	if (!id_has_shape("out_", public_id, strlen(public_id))) {
		fail->code = "approval_not_found";
		return LC_ENOTFOUND;
	}
	if ((subject && outbox_check_subject(subject, fail) != LC_OK) ||
	    (body && outbox_check_body(body, fail) != LC_OK))
		return LC_EINVAL;
	if (!approve && approvals_reason_check(reason, fail) != LC_OK)
		return LC_EINVAL;
	if ((e = db_tx(core->db, decide_tx, &ctx)) != LC_OK || v == NULL)
		return e;
	/* the answer of a decision is the message as decided, read once it committed */
	e = approvals_get(core, who, public_id, v);
	return e == LC_ENOTFOUND ? LC_EDB : e;
}

lc_err
approvals_reason_check(const char *reason, struct core_fail *fail)
{
	size_t i;

	for (i = 0; reason && reason[i] != '\0'; i++)
		if (reason[i] != ' ' && reason[i] != '\t' && reason[i] != '\r' && reason[i] != '\n')
			break;
	if (reason == NULL || reason[i] == '\0') {
		fail->code = "validation_failed";
		fail->param = "reason";
		fail->detail =
		    "Rejecting needs a reason: say in reason why the message should not go out.";
		return LC_EINVAL;
	}
	if (!text_valid(reason, 0, 500, 1)) {
		fail->code = "validation_failed";
		fail->param = "reason";
		fail->detail = "reason must be at most 500 characters.";
		return LC_EINVAL;
	}
	return LC_OK;
}
