/* ui_report.c: the client's report for signed-in people (docs/report.md): a workspace's
 * or a campaign's funnel and placements, its CSV, and its share links — made and revoked
 * by approvers, as the API's keys do, through the same core calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui.h"
#include "ui/ui_app.h"
#include "ui/ui_report_view.h"
#include "util/timefmt.h"

#define SHARES_SHOWN 50

static int id_chars(const char *s);
static json_t *shares_json(struct http_ctx *ctx, const struct ui_ws *w);
static void show(struct http_ctx *ctx, const struct ui_user *u, const struct ui_ws *w,
    const char *campaign, int status, const char *new_url, const char *problem);
static void page_get(struct http_ctx *ctx, const char *campaign);
static void export(struct http_ctx *ctx, const char *campaign);

/* id_chars: s is a plausible public id (it goes into a path we redirect to). */
static int
id_chars(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	return i > 0 && i < ID_MAX;
}

/* shares_json lists the workspace's newest share links for an approver; NULL on error
 * (the page then goes without the list). */
static json_t *
shares_json(struct http_ctx *ctx, const struct ui_ws *w)
{
	struct report_share_list l;
	char created[32], expires[32];
	json_t *a;
	size_t i;

	if (report_share_list(ctx->core, &w->who, SHARES_SHOWN, 0, &l) != LC_OK) {
		report_share_list_free(&l);
		return NULL;
	}
	a = json_array();
	for (i = 0; a && i < l.n; i++) {
		const struct report_share *s = &l.items[i];
		const char *state = report_share_state(s, now_ms());
		json_t *o;

		ui_time(s->created_ms, created);
		ui_time(s->expires_ms, expires);
		o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "id", s->id, "scope",
		    s->campaign_id ? (s->campaign_name ? s->campaign_name : s->campaign_id)
		                   : "Whole workspace",
		    "state", state, "created", created, "expires", expires, "active",
		    strcmp(state, "active") == 0);
		if (o == NULL)
			continue;
		ui_set_str(o, "label", s->label);
		ui_set_str(o, "by", s->created_by);
		json_array_append_new(a, o);
	}
	report_share_list_free(&l);
	return a;
}

/* show renders the report of the path's workspace (campaign NULL) or campaign, with the
 * address of a link just made (new_url) or why making one failed (problem). */
static void
show(struct http_ctx *ctx, const struct ui_user *u, const struct ui_ws *w, const char *campaign,
    int status, const char *new_url, const char *problem)
{
	struct report r;
	char href[256], title[300];
	json_t *page, *shares;
	lc_err e;

	if ((e = report_read(ctx->core, &w->who, campaign, &r)) != LC_OK) {
		report_free(&r);
		ui_fail(ctx, e);
		return;
	}
	snprintf(
	    title, sizeof(title), "Link report · %s", r.campaign_name ? r.campaign_name : w->name);
	page = ui_ctx_new(u, w, title);
	if (page && ui_report_fill(page, &r, w->who.workspace_public, 0) != 0) {
		json_decref(page);
		page = NULL;
	}
	if (page) {
		json_object_set_new(page, "ws_name", json_string(w->name));
		if (campaign)
			snprintf(href, sizeof(href), "/app/w/%s/campaigns/%s/report/export",
			    w->who.workspace_public, campaign);
		else
			snprintf(
			    href, sizeof(href), "/app/w/%s/report/export", w->who.workspace_public);
		json_object_set_new(page, "export_href", json_string(href));
		json_object_set_new(page, "days_default", json_integer(REPORT_SHARE_DAYS_DEFAULT));
		json_object_set_new(page, "days_max", json_integer(REPORT_SHARE_DAYS_MAX));
		ui_set_str(page, "new_url", new_url);
		ui_set_str(page, "problem", problem);
		if (w->role == ROLE_APPROVER && (shares = shares_json(ctx, w)) != NULL) {
			json_object_set_new(
			    page, "has_shares", json_boolean(json_array_size(shares)));
			json_object_set_new(page, "shares", shares);
		}
	}
	report_free(&r);
	ui_render(ctx, status, "report", page, NULL);
}

