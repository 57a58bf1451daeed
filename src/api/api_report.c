/* api_report.c: the client's report over the API (docs/report.md): the report as JSON
 * and as CSV, and its share links — create (the link's address is in that answer only),
 * list, revoke. The rules are the core's (core/report.h). */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/report.h"
#include "util/buf.h"
#include "util/timefmt.h"

static json_t *split_json(const char *s, char sep);
static json_t *share_json(const struct report_share *s);
static int campaign_param(struct http_ctx *ctx, const char **campaign);

/* split_json makes a JSON array of the non-empty parts of s between sep (NULL s: []). */
static json_t *
split_json(const char *s, char sep)
{
	json_t *a = json_array();
	const char *p, *end;

	for (p = s; a && p && *p; p = *end ? end + 1 : end) {
		if ((end = strchr(p, sep)) == NULL)
			end = p + strlen(p);
		if (end > p)
			json_array_append_new(a, json_stringn(p, (size_t)(end - p)));
	}
	return a;
}

static json_t *
share_json(const struct report_share *s)
{
	return json_pack("{s:s,s:s,s:o,s:o,s:o,s:s,s:o,s:o,s:o}", "id", s->id, "scope",
	    s->campaign_id ? "campaign" : "workspace", "campaignId",
	    api_str_or_null(s->campaign_id), "label", api_str_or_null(s->label), "createdBy",
	    api_str_or_null(s->created_by), "status", report_share_state(s, now_ms()), "createdAt",
	    api_time_or_null(s->created_ms), "expiresAt", api_time_or_null(s->expires_ms),
	    "revokedAt", api_time_or_null(s->revoked_ms));
}

/* campaign_param reads ?campaignId= (absent: the whole workspace); -1 after answering. */
static int
campaign_param(struct http_ctx *ctx, const char **campaign)
{
	static const char *const allowed[] = {"campaignId", NULL};

	if (api_only_params(ctx, allowed) != 0)
		return -1;
	*campaign = query_get(&ctx->query, "campaignId");
	if (*campaign && (*campaign)[0] == '\0') {
		api_bad_param(ctx, "campaignId", "campaignId names a campaign of this workspace.");
		return -1;
	}
	return 0;
}

void
api_report_get(void *arg)
{
	struct http_ctx *ctx = arg;
	struct report r;
	const char *campaign;
	json_t *rows, *verdicts, *doc;
	size_t i;
	lc_err e;

	if (campaign_param(ctx, &campaign) != 0)
		return;
	if ((e = report_read(ctx->core, &ctx->who, campaign, &r)) != LC_OK) {
		report_free(&r);
		api_fail(ctx, e, "campaign_not_found");
		return;
	}
	rows = json_array();
	verdicts = json_object();
	for (i = 0; verdicts && i < RV_N; i++)
		json_object_set_new(verdicts, report_verdict_name((unsigned)i),
		    json_integer((json_int_t)r.verdicts[i]));
	for (i = 0; rows && i < r.n; i++) {
		const struct report_row *it = &r.items[i];

		json_array_append_new(
		    rows, json_pack("{s:s,s:s,s:o,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:s,s:o,s:o}", "id",
		              it->id, "campaignId", it->campaign_id, "campaignName",
		              api_str_or_null(it->campaign_name), "domain", it->domain, "linkUrl",
		              it->link_url, "verdict", report_verdict_name(it->verdict), "issues",
		              split_json(it->issues, ','), "anchor", api_str_or_null(it->anchor),
		              "rel", it->rel ? split_json(it->rel, ' ') : json_null(),
		              "expectedAnchor", api_str_or_null(it->expected_anchor), "expectedRel",
		              it->expected_rel, "lastCheckedAt", api_time_or_null(it->checked_ms),
		              "guaranteeUntil", api_time_or_null(it->guarantee_ms)));
	}
	doc = json_pack("{s:s,s:o,s:o,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:f},s:o,s:o,s:b}",
	    "workspaceId", ctx->who.workspace_public, "campaignId", api_str_or_null(r.campaign_id),
	    "campaignName", api_str_or_null(r.campaign_name), "funnel", "campaigns",
	    (json_int_t)r.campaigns, "drafted", (json_int_t)r.drafted, "sent", (json_int_t)r.sent,
	    "delivered", (json_int_t)r.delivered, "opened", (json_int_t)r.opened, "replied",
	    (json_int_t)r.replied, "placed", (json_int_t)r.placed, "replyRate",
	    r.reply_rate / 100.0, "placementRate", r.placement_rate / 100.0, "verdicts",
	    verdicts ? verdicts : json_object(), "placements", rows ? rows : json_array(),
	    "truncated", r.truncated);
	report_free(&r);
	http_send_json(ctx->req, 200, doc, NULL);
}

