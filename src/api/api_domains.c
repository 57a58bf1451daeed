/* api_domains.c: /v1/domains (docs/dkim.md) — create (the key is made here and sealed at
 * once), list, get, delete and the DNS check. Private keys never come out: answers carry
 * the public record to publish. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/domain.h"
#include "http/query.h"

static json_t *domain_json(const void *);

static json_t *
domain_json(const void *item)
{
	const struct domain_view *v = item; /* api_item_json: also each item of a page */
	struct domain_record rec[DOMAIN_RECORDS_MAX];
	size_t n = domain_records(v, rec), i;
	json_t *records = json_array();

	/* records is a list: the RSA key's record, then the Ed25519 key's (a domain added before
	 * linkcamp made Ed25519 keys has none, and "ed25519": false) */
	for (i = 0; records != NULL && i < n; i++)
		json_array_append_new(records,
		    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "purpose", rec[i].purpose,
		        "algorithm", rec[i].algorithm, "selector", rec[i].selector, "type", "TXT",
		        "name", rec[i].name, "value", rec[i].value, "zoneLine", rec[i].zone_line));
	return json_pack("{s:s,s:s,s:s,s:s,s:b,s:o,s:o}", "id", v->public_id, "domain", v->domain,
	    "selector", v->selector, "algorithm", "rsa-sha256", "ed25519",
	    v->ed25519_selector != NULL, "records", records, "createdAt",
	    api_time_or_null(v->created_ms));
}

void
api_domain_create(void *arg)
{
	static const char *const keys[] = {"domain", "selector", NULL};
	struct http_ctx *ctx = arg;
	const char *domain = NULL, *selector = NULL;
	struct core_fail fail;
	struct page p;
	json_t *doc;
	lc_err e;

	if ((doc = api_read_json(ctx, 0)) == NULL)
		return;
	if (api_only_keys(ctx, doc, keys, NULL) != 0 ||
	    api_get_str(ctx, doc, "domain", 1, &domain, "domain") != 0 ||
	    api_get_str(ctx, doc, "selector", 0, &selector, "selector") != 0)
		goto out;
	memset(&fail, 0, sizeof(fail));
	if ((e = domains_create(ctx->core, &ctx->who, domain, selector, &p, &fail)) != LC_OK)
		api_fail_core(ctx, e, &fail);
	else
		http_send_json(ctx->req, 201, domain_json(p.items), NULL);
	page_free(&p);
out:
	json_decref(doc);
}

void
api_domain_list(void *arg)
{
	struct http_ctx *ctx = arg;
	struct page l;

	if (api_no_params(ctx) == 0)
		api_send_whole_page(ctx, domains_list(ctx->core, &ctx->who, &l), &l,
		    sizeof(struct domain_view), domain_json, "domain_not_found");
}

void
api_domain_get(void *arg)
{
	struct http_ctx *ctx = arg;
	struct page p;
	lc_err e;

	if (api_no_params(ctx) != 0)
		return;
	if ((e = domains_get(ctx->core, &ctx->who, ctx->match.captures[0], &p)) != LC_OK)
		api_fail(ctx, e, "domain_not_found");
	else
		http_send_json(ctx->req, 200, domain_json(p.items), NULL);
	page_free(&p);
}

/* POST /v1/domains/{id}/ed25519: an Ed25519 key for a domain that has none; no body (an
 * empty JSON object is accepted too). */
void
api_domain_add_ed25519(void *arg)
{
	static const char *const keys[] = {NULL};
	static const char *const allowed[] = {NULL};
	struct http_ctx *ctx = arg;
	struct core_fail fail;
	struct page p;
	json_t *doc;
	lc_err e;

	if (api_only_params(ctx, allowed) != 0 || (doc = api_read_json(ctx, 1)) == NULL)
		return;
	if (api_only_keys(ctx, doc, keys, NULL) == 0) {
		memset(&fail, 0, sizeof(fail));
		e = domains_add_ed25519(ctx->core, &ctx->who, ctx->match.captures[0], &p, &fail);
		if (e == LC_OK)
			http_send_json(ctx->req, 200, domain_json(p.items), NULL);
		else if (e == LC_ENOTFOUND)
			api_fail(ctx, e, "domain_not_found");
		else
			api_fail_core(ctx, e, &fail);
		page_free(&p);
	}
	json_decref(doc);
}

void
api_domain_delete(void *arg)
{
	api_delete_one(arg, domains_delete, "domain_not_found");
}

void
api_domain_check(void *arg)
{
	static const char *const allowed[] = {"from", NULL};
	struct http_ctx *ctx = arg;
	struct domain_check *c;
	struct core_fail fail;
	json_t *items;
	size_t i;
	lc_err e;

	if (api_only_params(ctx, allowed) != 0)
		return;
	if ((c = malloc(sizeof(*c))) == NULL) {
		api_fail(ctx, LC_ENOMEM, "domain_not_found");
		return;
	}
	memset(&fail, 0, sizeof(fail));
	if ((e = domains_check(ctx->core, &ctx->who, ctx->match.captures[0],
	         query_get(&ctx->query, "from"), c, &fail)) != LC_OK) {
		if (e == LC_ENOTFOUND)
			api_fail(ctx, e, "domain_not_found");
		else
			api_fail_core(ctx, e, &fail);
		free(c);
		return;
	}
	items = json_array();
	for (i = 0; items && i < c->n; i++) {
		const struct domain_check_item *it = &c->items[i];
		json_array_append_new(
		    items, json_pack("{s:s,s:s,s:b,s:o,s:o,s:s,s:s}", "item", it->item, "status",
		               it->status, "ok", it->ok, "name",
		               api_str_or_null(it->name[0] ? it->name : NULL), "found",
		               api_str_or_null(it->found[0] ? it->found : NULL), "expected",
		               it->expected, "detail", it->detail));
	}
	http_send_json(ctx->req, 200,
	    json_pack("{s:s,s:s,s:s,s:b,s:o}", "id", ctx->match.captures[0], "domain", c->domain,
	        "from", c->from, "ok", c->ok, "items", items),
	    NULL);
	free(c);
}
