/* api_workspaces.c: GET /v1/workspaces — an agency key's workspaces, newest first, paged
 * like every list, with the counters the workspace rows already keep. */
#include "api/api.h"

void
api_workspaces_list(void *arg)
{
	static const char *const allowed[] = {"limit", "cursor", NULL};
	struct http_ctx *ctx = arg;
	struct page page;
	unsigned limit;
	int has_cursor;
	int64_t cursor_ms, cursor_id;
	json_t *data;
	size_t i;
	lc_err e;

	if (api_only_params(ctx, allowed) != 0 ||
	    api_parse_limit_cursor(ctx, &limit, &has_cursor, &cursor_ms, &cursor_id) != 0)
		return;
	if ((e = workspaces_list(
	         ctx->core, &ctx->who, limit, has_cursor, cursor_ms, cursor_id, &page)) != LC_OK) {
		api_fail(ctx, e, "workspace_not_found");
		return;
	}
	data = json_array();
	for (i = 0; data && i < page.n; i++) {
		const struct workspace_info *w = (const struct workspace_info *)page.items + i;
		json_array_append_new(
		    data, json_pack("{s:s,s:s,s:o,s:{s:I,s:I,s:I},s:I,s:I,s:I}", "id", w->public_id,
		              "name", w->name, "createdAt", api_time_or_null(w->created_ms),
		              "credits", "balance", (json_int_t)w->credits_balance, "reserved",
		              (json_int_t)w->credits_reserved, "available",
		              (json_int_t)(w->credits_balance - w->credits_reserved),
		              "campaignsCount", (json_int_t)w->campaigns, "activeCampaignsCount",
		              (json_int_t)w->active_campaigns, "relationshipsCount",
		              (json_int_t)w->relationships));
	}
	api_send_page(ctx, data, page.total, page.has_next, page.next_cursor);
	page_free(&page);
}
