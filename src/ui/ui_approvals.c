/* ui_approvals.c: the approval queue and one message. Every decision goes through
 * approvals_decide(), the function the API's /v1/approvals uses, as the signed-in user
 * (a principal that may approve only when the user's role is approver). GETs only read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pacing.h"
#include "core/validate.h"
#include "ui/ui.h"
#include "ui/ui_app.h"
#include "ui/ui_labels.h"
#include "util/cursor.h"
#include "util/timefmt.h"

#define QUEUE_PAGE 50
#define BULK_MAX 100
#define HISTORY_MAX 20

static json_t *kinds_json(int);
static char *lf_only(const char *);
static void decide_fail(struct http_ctx *, lc_err, const struct core_fail *, const char *);
static void decide_one(struct http_ctx *, int);

static json_t *
kinds_json(int selected)
{
	json_t *a = json_array();
	unsigned k;

	for (k = 0; a && k < MSG_NKINDS; k++)
		json_array_append_new(a, json_pack("{s:s,s:b}", "name", msg_kind_name(k),
		                             "selected", (int)k == selected));
	return a;
}

/* lf_only copies s with CRLF (and lone CR) turned into LF: browsers send textarea lines
 * with CRLF, messages are stored with LF. malloc'd; NULL when s is NULL or no memory. */
