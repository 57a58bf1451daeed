/* api_triage.c: /v1/inbound/unmatched (SPEC §6a, docs/inbound.md "Triage"): the inbound
 * mail that matched no prospect, and the three decisions a person takes on it. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/inbound.h"

static void decide(struct http_ctx *, unsigned);

void
api_triage_list(void *arg)
{
	static const char *const allowed[] = {"limit", "cursor", NULL};
	struct http_ctx *ctx = arg;
	struct inbound_query q;
	struct page page;
	const struct inbound_view *views;
	json_t *data;
	size_t i;
	lc_err e;

	memset(&q, 0, sizeof(q));
	if (api_only_params(ctx, allowed) != 0 ||
	    api_parse_limit_cursor(ctx, &q.limit, &q.has_cursor, &q.cursor_ms, &q.cursor_id) != 0)
		return;
	if ((e = inbound_triage_list(ctx->core, &ctx->who, &q, &page)) != LC_OK) {
		api_fail(ctx, e, "inbound_message_not_found");
		return;
	}
	data = json_array();
	views = page.items;
	for (i = 0; data && i < page.n; i++)
		json_array_append_new(data, api_inbound_json(&views[i], 0));
	api_send_page(ctx, data, page.total, page.has_next, page.next_cursor);
	page_free(&page);
}

/* decide reads the body ({relationshipId} to match, {} or {"note"}-less to dismiss),
 * records the decision and answers the message as it now is. */
static void
decide(struct http_ctx *ctx, unsigned decision)
{
	static const char *const match_keys[] = {"relationshipId", NULL};
	static const char *const no_keys[] = {NULL};
	struct core_fail fail;
	struct page v;
	const char *rel = NULL;
	char by[ID_MAX + 16];
	json_t *doc;
	lc_err e;

	if ((doc = api_read_json(ctx, decision == TRIAGE_DISMISS)) == NULL)
		return;
	if (api_only_keys(ctx, doc, decision == TRIAGE_DISMISS ? no_keys : match_keys, NULL) != 0 ||
	    (decision != TRIAGE_DISMISS &&
	        api_get_str(ctx, doc, "relationshipId", 1, &rel, "relationshipId") != 0))
		goto out;
	api_requester(ctx, by, sizeof(by));
	memset(&fail, 0, sizeof(fail));
	if ((e = inbound_triage_decide(ctx->core, &ctx->who, ctx->match.captures[0], decision, rel,
	         by, &fail)) != LC_OK) {
		api_fail_core(ctx, e, &fail);
		goto out;
	}
	if ((e = inbound_get(ctx->core, &ctx->who, ctx->match.captures[0], &v)) != LC_OK) {
		page_free(&v);
		api_fail(ctx, e, "inbound_message_not_found");
		goto out;
	}
	http_send_json(ctx->req, 200, api_inbound_json(v.items, 0), NULL);
	page_free(&v);
out:
	json_decref(doc);
}

void
api_triage_match(void *arg)
{
	decide(arg, TRIAGE_MATCH);
}

void
api_triage_match_unsubscribe(void *arg)
{
	decide(arg, TRIAGE_MATCH_UNSUBSCRIBE);
}

void
api_triage_dismiss(void *arg)
{
	decide(arg, TRIAGE_DISMISS);
}
