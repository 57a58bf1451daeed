/* api_suppressions.c: /v1/suppressions (SPEC §6a, docs/suppressions.md): the do-not-email
 * list of the workspace and of its account, one entry per address or domain; CSV import
 * and export. The rules are the core's (core/suppressions.h); this file reads and answers. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "core/suppressions.h"
#include "util/buf.h"

static json_t *suppression_json(const struct suppression_view *);
static int scope_param(struct http_ctx *, int allow_all, int *scope);

static json_t *
suppression_json(const struct suppression_view *v)
{
	return json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:o}",
	    v->kind == SUPP_DOMAIN ? "domain" : "address", v->value, "kind",
	    v->kind == SUPP_DOMAIN ? "domain" : "address", "scope",
	    v->account_wide ? "account" : "workspace", "workspaceId",
	    api_str_or_null(v->workspace_public), "reason", v->reason, "source", v->source,
	    "createdBy", v->created_by, "createdAt", api_time_or_null(v->created_ms));
}

/* scope_param reads ?scope=workspace|account (and all, when allow_all): 1 account, 0
 * workspace, -1 all; -1 after answering 400. */
static int
scope_param(struct http_ctx *ctx, int allow_all, int *scope)
{
	const char *s = query_get(&ctx->query, "scope");

	*scope = allow_all ? -1 : 0;
	if (s == NULL)
		return 0;
	if (strcmp(s, "workspace") == 0)
		*scope = 0;
	else if (strcmp(s, "account") == 0)
		*scope = 1;
	else if (allow_all && strcmp(s, "all") == 0)
		*scope = -1;
	else {
		api_bad_param(ctx, "scope",
		    allow_all ? "scope is workspace, account or all."
		              : "scope is workspace or account.");
		return -1;
	}
	return 0;
}

void
api_suppression_list(void *arg)
{
	static const char *const allowed[] = {"scope", "limit", "cursor", NULL};
	struct http_ctx *ctx = arg;
	struct suppression_query q;
	struct page page;
	const struct suppression_view *views;
	json_t *data;
	size_t i;
	lc_err e;

	memset(&q, 0, sizeof(q));
	if (api_only_params(ctx, allowed) != 0 || scope_param(ctx, 1, &q.scope) != 0 ||
	    api_parse_limit_cursor(ctx, &q.limit, &q.has_cursor, &q.cursor_ms, &q.cursor_id) != 0)
		return;
	if ((e = suppressions_list(ctx->core, &ctx->who, &q, &page)) != LC_OK) {
		page_free(&page);
		api_fail(ctx, e, "suppression_not_found");
		return;
	}
	data = json_array();
	views = page.items;
	for (i = 0; data && i < page.n; i++)
		json_array_append_new(data, suppression_json(&views[i]));
	http_send_json(ctx->req, 200,
	    json_pack("{s:o,s:o}", "data", data, "nextCursor",
	        page.has_next ? json_string(page.next_cursor) : json_null()),
	    NULL);
	page_free(&page);
}

void
api_suppression_create(void *arg)
{
	static const char *const keys[] = {"address", "domain", "reason", "scope", NULL};
	struct http_ctx *ctx = arg;
	struct suppression_in in;
	struct core_fail fail;
	struct page p;
	const char *scope = NULL;
	char by[ID_MAX + 16];
	int created = 0;
	json_t *doc;
	lc_err e;

	if ((doc = api_read_json(ctx, 0)) == NULL)
		return;
	memset(&in, 0, sizeof(in));
	if (api_only_keys(ctx, doc, keys, NULL) != 0 ||
	    api_get_str(ctx, doc, "address", 0, &in.address, "address") != 0 ||
	    api_get_str(ctx, doc, "domain", 0, &in.domain, "domain") != 0 ||
	    api_get_str(ctx, doc, "reason", 0, &in.reason, "reason") != 0 ||
	    api_get_str(ctx, doc, "scope", 0, &scope, "scope") != 0)
		goto out;
	if (scope != NULL && strcmp(scope, "workspace") != 0 && strcmp(scope, "account") != 0) {
		http_problem(ctx->req, 422, "validation_failed", "scope is workspace or account.",
		    "scope", NULL, NULL);
		goto out;
	}
	in.account_wide = scope != NULL && strcmp(scope, "account") == 0;
	api_requester(ctx, by, sizeof(by));
	in.created_by = by;
	memset(&fail, 0, sizeof(fail));
	if ((e = suppressions_add(ctx->core, &ctx->who, &in, &created, &p, &fail)) != LC_OK)
		api_fail_core(ctx, e, &fail);
	else
		http_send_json(ctx->req, created ? 201 : 200, suppression_json(p.items), NULL);
	page_free(&p);
out:
	json_decref(doc);
}