static char *
lf_only(const char *s)
{
	char *out, *w;

	if (s == NULL || (out = malloc(strlen(s) + 1)) == NULL)
		return NULL;
	for (w = out; *s; s++) {
		if (*s == '\r') {
			*w++ = '\n';
			if (s[1] == '\n')
				s++;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
	return out;
}

void
ui_queue_get(void *arg)
{
	struct http_ctx *ctx = arg;
	struct ui_user u;
	struct ui_ws w;
	struct page cp, cv;
	const struct approval_campaign *camp_items;
	const struct campaign *selected = NULL;
	struct approval_query q;
	struct page ap;
	const struct msg_brief *ap_items;
	const char *campaign = query_get(&ctx->query, "campaign");
	const char *kind = query_get(&ctx->query, "kind"),
	           *cursor = query_get(&ctx->query, "cursor");
	char next[512];
	json_t *page, *items, *camps;
	int kind_v = -1;
	size_t i;
	lc_err e;

	if (ui_need_user(ctx, &u) != 0 || ui_need_ws(ctx, &u, &w) != 0)
		return;
	memset(&q, 0, sizeof(q));
	if (campaign && campaign[0] == '\0')
		campaign = NULL;
	if (kind && kind[0] == '\0')
		kind = NULL;
	if ((campaign && !campaign_id_valid(campaign)) ||
	    (kind && (kind_v = msg_kind_from_name(kind, strlen(kind))) < 0) ||
	    (cursor &&
	        cursor_decode(cursor, strlen(cursor), &q.cursor_ms, &q.cursor_id) != LC_OK)) {
		ui_error(ctx, 400, "Bad filter", "This filter is not one the page offers.", NULL);
		return;
	}
	q.campaign_id = campaign;
	q.kind_mask = kind ? 1u << kind_v : 0;
	q.has_cursor = cursor != NULL;
	q.limit = QUEUE_PAGE;
	q.no_total = 1; /* the menu's statement counts them */
	memset(&cv, 0, sizeof(cv));
	memset(&ap, 0, sizeof(ap));
	if ((e = approvals_by_campaign(ctx->core, &w.who, &q, &cp)) != LC_OK) {
		ui_fail(ctx, e);
		return;
	}
	camp_items = cp.items;
	for (i = 0; campaign && i < cp.n && strcmp(campaign, camp_items[i].public_id) != 0; i++)
		;
	if (campaign && i == cp.n) {
		/* a campaign with nothing waiting stays chosen in the menu, by its name */
		e = campaigns_get(ctx->core, &w.who, campaign, &cv);
		if (e == LC_OK)
			selected = cv.items;
		else if (e != LC_ENOTFOUND)
			goto fail;
	}
	/* the list runs even when the counts say nothing waits: they are kept beside the
	 * messages (approval_waiting), and a message must never be hidden by a count gone
	 * wrong, such as one an old program wrote between `linkcamp migrate` and its restart */
	if ((e = approvals_list_brief(ctx->core, &w.who, &q, &ap)) != LC_OK)
		goto fail;
	ap_items = ap.items;
	page = ui_ctx_new(&u, &w, "Approval queue");
	items = json_array();
	camps = json_array();
	for (i = 0; items && i < ap.n; i++) {
		const struct msg_brief *m = &ap_items[i];
		json_t *it = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i}", "id", m->public_id, "to",
		    m->to, "to_name", m->to_name ? m->to_name : "", "subject", m->subject, "kind",
		    ui_label(msg_kind_name(m->kind)), "campaign_id", m->campaign_public_id,
		    "credits", (int)m->credits_reserved);
		if (it == NULL)
			continue;
		ui_set_str(it, "campaign_name", m->campaign_name);
		ui_set_time(it, "schedule", m->schedule_ms);
		ui_set_time(it, "created", m->created_ms);
		json_array_append_new(items, it);
	}
	for (i = 0; camps && i < cp.n; i++)
		json_array_append_new(
		    camps, json_pack("{s:s,s:s,s:I,s:b}", "id", camp_items[i].public_id, "name",
		               camp_items[i].name, "n", (json_int_t)camp_items[i].n, "selected",
		               campaign && strcmp(campaign, camp_items[i].public_id) == 0));
	if (camps && selected)
		json_array_append_new(
		    camps, json_pack("{s:s,s:s,s:i,s:b}", "id", selected->public_id, "name",
		               selected->name, "n", 0, "selected", 1));
	if (page) {
		json_object_set_new(page, "items", items ? items : json_array());
		json_object_set_new(page, "campaigns", camps ? camps : json_array());
		json_object_set_new(page, "kinds", kinds_json(kind_v));
		json_object_set_new(page, "total", json_integer(cp.total));
		json_object_set_new(page, "empty", json_boolean(ap.n == 0));
		json_object_set_new(page, "filtered", json_boolean(campaign || kind));
		if (ap.has_next) {
			snprintf(next, sizeof(next), "/app/w/%s/approvals?cursor=%s%s%s%s%s",
			    w.who.workspace_public, ap.next_cursor, campaign ? "&campaign=" : "",
			    campaign ? campaign : "", kind ? "&kind=" : "", kind ? kind : "");
			json_object_set_new(page, "next", json_string(next));
		}
		if (cursor)
			json_object_set_new(page, "paged", json_true());
	} else {
		json_decref(items);
		json_decref(camps);
	}
	page_free(&ap);
	page_free(&cv);
	page_free(&cp);
	ui_render(ctx, 200, "queue", page, NULL);
	return;
fail:
	page_free(&cv);
	page_free(&cp);
	ui_fail(ctx, e);
}