static void
page_get(struct http_ctx *ctx, const char *campaign)
{
	struct ui_user u;
	struct ui_ws w;

	if (ui_need_user(ctx, &u) != 0 || ui_need_ws(ctx, &u, &w) != 0)
		return;
	show(ctx, &u, &w, campaign, 200, NULL, NULL);
}

static void export(struct http_ctx *ctx, const char *campaign)
{
	struct ui_user u;
	struct ui_ws w;
	struct report r;
	lc_err e;

	if (ui_need_user(ctx, &u) != 0 || ui_need_ws(ctx, &u, &w) != 0)
		return;
	if ((e = report_read(ctx->core, &w.who, campaign, &r)) != LC_OK)
		ui_fail(ctx, e);
	else
		ui_report_send_csv(ctx, &r, NULL);
	report_free(&r);
}

void
ui_report_get(void *arg)
{
	page_get(arg, NULL);
}

void
ui_report_campaign_get(void *arg)
{
	struct http_ctx *ctx = arg;

	page_get(ctx, ctx->match.captures[1]);
}

void
ui_report_export(void *arg)
{
	export(arg, NULL);
}

void
ui_report_campaign_export(void *arg)
{
	struct http_ctx *ctx = arg;

	export(ctx, ctx->match.captures[1]);
}

void
ui_report_share_post(void *arg)
{
	struct http_ctx *ctx = arg;
	struct ui_user u;
	struct ui_ws w;
	struct ui_form f;
	struct report_share_list l;
	struct core_fail fail;
	char token[REPORT_TOKEN_MAX], url[2048 + REPORT_TOKEN_MAX], *end;
	const char *campaign, *days_s, *label;
	long days = REPORT_SHARE_DAYS_DEFAULT;
	lc_err e;

	if (ui_post(ctx, &u, &w, &f) != 0)
		return;
	/* viewers read the report; approvers also hand it out */
	if (w.role != ROLE_APPROVER) {
		ui_form_free(&f);
		ui_fail(ctx, LC_EFORBIDDEN);
		return;
	}
	campaign = ui_form_get(&f, "campaign");
	if (campaign && campaign[0] == '\0')
		campaign = NULL;
	label = ui_form_get(&f, "label");
	if (label && label[0] == '\0')
		label = NULL;
	if ((days_s = ui_form_get(&f, "days")) != NULL && days_s[0] != '\0') {
		days = strtol(days_s, &end, 10);
		if (*end != '\0' || days_s[0] == '-' || days_s[0] == '+')
			days = 0; /* refused below with the rule's own words */
	}
	if (campaign && !id_chars(campaign)) {
		ui_form_free(&f);
		ui_fail(ctx, LC_ENOTFOUND);
		return;
	}
	memset(&fail, 0, sizeof(fail));
	e = report_share_create(
	    ctx->core, &w.who, campaign, days, label, u.s.email, &l, token, &fail);
	if (e == LC_OK)
		e = report_share_url(ctx->core, token, url, sizeof(url));
	report_share_list_free(&l);
	if (e == LC_OK)
		show(ctx, &u, &w, campaign, 200, url, NULL);
	else if (e == LC_EINVAL)
		show(ctx, &u, &w, campaign, 422, NULL, fail.detail);
	else
		ui_fail(ctx, e);
	ui_form_free(&f);
}

void
ui_report_share_revoke(void *arg)
{
	struct http_ctx *ctx = arg;
	struct ui_user u;
	struct ui_ws w;
	struct ui_form f;
	struct report_share_list l;
	const char *campaign;
	char back[256];
	lc_err e;

	if (ui_post(ctx, &u, &w, &f) != 0)
		return;
	if (w.role != ROLE_APPROVER) {
		ui_form_free(&f);
		ui_fail(ctx, LC_EFORBIDDEN);
		return;
	}
	campaign = ui_form_get(&f, "campaign");
	if (campaign && id_chars(campaign))
		snprintf(back, sizeof(back), "/app/w/%s/campaigns/%s/report",
		    w.who.workspace_public, campaign);
	else
		snprintf(back, sizeof(back), "/app/w/%s/report", w.who.workspace_public);
	e = report_share_revoke(ctx->core, &w.who, ctx->match.captures[1], &l);
	report_share_list_free(&l);
	ui_form_free(&f);
	if (e == LC_OK)
		ui_redirect(ctx->req, back, NULL);
	else
		ui_fail(ctx, e);
}