void
api_suppression_delete(void *arg)
{
	static const char *const allowed[] = {"address", "domain", "scope", NULL};
	struct http_ctx *ctx = arg;
	struct suppression_in in;
	struct core_fail fail;
	int scope;
	lc_err e;

	if (api_only_params(ctx, allowed) != 0 || scope_param(ctx, 0, &scope) != 0)
		return;
	memset(&in, 0, sizeof(in));
	in.address = query_get(&ctx->query, "address");
	in.domain = query_get(&ctx->query, "domain");
	in.account_wide = scope == 1;
	memset(&fail, 0, sizeof(fail));
	e = suppressions_remove(ctx->core, &ctx->who, &in, &fail);
	if (e == LC_EINVAL) {
		api_bad_param(ctx, fail.param, fail.detail);
		return;
	}
	if (e == LC_ENOTFOUND) {
		http_problem(ctx->req, 404, "suppression_not_found",
		    "That address or domain is not on this list.", NULL, NULL, NULL);
		return;
	}
	if (e != LC_OK) {
		api_fail_core(ctx, e, &fail);
		return;
	}
	http_send(ctx->req, 204, "application/json", NULL, "", 0);
}

void
api_suppression_import(void *arg)
{
	static const char *const allowed[] = {"scope", NULL};
	struct http_ctx *ctx = arg;
	const char *ct = ctx->req->content_type;
	struct suppression_import res;
	struct core_fail fail;
	char by[ID_MAX + 16];
	int scope;
	lc_err e;

	if (api_only_params(ctx, allowed) != 0 || scope_param(ctx, 0, &scope) != 0)
		return;
	if (ct == NULL || strncasecmp(ct, "text/csv", 8) != 0) {
		http_problem(ctx->req, 415, "unsupported_media_type",
		    "Send the file with Content-Type: text/csv.", NULL, NULL, NULL);
		return;
	}
	if (http_read_body_or_refuse(ctx->req, "invalid_parameter") != 0)
		return;
	api_requester(ctx, by, sizeof(by));
	memset(&fail, 0, sizeof(fail));
	e = suppressions_import(ctx->core, &ctx->who, ctx->req->body.data, ctx->req->body.len,
	    scope == 1, by, &res, &fail);
	if (e == LC_EINVAL && res.bad_line > 0) {
		http_problem(ctx->req, 422, "validation_failed", fail.detail, "body",
		    json_pack("{s:I}", "line", (json_int_t)res.bad_line), NULL);
		return;
	}
	if (e != LC_OK) {
		api_fail_core(ctx, e, &fail);
		return;
	}
	http_send_json(ctx->req, 200,
	    json_pack("{s:I,s:I,s:I,s:s}", "rows", (json_int_t)res.rows, "added",
	        (json_int_t)res.added, "alreadyListed", (json_int_t)res.already, "scope",
	        scope == 1 ? "account" : "workspace"),
	    NULL);
}

void
api_suppression_export(void *arg)
{
	struct http_ctx *ctx = arg;
	struct buf out;
	int truncated = 0;
	lc_err e;

	if (api_no_params(ctx) != 0)
		return;
	buf_init(&out, (size_t)64 << 20);
	if ((e = suppressions_export(ctx->core, &ctx->who, &out, &truncated)) != LC_OK) {
		buf_free(&out);
		api_fail(ctx, e, "suppression_not_found");
		return;
	}
	http_send(ctx->req, 200, "text/csv; charset=utf-8",
	    truncated ? "Content-Disposition: attachment; filename=\"suppressions.csv\"\r\n"
	                "X-Linkcamp-Truncated: true\r\n"
	              : "Content-Disposition: attachment; filename=\"suppressions.csv\"\r\n",
	    out.data ? out.data : "", out.len);
	buf_free(&out);
}
