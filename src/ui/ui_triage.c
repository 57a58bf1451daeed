/* ui_triage.c: the workspace's unmatched inbound mail and the three decisions on it
 * (docs/inbound.md, "Triage"): the same core calls as /v1/inbound/unmatched. Everyone with
 * a role reads the list; approvers decide, and their address is kept with the decision. */
#include <stdio.h>
#include <string.h>

#include "core/inbound_view.h"
#include "ui/ui.h"
#include "ui/ui_app.h"
#include "ui/ui_labels.h"

#define UI_TRIAGE_PAGE 25
#define UI_EXCERPT_BYTES 600

static json_t *item_json(const struct inbound_view *);

/* item_json: one waiting message; the text is cut at a character boundary. */
static json_t *
item_json(const struct inbound_view *v)
{
	char excerpt[UI_EXCERPT_BYTES + 4];
	const char *t = v->text_new ? v->text_new : "";
	size_t n = strlen(t);
	json_t *o;

	if (n > UI_EXCERPT_BYTES) {
		n = UI_EXCERPT_BYTES;
		while (n > 0 && ((unsigned char)t[n] & 0xC0) == 0x80)
			n--;
		memcpy(excerpt, t, n);
		memcpy(excerpt + n, "…", 4);
	} else {
		memcpy(excerpt, t, n + 1);
	}
	o = json_pack("{s:s,s:s,s:s,s:s}", "id", v->public_id, "class",
	    ui_label(inbound_class_name(v->klass)), "subject", v->subject ? v->subject : "",
	    "excerpt", excerpt);
	if (o) {
		ui_set_str(o, "from", v->from);
		ui_set_str(o, "from_name", v->from_name);
		ui_set_str(o, "to", v->to);
		ui_set_str(o, "ooo_return", v->ooo_return);
		ui_set_time(o, "received", v->received_ms);
	}
	return o;
}

void
ui_triage_get(void *arg)
{
	struct http_ctx *ctx = arg;
	struct inbound_query q;
	struct page pg;
	const struct inbound_view *views;
	struct ui_user u;
	struct ui_ws w;
	json_t *page, *items;
	const char *cursor;
	size_t i;
	lc_err e;

	if (ui_need_user(ctx, &u) != 0 || ui_need_ws(ctx, &u, &w) != 0)
		return;
	memset(&q, 0, sizeof(q));
	q.limit = UI_TRIAGE_PAGE;
	if ((cursor = query_get(&ctx->query, "cursor")) != NULL) {
		if (cursor_decode(cursor, strlen(cursor), &q.cursor_ms, &q.cursor_id) != LC_OK) {
			ui_error(ctx, 400, "Bad link", "That page link is not one this site made.",
			    NULL);
			return;
		}
		q.has_cursor = 1;
	}
	if ((e = inbound_triage_list(ctx->core, &w.who, &q, &pg)) != LC_OK) {
		ui_fail(ctx, e);
		return;
	}
	page = ui_ctx_new(&u, &w, "Unmatched mail");
	items = json_array();
	views = pg.items;
	for (i = 0; items && i < pg.n; i++)
		json_array_append_new(items, item_json(&views[i]));
	if (page) {
		json_object_set_new(page, "items", items ? items : json_array());
		json_object_set_new(page, "empty", json_boolean(pg.n == 0));
		json_object_set_new(page, "total", json_integer((json_int_t)pg.total));
		json_object_set_new(page, "wide", json_true());
		if (pg.has_next)
			json_object_set_new(page, "next", json_string(pg.next_cursor));
	} else {
		json_decref(items);
	}
	page_free(&pg);
	ui_render(ctx, 200, "triage", page, NULL);
}

void
ui_triage_post(void *arg)
{
	struct http_ctx *ctx = arg;
	struct core_fail fail;
	struct ui_user u;
	struct ui_ws w;
	struct ui_form f;
	const char *d, *rel;
	char back[128], by[USER_EMAIL_MAX + 8];
	unsigned decision;
	lc_err e;

	if (ui_post(ctx, &u, &w, &f) != 0)
		return;
	snprintf(back, sizeof(back), "/app/w/%s/unmatched", w.who.workspace_public);
	if (!w.who.can_approve) {
		ui_form_free(&f);
		ui_fail(ctx, LC_EFORBIDDEN);
		return;
	}
	d = ui_form_get(&f, "decision");
	rel = ui_form_get(&f, "relationship");
	if (rel != NULL) {
		while (*rel == ' ')
			rel++;
		if (*rel == '\0')
			rel = NULL;
	}
	if (d != NULL && strcmp(d, "match") == 0)
		decision = TRIAGE_MATCH;
	else if (d != NULL && strcmp(d, "match_and_unsubscribe") == 0)
		decision = TRIAGE_MATCH_UNSUBSCRIBE;
	else if (d != NULL && strcmp(d, "dismiss") == 0)
		decision = TRIAGE_DISMISS;
	else {
		ui_form_free(&f);
		ui_error(ctx, 422, "Not possible",
		    "Choose match, match and unsubscribe, or dismiss.", NULL);
		return;
	}
	snprintf(by, sizeof(by), "user:%s", u.s.email);
	memset(&fail, 0, sizeof(fail));
	e = inbound_triage_decide(
	    ctx->core, &w.who, ctx->match.captures[1], decision, rel, by, &fail);
	ui_form_free(&f);
	if (e == LC_OK) {
		ui_redirect(ctx->req, back, NULL);
	} else if (e == LC_ECONFLICT || e == LC_EINVAL ||
	           (e == LC_ENOTFOUND && fail.code &&
	               strcmp(fail.code, "relationship_not_found") == 0)) {
		json_t *page = json_pack("{s:s,s:s,s:s,s:i}", "title", "Not possible", "message",
		    e == LC_ECONFLICT ? "This message was matched or decided already."
		    : e == LC_EINVAL  ? "Give the prospect's address or relationship id to match."
		                      : "No prospect of this workspace has that address or id.",
		    "back", back, "status", e == LC_ECONFLICT ? 409 : 422);
		ui_render(ctx, e == LC_ECONFLICT ? 409 : 422, "error", page, NULL);
	} else {
		ui_fail(ctx, e);
	}
}