void
ui_queue_post(void *arg)
{
	struct http_ctx *ctx = arg;
	struct ui_user u;
	struct ui_ws w;
	struct ui_form f;
	struct core_fail fail;
	const char *action, *reason;
	char actor[96];
	json_t *page, *results;
	size_t i, nid = 0, done = 0, conflicts = 0, failed = 0;
	int approve;
	lc_err e;

	if (ui_post(ctx, &u, &w, &f) != 0)
		return;
	action = ui_form_get(&f, "action");
	reason = ui_form_get(&f, "reason");
	if (action == NULL || (strcmp(action, "approve") != 0 && strcmp(action, "reject") != 0)) {
		ui_form_free(&f);
		ui_error(
		    ctx, 400, "Choose an action", "Approve or reject the selected messages.", NULL);
		return;
	}
	approve = strcmp(action, "approve") == 0;
	if (!w.who.can_approve) {
		ui_form_free(&f);
		ui_fail(ctx, LC_EFORBIDDEN);
		return;
	}
	for (i = 0; i < f.n; i++)
		nid += strcmp(f.key[i], "id") == 0;
	if (nid == 0 || nid > BULK_MAX) {
		ui_form_free(&f);
		ui_error(ctx, 422, "Select messages",
		    "Select between 1 and 100 messages, then approve or reject them.", NULL);
		return;
	}
	memset(&fail, 0, sizeof(fail));
	if (!approve && approvals_reason_check(reason, &fail) != LC_OK) {
		/* one answer for the whole batch, not one refusal per message */
		ui_form_free(&f);
		ui_error(ctx, 422, "Give a reason", fail.detail, NULL);
		return;
	}
	users_actor(&u.s, actor, sizeof(actor));
	results = json_array();
	for (i = 0; i < f.n; i++) {
		const char *outcome;
		if (strcmp(f.key[i], "id") != 0)
			continue;
		memset(&fail, 0, sizeof(fail));
		e = approvals_decide(ctx->core, &w.who, f.value[i], approve, actor, NULL, NULL,
		    approve ? NULL : reason, NULL, &fail);
		if (e == LC_OK) {
			outcome = approve ? "approved" : "rejected";
			done++;
		} else if (e == LC_ECONFLICT) {
			outcome = "already decided";
			conflicts++;
		} else if (e == LC_ENOTFOUND) {
			outcome = "not found";
			failed++;
		} else if (e == LC_EINVAL) {
			outcome = fail.detail ? fail.detail : "not valid";
			failed++;
		} else if (e == LC_EFORBIDDEN) {
			outcome = "not allowed";
			failed++;
		} else {
			outcome = "failed; try again";
			failed++;
		}
		if (results)
			json_array_append_new(results, json_pack("{s:s,s:s,s:b}", "id", f.value[i],
			                                   "outcome", outcome, "ok", e == LC_OK));
	}
	page = ui_ctx_new(&u, &w, approve ? "Approved" : "Rejected");
	if (page) {
		json_object_set_new(page, "results", results ? results : json_array());
		json_object_set_new(page, "done", json_integer((json_int_t)done));
		json_object_set_new(page, "conflicts", json_integer((json_int_t)conflicts));
		json_object_set_new(page, "any_conflicts", json_boolean(conflicts > 0));
		json_object_set_new(page, "failed", json_integer((json_int_t)failed));
		json_object_set_new(page, "verb", json_string(approve ? "approved" : "rejected"));
	} else {
		json_decref(results);
	}
	ui_form_free(&f);
	/* nothing changed and something was already decided: the decisions are final */
	ui_render(ctx, done == 0 && conflicts > 0 ? 409 : 200, "bulk_done", page, NULL);
}

