/* api_bulk.c: POST /v1/workspaces/bulk-action — one campaign action run in several
 * workspaces of an agency, answered with one result per workspace.
 *
 * This file does not run the action itself: each workspace's part is the /v1 request it stands
 * for (list, metrics, pause/resume), built as a local request and run by http_invoke with
 * that workspace's principal — the same route code, query checks, response cache and JSON
 * a client of that endpoint with X-Workspace-Id gets. This file only validates the bulk
 * envelope, chooses the workspaces, and wraps each answer as "ok" (its body as data) or
 * "error" (its problem object). A toggle's dryRun asks the core for the same transition
 * rule without running it. Decisions: docs/workspaces.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "util/buf.h"
#include "util/log.h"

#define BULK_MAX_WORKSPACES 50

enum bulk_kind { BULK_LIST, BULK_METRICS, BULK_TOGGLE };

static const char *const action_names[] = {"link_building.campaign.list",
    "link_building.campaign.metrics", "link_building.campaign.toggle", NULL};

/* One bulk request, validated. */
struct bulk {
	enum bulk_kind kind;
	int dry_run;
	const char *campaign_id, *toggle, *reason; /* borrowed from the request's JSON */
	char path[256];
	struct buf query; /* the list's query string */
	char *body;       /* the toggle's JSON body (malloc'd) */
};

/* One workspace to act on. */
struct target {
	const char *public_id; /* borrowed from the request's JSON or the page's rows */
	struct principal who;
	int missing; /* not a workspace of this account */
};

static int bad(struct http_ctx *, const char *, const char *);
static int parse_config(struct http_ctx *, json_t *, struct bulk *);
static int parse_list_config(struct http_ctx *, json_t *, struct bulk *);
static int add_list_param(struct http_ctx *, struct bulk *, json_t *, const char *);
static int parse_targets(struct http_ctx *, json_t *, struct page *, struct target **, size_t *);
static void run_one(
    struct http_ctx *, const struct bulk *, const struct target *, struct http_request *);
static void preview_toggle(
    struct http_ctx *, const struct bulk *, const struct target *, struct http_request *);
static json_t *result_of(const struct target *, struct http_request *);
static int input_problem(struct http_request *, struct http_ctx *);

/* bad answers 422 validation_failed naming param; always -1. */
static int
bad(struct http_ctx *ctx, const char *param, const char *detail)
{
	http_problem(ctx->req, 422, "validation_failed", detail, param, NULL, NULL);
	return -1;
}

/* add_list_param appends key=value to the list's query: a string, an integer, or (type
 * and status) a list of strings joined by commas. The route checks the values. */
static int
add_list_param(struct http_ctx *ctx, struct bulk *b, json_t *v, const char *key)
{
	char param[64], num[32];
	int list_ok = strcmp(key, "type") == 0 || strcmp(key, "status") == 0;
	json_t *item;
	size_t i;

	snprintf(param, sizeof(param), "config.%s", key);
	if (json_is_array(v) && list_ok) {
		if (json_array_size(v) == 0)
			return bad(ctx, param, "This list must not be empty.");
		json_array_foreach(
		    v, i, item) if (!json_is_string(item) ||
		                    strlen(json_string_value(item)) != json_string_length(item) ||
		                    strchr(json_string_value(item), ',') != NULL) return bad(ctx,
		    param, "Each item must be a name without commas.");
	} else if (json_is_integer(v) && strcmp(key, "limit") == 0) {
		/* the route checks the range */
	} else if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
	           strcmp(key, "limit") == 0) {
		return bad(ctx, param,
		    strcmp(key, "limit") == 0 ? "limit must be an integer."
		    : list_ok                 ? "This must be a string or a list of strings."
		                              : "This must be a string.");
	}
	if ((b->query.len > 0 && buf_append(&b->query, "&", 1) != LC_OK) ||
	    url_encode(&b->query, key) != 0 || buf_append(&b->query, "=", 1) != LC_OK)
		goto nomem;
	if (json_is_string(v)) {
		if (url_encode(&b->query, json_string_value(v)) != 0)
			goto nomem;
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		if (buf_puts(&b->query, num) != LC_OK)
			goto nomem;
	} else {
		json_array_foreach(
		    v, i, item) if ((i > 0 && buf_append(&b->query, ",", 1) != LC_OK) ||
		                    url_encode(&b->query, json_string_value(item)) != 0) goto nomem;
	}
	return 0;
nomem:
	/* the filters are passed on as a query string, which has the HTTP front's limit */
	return bad(ctx, param, "Too long: the list's filters must fit in its query string.");
}

