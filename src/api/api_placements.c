/* api_placements.c: /v1/link-building/relationship/{id}/placement (SPEC §6,
 * docs/placements.md): record a page that links to the campaign (POST, 202; a repeat of
 * the same URL answers the existing placement with 200), list the relationship's, change
 * what the client expects of one (PATCH), and list the evidence of its checks. */
#include <string.h>

#include "api/api.h"
#include "core/placements.h"
#include "util/money.h"

static json_t *placement_json(const void *);
static int read_expect(struct http_ctx *, json_t *, struct placement_expect_in *);

static json_t *
placement_json(const void *item)
{
	const struct placement_view *v = item; /* api_item_json: also each item of a page */
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", v->id,
	    "relationshipId", v->relationship_id, "campaignId", v->campaign_id, "linkUrl",
	    v->link_url, "status", placement_status_name(v->status), "httpStatus",
	    v->http_status ? json_integer(v->http_status) : json_null(), "lastError",
	    api_str_or_null(v->error), "checkedAt", api_time_or_null(v->checked_ms), "verifiedAt",
	    api_time_or_null(v->verified_ms), "lostAt", api_time_or_null(v->lost_ms), "nextCheckAt",
	    api_time_or_null(v->next_check_ms), "createdAt", api_time_or_null(v->created_ms));
	json_t *issues = json_array();
	const char *s = v->issues;

	while (issues && s && *s) {
		size_t n = strcspn(s, ",");
		if (n > 0)
			json_array_append_new(issues, json_stringn(s, n));
		s += n + (s[n] == ',');
	}
	if (o == NULL || issues == NULL) {
		json_decref(o);
		json_decref(issues);
		return NULL;
	}
	json_object_set_new(o, "verdict",
	    v->verdict >= 0 ? json_string(placement_verdict_name((unsigned)v->verdict))
	                    : json_null());
	json_object_set_new(o, "issues", issues);
	json_object_set_new(o, "expectedAnchor", api_str_or_null(v->expected_anchor));
	json_object_set_new(o, "expectedRel",
	    json_string(
	        placement_rel_name(v->expected_rel >= 0 ? v->expected_rel : PL_REL_FOLLOW)));
	json_object_set_new(o, "guaranteeUntil", api_time_or_null(v->guarantee_ms));
	/* price stays the number it always was (for clients that read only it); the exact
	 * amount is priceAmount, a decimal text in priceCurrency's minor digits */
	if (v->price_cents >= 0) {
		char amount[MONEY_TEXT_MAX];
		double scale = 1;
		int d;
		for (d = 0; d < v->price_digits; d++)
			scale *= 10;
		money_format(v->price_cents, v->price_digits, amount);
		json_object_set_new(o, "price", json_real((double)v->price_cents / scale));
		json_object_set_new(o, "priceAmount", json_string(amount));
		json_object_set_new(o, "priceCurrency", json_string(v->price_currency));
	} else {
		json_object_set_new(o, "price", json_null());
		json_object_set_new(o, "priceAmount", json_null());
		json_object_set_new(o, "priceCurrency", json_null());
	}
	return o;
}

/* read_expect reads the expectation keys of doc into x (types only; core checks values);
 * -1 after answering 422. */
static int
read_expect(struct http_ctx *ctx, json_t *doc, struct placement_expect_in *x)
{
	static const char *const strs[] = {"expectedAnchor", "expectedRel", "guaranteeUntil"};
	const char **outs[] = {&x->anchor, &x->rel, &x->guarantee};
	int *has[] = {&x->has_anchor, &x->has_rel, &x->has_guarantee};
	json_t *v;
	size_t i;

	memset(x, 0, sizeof(*x));
	for (i = 0; i < 3; i++) {
		if ((v = json_object_get(doc, strs[i])) == NULL)
			continue;
		*has[i] = 1;
		if (json_is_null(v))
			continue;
		if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
			http_problem(ctx->req, 422, "validation_failed",
			    "This field must be a string or null.", strs[i], NULL, NULL);
			return -1;
		}
		*outs[i] = json_string_value(v);
	}
	if ((v = json_object_get(doc, "price")) != NULL) {
		x->has_price = 1;
		if (json_is_null(v)) {
			x->price_null = 1;
		} else if (json_is_number(v)) {
			x->price = json_number_value(v);
		} else if (json_is_string(v) &&
		           strlen(json_string_value(v)) == json_string_length(v)) {
			x->price_text = json_string_value(v);
		} else {
			http_problem(ctx->req, 422, "validation_failed",
			    "price must be a number, a decimal string (\"150.00\") or null.",
			    "price", NULL, NULL);
			return -1;
		}
	}
	if ((v = json_object_get(doc, "priceCurrency")) != NULL) {
		x->has_currency = 1;
		if (json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v)) {
			x->currency = json_string_value(v);
		} else if (!json_is_null(v)) {
			http_problem(ctx->req, 422, "validation_failed",
			    "priceCurrency must be an ISO 4217 code (a string) or null.",
			    "priceCurrency", NULL, NULL);
			return -1;
		}
	}
	return 0;
}

