/* api_webhooks.c: /v1/webhooks (SPEC §7, docs/webhooks.md). Create (the secret is in
 * that answer only), list, delete, the deliveries of one and a test event. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/webhooks.h"

static json_t *webhook_json(const void *);
static json_t *events_json(unsigned);

static json_t *
events_json(unsigned mask)
{
	json_t *a = json_array();
	unsigned i;

	for (i = 0; a && i < WHE_N; i++)
		if (mask & (1u << i))
			json_array_append_new(a, json_string(webhook_event_name(i)));
	return a;
}

static json_t *
webhook_json(const void *item)
{
	const struct webhook_view *v = item; /* api_item_json: also each item of a page */
	return json_pack("{s:s,s:s,s:o,s:o,s:s,s:o,s:o,s:o}", "id", v->id, "url", v->url,
	    "description", api_str_or_null(v->description), "events", events_json(v->events_mask),
	    "status", v->disabled ? "disabled" : "active", "disabledReason",
	    api_str_or_null(v->disabled_reason), "createdAt", api_time_or_null(v->created_ms),
	    "updatedAt", api_time_or_null(v->updated_ms));
}

void
api_webhook_create(void *arg)
{
	static const char *const keys[] = {"url", "events", "description", NULL};
	const char *names[WHE_N];
	struct http_ctx *ctx = arg;
	struct core_fail fail;
	struct page v;
	char secret[WHSIG_SECRET_MAX], param[32];
	const char *url = NULL, *description = NULL;
	json_t *doc, *events, *item, *out;
	size_t i, j, n = 0;
	lc_err e;

	if ((doc = api_read_json(ctx, 0)) == NULL)
		return;
	if (api_only_keys(ctx, doc, keys, NULL) != 0 ||
	    api_get_str(ctx, doc, "url", 1, &url, "url") != 0 ||
	    api_get_str(ctx, doc, "description", 0, &description, "description") != 0)
		goto out;
	events = json_object_get(doc, "events");
	if (!json_is_array(events) || json_array_size(events) == 0) {
		http_problem(ctx->req, 422, "validation_failed",
		    "events is a non-empty array of event names.", "events", NULL, NULL);
		goto out;
	}
	json_array_foreach(events, i, item)
	{
		const char *s = json_string_value(item);
		snprintf(param, sizeof(param), "events[%zu]", i);
		if (s == NULL || webhook_event_from_name(s) < 0) {
			http_problem(ctx->req, 422, "validation_failed",
			    "Each event is one of the names in docs/webhooks.md.", param, NULL,
			    NULL);
			goto out;
		}
		for (j = 0; j < n && strcmp(names[j], s) != 0; j++)
			;
		if (j == n)
			names[n++] = s; /* at most WHE_N distinct names */
	}
	memset(&fail, 0, sizeof(fail));
	if ((e = webhooks_create(ctx->core, &ctx->who, url, names, n, description,
	         ctx->core->webhook_allow_http, &v, secret, &fail)) != LC_OK) {
		api_fail_core(ctx, e, &fail);
		goto out;
	}
	out = webhook_json(v.items);
	json_object_set_new(out, "secret", json_string(secret));
	http_send_json(ctx->req, 201, out, NULL);
	page_free(&v);
out:
	json_decref(doc);
}

void
api_webhook_list(void *arg)
{
	struct http_ctx *ctx = arg;
	struct page l;

	if (api_no_params(ctx) == 0)
		api_send_whole_page(ctx, webhooks_list(ctx->core, &ctx->who, &l), &l,
		    sizeof(struct webhook_view), webhook_json, "webhook_not_found");
}

void
api_webhook_delete(void *arg)
{
	api_delete_one(arg, webhooks_delete, "webhook_not_found");
}

void
api_webhook_test(void *arg)
{
	struct http_ctx *ctx = arg;
	char event_id[ID_MAX];
	lc_err e;

	if (api_read_no_fields(ctx) != 0)
		return;
	e = webhooks_test(ctx->core, &ctx->who, ctx->match.captures[0], event_id);
	if (e == LC_ECONFLICT) {
		http_problem(ctx->req, 409, "webhook_disabled",
		    "This webhook is disabled (its receiver answered 410); create a new one.", NULL,
		    NULL, NULL);
		return;
	}
	if (e != LC_OK) {
		api_fail(ctx, e, "webhook_not_found");
		return;
	}
	http_send_json(ctx->req, 202,
	    json_pack("{s:s,s:s,s:s}", "eventId", event_id, "type", WEBHOOK_TEST_EVENT, "webhookId",
	        ctx->match.captures[0]),
	    NULL);
}

void
api_webhook_deliveries(void *arg)
{
	static const char *const allowed[] = {"limit", "cursor", NULL};
	struct http_ctx *ctx = arg;
	struct webhook_attempts a;
	unsigned limit;
	int has_cursor;
	int64_t cursor_ms = 0, cursor_id = 0;
	json_t *data;
	size_t i;
	lc_err e;

	if (api_only_params(ctx, allowed) != 0 ||
	    api_parse_limit_cursor(ctx, &limit, &has_cursor, &cursor_ms, &cursor_id) != 0)
		return;
	if ((e = webhooks_deliveries(
	         ctx->core, &ctx->who, ctx->match.captures[0], limit, cursor_id, &a)) != LC_OK) {
		api_fail(ctx, e, "webhook_not_found");
		return;
	}
	data = json_array();
	for (i = 0; data && i < a.n; i++) {
		const struct webhook_attempt *t = &a.items[i];
		json_array_append_new(
		    data, json_pack("{s:s,s:s,s:I,s:o,s:o,s:o,s:I,s:b}", "eventId", t->event_id,
		              "type", t->type, "attempt", (json_int_t)t->attempt, "statusCode",
		              t->status_code ? json_integer(t->status_code) : json_null(), "error",
		              api_str_or_null(t->error), "at", api_time_or_null(t->at_ms),
		              "durationMs", (json_int_t)t->duration_ms, "ok",
		              t->status_code >= 200 && t->status_code < 300));
	}
	api_send_page(ctx, data, a.total, a.has_next, a.next_cursor);
	webhook_attempts_free(&a);
}