/* parse_list_config turns the list's config (the list endpoint's filters) into its query. */
static int
parse_list_config(struct http_ctx *ctx, json_t *config, struct bulk *b)
{
	static const char *const keys[] = {"type", "status", "since", "q", "limit", NULL};
	const char *key;
	json_t *v;

	if (api_only_keys(ctx, config, keys, "config") != 0)
		return -1;
	json_object_foreach(config, key, v)
	{
		if (json_is_null(v))
			continue;
		if (add_list_param(ctx, b, v, key) != 0)
			return -1;
	}
	snprintf(b->path, sizeof(b->path), "/v1/link-building/campaign");
	return 0;
}

/* parse_config checks config against the action and prepares each workspace's request:
 * the path, the list's query or the toggle's body. -1 after answering. */
static int
parse_config(struct http_ctx *ctx, json_t *config, struct bulk *b)
{
	static const char *const metrics_keys[] = {"campaignId", NULL};
	static const char *const toggle_keys[] = {"campaignId", "action", "reason", NULL};
	json_t *body;

	if (b->kind == BULK_LIST)
		return parse_list_config(ctx, config, b);
	if (api_only_keys(
	        ctx, config, b->kind == BULK_METRICS ? metrics_keys : toggle_keys, "config") != 0 ||
	    api_get_str(ctx, config, "campaignId", 1, &b->campaign_id, "config.campaignId") != 0)
		return -1;
	if (!query_id_plausible(b->campaign_id))
		return bad(ctx, "config.campaignId", "campaignId is not a campaign id.");
	if (b->kind == BULK_METRICS) {
		snprintf(b->path, sizeof(b->path), "/v1/link-building/campaign/%s/metrics",
		    b->campaign_id);
		return 0;
	}
	if (api_get_str(ctx, config, "action", 1, &b->toggle, "config.action") != 0 ||
	    api_get_str(ctx, config, "reason", 0, &b->reason, "config.reason") != 0)
		return -1;
	if (strcmp(b->toggle, "pause") != 0 && strcmp(b->toggle, "resume") != 0)
		return bad(ctx, "config.action", "action must be \"pause\" or \"resume\".");
	snprintf(b->path, sizeof(b->path), "/v1/link-building/campaign/%s/%s", b->campaign_id,
	    b->toggle);
	body = b->reason ? json_pack("{s:s}", "reason", b->reason) : json_object();
	b->body = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (b->body == NULL) {
		api_fail(ctx, LC_ENOMEM, NULL);
		return -1;
	}
	return 0;
}

/* parse_targets reads "workspaces": "all" (every workspace of the account, newest first,
 * read into page) or a list of 1..BULK_MAX_WORKSPACES distinct ids (an id that is not one
 * of the account's workspaces becomes a "missing" target). *out is calloc'd (caller
 * frees). -1 after answering. */
static int
parse_targets(struct http_ctx *ctx, json_t *ws, struct page *page, struct target **out, size_t *n)
{
	struct target *t;
	json_t *item;
	size_t i, j, count;
	lc_err e;

	*out = NULL;
	*n = 0;
	if (json_is_string(ws)) {
		if (strcmp(json_string_value(ws), "all") != 0)
			return bad(
			    ctx, "workspaces", "workspaces is \"all\" or a list of workspace ids.");
		if ((e = workspaces_list(
		         ctx->core, &ctx->who, BULK_MAX_WORKSPACES, 0, 0, 0, page)) != LC_OK) {
			api_fail(ctx, e, "workspace_not_found");
			return -1;
		}
		if (page->has_next)
			return bad(ctx, "workspaces",
			    "The account has more than 50 workspaces; name at "
			    "most 50 of them per call.");
		count = page->n;
	} else if (json_is_array(ws)) {
		count = json_array_size(ws);
		if (count == 0 || count > BULK_MAX_WORKSPACES)
			return bad(ctx, "workspaces", "workspaces lists 1 to 50 workspace ids.");
		json_array_foreach(ws, i, item)
		{
			if (!json_is_string(item) ||
			    strlen(json_string_value(item)) != json_string_length(item))
				return bad(ctx, "workspaces", "Each workspace id is a string.");
			for (j = 0; j < i; j++)
				if (strcmp(json_string_value(json_array_get(ws, j)),
				        json_string_value(item)) == 0)
					return bad(
					    ctx, "workspaces", "A workspace id is listed twice.");
		}
	} else {
		return bad(ctx, "workspaces", "workspaces is \"all\" or a list of workspace ids.");
	}
	if (count == 0)
		return 0;
	if ((t = calloc(count, sizeof(*t))) == NULL) {
		api_fail(ctx, LC_ENOMEM, NULL);
		return -1;
	}
	*out = t;
	*n = count;
	for (i = 0; i < count; i++) {
		if (json_is_string(ws)) {
			const struct workspace_info *w =
			    (const struct workspace_info *)page->items + i;
			t[i].public_id = w->public_id;
			workspaces_principal_of(&ctx->who, w->id, t[i].public_id, &t[i].who);
			continue;
		}
		t[i].public_id = json_string_value(json_array_get(ws, i));
		e = workspaces_principal(ctx->core, &ctx->who, t[i].public_id, &t[i].who);
		if (e == LC_ENOTFOUND) {
			t[i].missing = 1;
		} else if (e != LC_OK) {
			api_fail(ctx, e, "workspace_not_found");
			return -1;
		}
	}
	return 0;
}