void
ui_message_get(void *arg)
{
	struct http_ctx *ctx = arg;
	struct ui_user u;
	struct ui_ws w;
	struct page mv, cv, rv;
	struct out_message m;
	struct campaign c;
	struct relationship r;
	struct history h;
	struct decision_page d;
	json_t *page, *hist, *decs, *msg;
	int have_c, have_r;
	size_t i;
	lc_err e;

	if (ui_need_user(ctx, &u) != 0 || ui_need_ws(ctx, &u, &w) != 0)
		return;
	if ((e = approvals_get(ctx->core, &w.who, ctx->match.captures[1], &mv)) != LC_OK) {
		ui_fail(ctx, e);
		return;
	}
	/* copies of the views' items: their strings stay in the views until the end */
	m = *(const struct out_message *)mv.items;
	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	memset(&cv, 0, sizeof(cv));
	memset(&rv, 0, sizeof(rv));
	memset(&h, 0, sizeof(h));
	memset(&d, 0, sizeof(d));
	e = campaigns_get(ctx->core, &w.who, m.campaign_public_id, &cv);
	have_c = e == LC_OK;
	if (have_c)
		c = *(const struct campaign *)cv.items;
	if (e == LC_OK || e == LC_ENOTFOUND) {
		e = relationships_get(ctx->core, &w.who, m.relationship_public_id, &rv);
		have_r = e == LC_OK;
		if (have_r)
			r = *(const struct relationship *)rv.items;
		if (e == LC_ENOTFOUND)
			e = LC_OK;
	} else {
		have_r = 0;
	}
	if (e == LC_OK)
		e = messages_of_relationship(ctx->core, &w.who, m.relationship_id, HISTORY_MAX, &h);
	if (e == LC_OK)
		e = decisions_of_message(ctx->core, &w.who, m.id, &d);
	if (e != LC_OK) {
		ui_fail(ctx, e);
		goto out;
	}

	page = ui_ctx_new(&u, &w, "Message");
	msg = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:i,s:i,s:s,s:b}", "id", m.public_id,
	    "kind", ui_label(msg_kind_name(m.kind)), "status", msg_status_name(m.status), "from",
	    m.from, "to", m.to, "to_name", m.to_name ? m.to_name : "", "subject", m.subject, "body",
	    m.body, "credits", (int)m.credits_reserved, "charged", (int)m.credits_charged, "cost",
	    SEND_COST, "campaign_id", m.campaign_public_id, "pending",
	    m.status == MS_AWAITING_APPROVAL);
	if (msg) {
		/* status stays the identifier (the page's CSS class); people read its label */
		ui_set_str(msg, "status_label", ui_label(msg_status_name(m.status)));
		ui_set_str(msg, "campaign_name", have_c ? c.name : m.campaign_public_id);
		ui_set_str(msg, "message_id", m.message_id);
		ui_set_str(msg, "in_reply_to", m.in_reply_to);
		ui_set_str(msg, "references", m.references);
		ui_set_str(msg, "requested_by", m.requested_by);
		ui_set_str(msg, "last_error", m.last_error);
		/* a message pacing holds: why, and when its mailbox's next slot comes */
		ui_set_str(msg, "held_reason", ui_label(pacing_reason_name(m.held_reason)));
		if (m.next_slot_ms >= 0)
			ui_set_time(msg, "next_slot", m.next_slot_ms);
		ui_set_time(msg, "schedule", m.schedule_ms);
		ui_set_time(msg, "created", m.created_ms);
		if (m.sent_ms >= 0)
			ui_set_time(msg, "sent", m.sent_ms);
		json_object_set_new(msg, "late",
		    json_boolean(
		        m.status == MS_AWAITING_APPROVAL && m.schedule_ms >= 0 &&
		        m.schedule_ms + (int64_t)m.max_lateness_hours * 3600000 < now_ms()));
		json_object_set_new(msg, "max_lateness_hours", json_integer(m.max_lateness_hours));
	}
	if (have_r) {
		json_t *p = json_pack("{s:s,s:s,s:s,s:s}", "domain", r.domain ? r.domain : "",
		    "name", r.contact_name ? r.contact_name : "", "email",
		    r.contact_email ? r.contact_email : "", "status",
		    ui_label(rel_status_name(r.status)));
		if (p && msg)
			json_object_set_new(msg, "prospect", p);
		else
			json_decref(p);
	}
	hist = json_array();
	for (i = 0; hist && i < h.n; i++) {
		json_t *it = json_pack("{s:s,s:s,s:s,s:s,s:b}", "id", h.items[i].public_id,
		    "subject", h.items[i].subject, "kind", ui_label(msg_kind_name(h.items[i].kind)),
		    "status", ui_label(msg_status_name(h.items[i].status)), "current",
		    strcmp(h.items[i].public_id, m.public_id) == 0);
		if (it == NULL)
			continue;
		ui_set_time(it, "created", h.items[i].created_ms);
		ui_set_time(it, "sent", h.items[i].sent_ms);
		json_array_append_new(hist, it);
	}
	decs = json_array();
	for (i = 0; decs && i < d.n; i++) {
		const struct decision_entry *x = &d.items[i];
		json_t *it =
		    json_pack("{s:s,s:s,s:b,s:b}", "decision", decision_kind_name(x->decision),
		        "by", x->user_email ? x->user_email : x->decided_by, "edited_subject",
		        x->edited_subject, "edited_body", x->edited_body);
		if (it == NULL)
			continue;
		ui_set_time(it, "at", x->at_ms);
		ui_set_str(it, "reason", x->reason);
		json_array_append_new(decs, it);
	}
	if (page && msg) {
		json_object_set_new(page, "m", msg);
		json_object_set_new(page, "history", hist ? hist : json_array());
		json_object_set_new(page, "decisions", decs ? decs : json_array());
		json_object_set_new(page, "decided", json_boolean(d.n > 0));
		ui_render(ctx, 200, "message", page, NULL);
	} else {
		json_decref(page);
		json_decref(msg);
		json_decref(hist);
		json_decref(decs);
		ui_fail(ctx, LC_ENOMEM);
	}