void
api_report_export(void *arg)
{
	struct http_ctx *ctx = arg;
	struct report r;
	struct buf out;
	const char *campaign;
	lc_err e;

	if (campaign_param(ctx, &campaign) != 0)
		return;
	buf_init(&out, REPORT_CSV_MAX);
	if ((e = report_read(ctx->core, &ctx->who, campaign, &r)) != LC_OK ||
	    (e = report_csv(&r, &out)) != LC_OK) {
		report_free(&r);
		buf_free(&out);
		api_fail(ctx, e, "campaign_not_found");
		return;
	}
	http_send(ctx->req, 200, "text/csv; charset=utf-8",
	    r.truncated ? "Content-Disposition: attachment; filename=\"report.csv\"\r\n"
	                  "X-Linkcamp-Truncated: true\r\n"
	                : "Content-Disposition: attachment; filename=\"report.csv\"\r\n",
	    out.data ? out.data : "", out.len);
	report_free(&r);
	buf_free(&out);
}

void
api_report_share_create(void *arg)
{
	static const char *const keys[] = {"campaignId", "expiresInDays", "label", NULL};
	struct http_ctx *ctx = arg;
	struct report_share_list l;
	struct core_fail fail;
	char token[REPORT_TOKEN_MAX], url[2048 + REPORT_TOKEN_MAX], by[128];
	const char *campaign = NULL, *label = NULL;
	long long days = REPORT_SHARE_DAYS_DEFAULT;
	json_t *doc, *out;
	lc_err e;

	/* An idempotency record keeps the first answer to replay it, and this answer holds the
	 * link's secret, which is never stored in clear: a repeated POST makes a second link
	 * (both revocable) rather than a copy of the first one's secret in a table. */
	if (ctx->req->idempotency_key) {
		http_problem(ctx->req, 400, "invalid_parameter",
		    "This route does not take an Idempotency-Key: its answer holds a secret that "
		    "is "
		    "never stored. Send the request without one.",
		    "Idempotency-Key", NULL, NULL);
		return;
	}
	if ((doc = api_read_json(ctx, 1)) == NULL)
		return;
	if (api_only_keys(ctx, doc, keys, NULL) != 0 ||
	    api_get_str(ctx, doc, "campaignId", 0, &campaign, "campaignId") != 0 ||
	    api_get_str(ctx, doc, "label", 0, &label, "label") != 0 ||
	    api_get_int(
	        ctx, doc, "expiresInDays", 0, 1, REPORT_SHARE_DAYS_MAX, &days, "expiresInDays") < 0)
		goto out;
	api_requester(ctx, by, sizeof(by));
	memset(&fail, 0, sizeof(fail));
	e = report_share_create(
	    ctx->core, &ctx->who, campaign, (long)days, label, by, &l, token, &fail);
	if (e == LC_OK)
		e = report_share_url(ctx->core, token, url, sizeof(url));
	if (e != LC_OK) {
		report_share_list_free(&l);
		api_fail_core(ctx, e, &fail);
		goto out;
	}
	out = share_json(&l.items[0]);
	json_object_set_new(out, "url", json_string(url));
	http_send_json(ctx->req, 201, out, NULL);
	report_share_list_free(&l);
out:
	json_decref(doc);
}

void
api_report_share_list(void *arg)
{
	static const char *const allowed[] = {"limit", "cursor", NULL};
	struct http_ctx *ctx = arg;
	struct report_share_list l;
	unsigned limit;
	int has_cursor;
	int64_t cursor_ms = 0, cursor_id = 0;
	json_t *data;
	size_t i;
	lc_err e;

	if (api_only_params(ctx, allowed) != 0 ||
	    api_parse_limit_cursor(ctx, &limit, &has_cursor, &cursor_ms, &cursor_id) != 0)
		return;
	if ((e = report_share_list(ctx->core, &ctx->who, limit, cursor_id, &l)) != LC_OK) {
		report_share_list_free(&l);
		api_fail(ctx, e, "share_not_found");
		return;
	}
	data = json_array();
	for (i = 0; data && i < l.n; i++)
		json_array_append_new(data, share_json(&l.items[i]));
	api_send_page(ctx, data ? data : json_array(), l.total, l.has_next, l.next_cursor);
	report_share_list_free(&l);
}

void
api_report_share_delete(void *arg)
{
	struct http_ctx *ctx = arg;
	struct report_share_list l;
	lc_err e;

	if (api_no_params(ctx) != 0)
		return;
	e = report_share_revoke(ctx->core, &ctx->who, ctx->match.captures[0], &l);
	report_share_list_free(&l);
	if (e != LC_OK) {
		api_fail(ctx, e, "share_not_found");
		return;
	}
	http_send(ctx->req, 204, "application/json", NULL, "", 0);
}