/* preview_toggle answers sub like the toggle would, changing nothing: the problem the
 * toggle would give, or what it would change. */
static void
preview_toggle(
    struct http_ctx *ctx, const struct bulk *b, const struct target *t, struct http_request *sub)
{
	struct http_ctx c;
	struct core_fail fail;
	unsigned from = 0, to = 0;
	lc_err e;

	memset(&c, 0, sizeof(c));
	c.req = sub;
	c.core = ctx->core;
	c.who = t->who;
	memset(&fail, 0, sizeof(fail));
	e = campaigns_transition_preview(ctx->core, &t->who, b->campaign_id,
	    strcmp(b->toggle, "pause") == 0 ? CAMPAIGN_PAUSE : CAMPAIGN_RESUME, b->reason, &fail,
	    &from, &to);
	if (e != LC_OK) {
		api_fail_core(&c, e, &fail);
		return;
	}
	http_send_json(sub, 200,
	    json_pack("{s:b,s:s,s:s,s:s,s:s}", "dryRun", 1, "campaignId", b->campaign_id, "action",
	        b->toggle, "status", campaign_status_name(from), "wouldBecome",
	        campaign_status_name(to)),
	    NULL);
}

/* run_one answers sub (an initialised local request) with workspace t's part. */
static void
run_one(
    struct http_ctx *ctx, const struct bulk *b, const struct target *t, struct http_request *sub)
{
	if (t->missing)
		http_problem(sub, 404, "workspace_not_found",
		    "This is not a workspace of this account.", "workspaces", NULL, NULL);
	else if (b->kind == BULK_TOGGLE && b->dry_run)
		preview_toggle(ctx, b, t, sub);
	else
		http_invoke(ctx->core, &t->who, sub);
}

/* result_of wraps an answered local request as the workspace's result (new reference;
 * NULL when out of memory or when the answer is not a JSON object). */
static json_t *
result_of(const struct target *t, struct http_request *sub)
{
	json_error_t jerr;
	json_t *doc;

	if (sub->out_lost || sub->out.data == NULL)
		return NULL;
	doc = json_loadb(sub->out.data, sub->out.len, 0, &jerr);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return NULL;
	}
	return json_pack("{s:s,s:s,s:o}", "workspaceId", t->public_id, "status",
	    sub->status < 400 ? "ok" : "error", sub->status < 400 ? "data" : "error", doc);
}

/* input_problem: a 400 invalid_parameter or 422 validation_failed from the route is about
 * the config, not the workspace (the routes check their input before reading anything), so
 * it is the whole request's 422 with the param under config. 1 after answering. */
static int
input_problem(struct http_request *sub, struct http_ctx *ctx)
{
	json_error_t jerr;
	json_t *doc;
	const char *code, *param, *detail;
	char p[160];
	int answered = 0;

	if (sub->status != 400 && sub->status != 422)
		return 0;
	if ((doc = json_loadb(sub->out.data ? sub->out.data : "", sub->out.len, 0, &jerr)) == NULL)
		return 0;
	code = json_string_value(json_object_get(doc, "code"));
	param = json_string_value(json_object_get(doc, "param"));
	detail = json_string_value(json_object_get(doc, "detail"));
	if (code &&
	    (strcmp(code, "invalid_parameter") == 0 || strcmp(code, "validation_failed") == 0)) {
		snprintf(p, sizeof(p), "config.%s", param ? param : "");
		http_problem(ctx->req, 422, "validation_failed",
		    detail ? detail : "config is invalid.", param ? p : "config", NULL, NULL);
		answered = 1;
	}
	json_decref(doc);
	return answered;
}