out:
	decision_page_free(&d);
	history_free(&h);
	page_free(&rv);
	page_free(&cv);
	page_free(&mv);
}

/* decide_fail answers the page for a decision the core refused. */
static void
decide_fail(struct http_ctx *ctx, lc_err e, const struct core_fail *fail, const char *back)
{
	json_t *page;

	if (e == LC_ECONFLICT) {
		page = json_pack("{s:s,s:s,s:s,s:i}", "title", "Already decided", "message",
		    "Someone already decided this message, and decisions are final. Nothing was "
		    "changed.",
		    "back", back, "status", 409);
		ui_render(ctx, 409, "error", page, NULL);
	} else if (e == LC_EINVAL) {
		page = json_pack("{s:s,s:s,s:s,s:i}", "title", "Not valid", "message",
		    fail->detail ? fail->detail : "A field is not valid.", "back", back, "status",
		    422);
		ui_render(ctx, 422, "error", page, NULL);
	} else {
		ui_fail(ctx, e);
	}
}

/* decide_one approves (with edits when the form changed subject or body) or rejects the
 * message of the path, then shows it. */
static void
decide_one(struct http_ctx *ctx, int approve)
{
	struct ui_user u;
	struct ui_ws w;
	struct ui_form f;
	struct core_fail fail;
	const char *id = ctx->match.captures[1], *subject = NULL, *reason = NULL;
	char actor[96], back[256], *body = NULL;
	lc_err e;

	if (ui_post(ctx, &u, &w, &f) != 0)
		return;
	snprintf(back, sizeof(back), "/app/w/%s/approvals/%s", w.who.workspace_public, id);
	memset(&fail, 0, sizeof(fail));
	if (approve) {
		subject = ui_form_get(&f, "subject");
		if (ui_form_get(&f, "body") && (body = lf_only(ui_form_get(&f, "body"))) == NULL) {
			e = LC_ENOMEM;
			goto out;
		}
		/* the form always carries both; approvals_decide keeps only what changed */
	} else {
		reason = ui_form_get(&f, "reason"); /* approvals_decide requires it */
	}
	users_actor(&u.s, actor, sizeof(actor));
	e = approvals_decide(
	    ctx->core, &w.who, id, approve, actor, subject, body, reason, NULL, &fail);
out:
	if (e == LC_OK)
		ui_redirect(ctx->req, back, NULL);
	else
		decide_fail(ctx, e, &fail, back);
	free(body);
	ui_form_free(&f);
}

void
ui_message_approve(void *arg)
{
	decide_one(arg, 1);
}

void
ui_message_reject(void *arg)
{
	decide_one(arg, 0);
}