void
api_placement_create(void *arg)
{
	static const char *const keys[] = {"linkUrl", "expectedAnchor", "expectedRel",
	    "guaranteeUntil", "price", "priceCurrency", NULL};
	struct http_ctx *ctx = arg;
	struct core_fail fail;
	struct page l;
	struct placement_expect_in x;
	const char *url = NULL;
	json_t *doc;
	int created = 0;
	lc_err e;

	if ((doc = api_read_json(ctx, 0)) == NULL)
		return;
	if (api_only_keys(ctx, doc, keys, NULL) != 0 ||
	    api_get_str(ctx, doc, "linkUrl", 1, &url, "linkUrl") != 0 ||
	    read_expect(ctx, doc, &x) != 0)
		goto out;
	memset(&fail, 0, sizeof(fail));
	if ((e = placements_create(ctx->core, &ctx->who, ctx->match.captures[0], url,
	         ctx->core->webhook_allow_http, &x, &l, &created, &fail)) == LC_ENOTFOUND)
		api_fail(ctx, e, "relationship_not_found");
	else if (e != LC_OK)
		api_fail_core(ctx, e, &fail);
	else
		http_send_json(ctx->req, created ? 202 : 200, placement_json(l.items), NULL);
	page_free(&l);
out:
	json_decref(doc);
}

void
api_placement_update(void *arg)
{
	static const char *const keys[] = {
	    "expectedAnchor", "expectedRel", "guaranteeUntil", "price", "priceCurrency", NULL};
	struct http_ctx *ctx = arg;
	struct core_fail fail;
	struct page l;
	struct placement_expect_in x;
	json_t *doc;
	lc_err e;

	if ((doc = api_read_json(ctx, 0)) == NULL)
		return;
	if (api_only_keys(ctx, doc, keys, NULL) != 0 || read_expect(ctx, doc, &x) != 0)
		goto out;
	memset(&fail, 0, sizeof(fail));
	if ((e = placements_update(ctx->core, &ctx->who, ctx->match.captures[0],
	         ctx->match.captures[1], &x, &l, &fail)) == LC_ENOTFOUND)
		api_fail(ctx, e, fail.code ? fail.code : "placement_not_found");
	else if (e != LC_OK)
		api_fail_core(ctx, e, &fail);
	else
		http_send_json(ctx->req, 200, placement_json(l.items), NULL);
	page_free(&l);
out:
	json_decref(doc);
}

void
api_placement_list(void *arg)
{
	struct http_ctx *ctx = arg;
	struct page l;

	if (api_no_params(ctx) == 0)
		api_send_whole_page(ctx,
		    placements_list(ctx->core, &ctx->who, ctx->match.captures[0], &l), &l,
		    sizeof(struct placement_view), placement_json, "relationship_not_found");
}

void
api_placement_checks(void *arg)
{
	static const char *const allowed[] = {"limit", "cursor", NULL};
	struct http_ctx *ctx = arg;
	struct placement_checks c;
	const char *what = "placement_not_found";
	unsigned limit;
	int has_cursor;
	int64_t cursor_ms = 0, cursor_id = 0;
	json_t *data;
	size_t i;
	lc_err e;

	if (api_only_params(ctx, allowed) != 0 ||
	    api_parse_limit_cursor(ctx, &limit, &has_cursor, &cursor_ms, &cursor_id) != 0)
		return;
	if ((e = placements_checks(ctx->core, &ctx->who, ctx->match.captures[0],
	         ctx->match.captures[1], limit, cursor_id, &c, &what)) != LC_OK) {
		api_fail(ctx, e, what);
		return;
	}
	data = json_array();
	for (i = 0; data && i < c.n; i++)
		json_array_append_new(data, placement_check_json(&c.rows, i));
	api_send_page(ctx, data, c.total, c.has_next, c.next_cursor);
	placement_checks_free(&c);
}