void
api_workspaces_bulk_action(void *arg)
{
	static const char *const keys[] = {"action", "workspaces", "config", "dryRun", NULL};
	struct http_ctx *ctx = arg;
	struct bulk b;
	struct page page;
	struct target *targets = NULL;
	struct http_request sub;
	size_t ntargets = 0, i, nok = 0, nerr = 0;
	const char *action = NULL;
	json_t *doc, *config, *dry, *results = NULL, *r;
	int server_failed = 0, checked = 0, status, k;

	memset(&b, 0, sizeof(b));
	memset(&page, 0, sizeof(page));
	buf_init(&b.query, QUERY_MAX_BYTES);
	if ((doc = api_read_json(ctx, 0)) == NULL)
		goto out;
	if (api_only_keys(ctx, doc, keys, NULL) != 0 ||
	    api_get_str(ctx, doc, "action", 1, &action, "action") != 0)
		goto out;
	for (k = 0; action_names[k] && strcmp(action_names[k], action) != 0; k++)
		;
	if (action_names[k] == NULL) {
		bad(ctx, "action",
		    "action is link_building.campaign.list, "
		    "link_building.campaign.metrics or link_building.campaign.toggle.");
		goto out;
	}
	b.kind = (enum bulk_kind)k;
	if ((dry = json_object_get(doc, "dryRun")) != NULL && !json_is_null(dry)) {
		if (!json_is_boolean(dry)) {
			bad(ctx, "dryRun", "dryRun is true or false.");
			goto out;
		}
		b.dry_run = json_is_true(dry);
	}
	config = json_object_get(doc, "config");
	if (config == NULL || json_is_null(config)) {
		if (b.kind != BULK_LIST) {
			bad(ctx, "config", "config is required for this action.");
			goto out;
		}
		config = NULL;
	} else if (!json_is_object(config)) {
		bad(ctx, "config", "config is an object.");
		goto out;
	}
	if (json_object_get(doc, "workspaces") == NULL) {
		bad(ctx, "workspaces", "This field is required.");
		goto out;
	}
	snprintf(b.path, sizeof(b.path), "/v1/link-building/campaign"); /* list, no config */
	if (config && parse_config(ctx, config, &b) != 0)
		goto out;
	if (parse_targets(ctx, json_object_get(doc, "workspaces"), &page, &targets, &ntargets) != 0)
		goto out;

	if ((results = json_array()) == NULL) {
		api_fail(ctx, LC_ENOMEM, NULL);
		goto out;
	}
	for (i = 0; i < ntargets; i++) {
		if (http_request_init_local(&sub,
		        b.kind == BULK_TOGGLE && !b.dry_run ? "POST" : "GET", b.path,
		        b.query.data ? b.query.data : "",
		        b.body && !b.dry_run ? "application/json" : NULL, b.dry_run ? NULL : b.body,
		        b.body && !b.dry_run ? strlen(b.body) : 0, ctx->req->request_id) != LC_OK) {
			http_request_done_local(&sub);
			api_fail(ctx, LC_ENOMEM, NULL);
			goto out;
		}
		run_one(ctx, &b, &targets[i], &sub);
		log_msg(sub.status >= 500 ? LOG_ERROR : LOG_DEBUG,
		    "request %s: bulk %s in %s -> %d", ctx->req->request_id, action_names[b.kind],
		    targets[i].public_id, sub.status);
		/* the routes check their input first: the first workspace's answer shows it */
		if (!checked && !targets[i].missing) {
			checked = 1;
			if (input_problem(&sub, ctx)) {
				http_request_done_local(&sub);
				goto out;
			}
		}
		status = sub.status;
		if (status >= 500)
			server_failed = 1;
		r = result_of(&targets[i], &sub);
		http_request_done_local(&sub);
		if (r == NULL || json_array_append_new(results, r) != 0) {
			api_fail(ctx, LC_ENOMEM, NULL);
			goto out;
		}
		if (status < 400)
			nok++;
		else
			nerr++;
	}
	/* An answer with a workspace the database failed is not kept for Idempotency-Key
	 * (replaying a transient failure for a day helps no one): the same key runs again. */
	if (server_failed)
		ctx->req->capture = 0;
	http_send_json(ctx->req, 200,
	    json_pack("{s:s,s:b,s:o,s:{s:I,s:I}}", "action", action_names[b.kind], "dryRun",
	        b.dry_run, "results", results, "summary", "ok", (json_int_t)nok, "error",
	        (json_int_t)nerr),
	    NULL);
	results = NULL;
out:
	json_decref(results);
	free(targets);
	page_free(&page);
	free(b.body);
	buf_free(&b.query);
	json_decref(doc);
}
