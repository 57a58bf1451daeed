/* api_crm.c: GET the CRM relationship list and one relationship. */
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "api/api.h"
#include "core/inbound.h"
#include "core/pacing.h"
#include "core/validate.h"

static json_t *relationship_json(const struct relationship *);

static json_t *
relationship_json(const struct relationship *r)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "id", r->public_id, "campaignId",
	    r->campaign_public_id, "domain", r->domain, "contactName", r->contact_name,
	    "contactEmail", r->contact_email, "status", rel_status_name(r->status), "linkUrl",
	    api_str_or_null(r->status == REL_LINK_PLACED ? r->link_url : NULL), "lastContactedAt",
	    api_time_or_null(r->last_contacted_ms), "lastReplyAt",
	    api_time_or_null(r->last_reply_ms));
}

void
api_crm_relationship_list(void *arg)
{
	static const char *const allowed[] = {
	    "campaignId", "domain", "status", "q", "limit", "cursor", NULL};
	struct http_ctx *ctx = arg;
	struct rel_query q;
	struct page page;
	const struct relationship *items;
	const char *s, *p, *comma;
	json_t *data;
	size_t i;
	int v;
	lc_err e;

	memset(&q, 0, sizeof(q));
	if (api_only_params(ctx, allowed) != 0 ||
	    api_parse_limit_cursor(ctx, &q.limit, &q.has_cursor, &q.cursor_ms, &q.cursor_id) != 0)
		return;
	if ((s = query_get(&ctx->query, "campaignId")) != NULL) {
		if (!campaign_id_valid(s)) {
			api_bad_param(ctx, "campaignId", "campaignId is not a campaign id.");
			return;
		}
		q.campaign_id = s;
	}
	if ((s = query_get(&ctx->query, "domain")) != NULL) {
		if (!domain_valid(s)) {
			api_bad_param(
			    ctx, "domain", "domain must be a host name such as example.com.");
			return;
		}
		q.domain = s;
	}
	if ((s = query_get(&ctx->query, "status")) != NULL) {
		for (p = s;; p = comma + 1) {
			comma = strchr(p, ',');
			v = rel_status_from_name(p, comma ? (size_t)(comma - p) : strlen(p));
			if (v < 0) {
				api_bad_param(ctx, "status", "status has an unknown value.");
				return;
			}
			q.status_mask |= 1u << v;
			if (comma == NULL)
				break;
		}
	}
	if ((s = query_get(&ctx->query, "q")) != NULL && *s) {
		if (!text_valid(s, 1, 320, 0)) {
			api_bad_param(ctx, "q",
			    "q must be 1 to 320 characters without control "
			    "characters.");
			return;
		}
		q.q = s;
	}
	if ((e = relationships_list(ctx->core, &ctx->who, &q, &page)) != LC_OK) {
		api_fail(ctx, e, "relationship_not_found");
		return;
	}
	items = page.items;
	data = json_array();
	for (i = 0; data && i < page.n; i++)
		json_array_append_new(data, relationship_json(&items[i]));
	api_send_page(ctx, data, page.total, page.has_next, page.next_cursor);
	page_free(&page);
}

void
api_crm_relationship_get(void *arg)
{
	struct http_ctx *ctx = arg;
	struct page rel, history;
	const struct relationship *r;
	const struct history_entry *hist;
	json_t *doc, *messages;
	size_t i;
	lc_err e;

	if (api_no_params(ctx) != 0)
		return;
	e = relationships_get(ctx->core, &ctx->who, ctx->match.captures[0], &rel);
	if (e != LC_OK) {
		api_fail(ctx, e, "relationship_not_found");
		return;
	}
	r = rel.items;
	if ((e = relationships_history(ctx->core, r->id, &history)) != LC_OK) {
		page_free(&rel);
		api_fail(ctx, e, "relationship_not_found");
		return;
	}
	hist = history.items;
	doc = relationship_json(r);
	messages = json_array();
	for (i = 0; messages && i < history.n; i++) {
		const struct history_entry *h = &hist[i];
		json_array_append_new(messages,
		    json_pack("{s:s,s:s,s:s,s:o,s:s,s:o,s:o,s:o}", "direction",
		        h->inbound ? "inbound" : "outbound", "id", h->public_id, "kind",
		        h->inbound ? inbound_class_name(h->kind) : msg_kind_name(h->kind), "status",
		        h->inbound ? json_null() : json_string(msg_status_name(h->status)),
		        "subject", h->subject ? h->subject : "", "at", api_time_or_null(h->at_ms),
		        "heldReason", api_str_or_null(pacing_reason_name(h->held_reason)),
		        "nextSlotAt", api_time_or_null(h->next_slot_ms)));
	}
	if (doc)
		json_object_set_new(doc, "messages", messages);
	else
		json_decref(messages);
	http_send_json(ctx->req, 200, doc, NULL);
	page_free(&history);
	page_free(&rel);
}
