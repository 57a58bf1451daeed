/* api_placements.c: /v1/link-building/relationship/{id}/placement (SPEC §6,
 * docs/placements.md): record a page that links to the campaign (POST, 202; a repeat of
 * the same URL answers the existing placement with 200) and list the relationship's. */
#include <string.h>

#include "api/api.h"
#include "core/placements.h"

static json_t *placement_json(const struct placement_view *);

static json_t *
placement_json(const struct placement_view *v)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", v->id,
	    "relationshipId", v->relationship_id, "campaignId", v->campaign_id, "linkUrl",
	    v->link_url, "status", placement_status_name(v->status), "httpStatus",
	    v->http_status ? json_integer(v->http_status) : json_null(), "lastError",
	    api_str_or_null(v->error), "checkedAt", api_time_or_null(v->checked_ms), "verifiedAt",
	    api_time_or_null(v->verified_ms), "lostAt", api_time_or_null(v->lost_ms), "nextCheckAt",
	    api_time_or_null(v->next_check_ms), "createdAt", api_time_or_null(v->created_ms));
}

void
api_placement_create(void *arg)
{
	static const char *const keys[] = {"linkUrl", NULL};
	struct http_ctx *ctx = arg;
	struct core_fail fail;
	struct placement_list l;
	const char *url = NULL;
	json_t *doc;
	int created = 0;
	lc_err e;

	if ((doc = api_read_json(ctx, 0)) == NULL)
		return;
	if (api_only_keys(ctx, doc, keys, NULL) != 0 ||
	    api_get_str(ctx, doc, "linkUrl", 1, &url, "linkUrl") != 0)
		goto out;
	memset(&fail, 0, sizeof(fail));
	if ((e = placements_create(ctx->core, &ctx->who, ctx->match.captures[0], url,
	         ctx->core->webhook_allow_http, &l, &created, &fail)) != LC_OK) {
		if (e == LC_ENOTFOUND)
			api_fail(ctx, e, "relationship_not_found");
		else
			api_fail_core(ctx, e, &fail);
		goto out;
	}
	http_send_json(ctx->req, created ? 202 : 200, placement_json(&l.items[0]), NULL);
	placement_list_free(&l);
out:
	json_decref(doc);
}

void
api_placement_list(void *arg)
{
	static const char *const allowed[] = {NULL};
	struct http_ctx *ctx = arg;
	struct placement_list l;
	json_t *data;
	size_t i;
	lc_err e;

	if (api_only_params(ctx, allowed) != 0)
		return;
	if ((e = placements_list(ctx->core, &ctx->who, ctx->match.captures[0], &l)) != LC_OK) {
		api_fail(ctx, e, "relationship_not_found");
		return;
	}
	data = json_array();
	for (i = 0; data && i < l.n; i++)
		json_array_append_new(data, placement_json(&l.items[i]));
	http_send_json(ctx->req, 200,
	    json_pack("{s:o,s:I,s:n}", "data", data, "total", (json_int_t)l.n, "nextCursor"), NULL);
	placement_list_free(&l);
}
