/* api_inbound.c: inbound mail over the API — POST raw RFC 5322 mail, list and read it —
 * and respond, the reference's answer to an inbound reply. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "core/inbound.h"
#include "core/validate.h"

static json_t *inbound_json(const struct inbound_view *, int full);

static json_t *
inbound_json(const struct inbound_view *v, int full)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:o,s:o,s:o}", "id",
	    v->public_id, "class", inbound_class_name(v->klass), "matchedBy",
	    inbound_match_name(v->match), "campaignId", api_str_or_null(v->campaign_public_id),
	    "relationshipId", api_str_or_null(v->relationship_public_id), "outboundMessageId",
	    api_str_or_null(v->outbound_public_id), "from", api_str_or_null(v->from), "fromName",
	    api_str_or_null(v->from_name), "to", api_str_or_null(v->to), "messageId",
	    api_str_or_null(v->message_id), "subject", v->subject ? v->subject : "", "sentAt",
	    api_time_or_null(v->sent_ms), "receivedAt", api_time_or_null(v->received_ms),
	    "autoResponseId", api_str_or_null(v->auto_response_public_id));

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "inReplyTo", api_str_or_null(v->in_reply_to));
	/* a domain match is a guess (someone else at the prospect's company): say so */
	json_object_set_new(o, "matchConfidence",
	    v->match == MATCH_NONE ? json_null()
	                           : json_string(v->match == MATCH_DOMAIN ? "low" : "high"));
	json_object_set_new(o, "bounce",
	    v->klass == IN_BOUNCE || v->klass == IN_DELAYED
	        ? json_pack("{s:o,s:o}", "status", api_str_or_null(v->bounce_status), "recipient",
	              api_str_or_null(v->bounce_recipient))
	        : json_null());
	json_object_set_new(o, "oooReturn", api_str_or_null(v->ooo_return));
	json_object_set_new(o, "triage",
	    v->triage_decision < 0
	        ? json_null()
	        : json_pack("{s:s,s:o,s:o}", "decision",
	              triage_decision_name((unsigned)v->triage_decision), "by",
	              api_str_or_null(v->triaged_by), "at", api_time_or_null(v->triaged_ms)));
	json_object_set_new(o, "textNew", json_string(v->text_new ? v->text_new : ""));
	if (full) {
		json_object_set_new(o, "references", api_str_or_null(v->references));
		json_object_set_new(o, "text", json_string(v->text ? v->text : ""));
	}
	return o;
}

void
api_inbound_post(void *arg)
{
	struct http_ctx *ctx = arg;
	const char *ct = ctx->req->content_type;
	struct inbound_result res;
	struct page v;
	lc_err e;

	if (ct == NULL || strncasecmp(ct, "message/rfc822", 14) != 0) {
		http_problem(ctx->req, 415, "unsupported_media_type",
		    "Send the raw mail with Content-Type: message/rfc822.", NULL, NULL, NULL);
		return;
	}
	if (http_read_body_or_refuse(ctx->req, "invalid_parameter") != 0)
		return;
	e = inbound_ingest(ctx->core, &ctx->who, ctx->req->body.data, ctx->req->body.len, &res);
	if (e == LC_EINVAL) {
		http_problem(ctx->req, 422, "validation_failed",
		    "The body is not an email message.", "body", NULL, NULL);
		return;
	}
	if (e != LC_OK) {
		api_fail(ctx, e, "inbound_message_not_found");
		return;
	}
	if ((e = inbound_get(ctx->core, &ctx->who, res.public_id, &v)) != LC_OK) {
		api_fail(ctx, e, "inbound_message_not_found");
		return;
	}
	http_send_json(ctx->req, res.duplicate ? 200 : 201, inbound_json(v.items, 1), NULL);
	page_free(&v);
}

void
api_inbound_list(void *arg)
{
	static const char *const allowed[] = {
	    "campaignId", "class", "matched", "limit", "cursor", NULL};
	struct http_ctx *ctx = arg;
	struct inbound_query q;
	struct page page;
	const struct inbound_view *items;
	const char *s, *p, *comma;
	json_t *data;
	size_t i;
	int k;
	lc_err e;

	memset(&q, 0, sizeof(q));
	q.matched = -1;
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
	if ((s = query_get(&ctx->query, "class")) != NULL) {
		for (p = s;; p = comma + 1) {
			comma = strchr(p, ',');
			if ((k = inbound_class_from_name(
			         p, comma ? (size_t)(comma - p) : strlen(p))) < 0) {
				api_bad_param(ctx, "class",
				    "class is a comma list of reply, auto_reply, bounce, "
				    "unsubscribe, delayed.");
				return;
			}
			q.klass_mask |= 1u << k;
			if (comma == NULL)
				break;
		}
	}
	if ((s = query_get(&ctx->query, "matched")) != NULL) {
		if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0) {
			api_bad_param(ctx, "matched", "matched is true or false.");
			return;
		}
		q.matched = strcmp(s, "true") == 0;
	}
	if ((e = inbound_list(ctx->core, &ctx->who, &q, &page)) != LC_OK) {
		api_fail(ctx, e, "campaign_not_found");
		return;
	}
	items = page.items;
	data = json_array();
	for (i = 0; data && i < page.n; i++)
		json_array_append_new(data, inbound_json(&items[i], 0));
	api_send_page(ctx, data, page.total, page.has_next, page.next_cursor);
	page_free(&page);
}

void
api_inbound_get(void *arg)
{
	struct http_ctx *ctx = arg;
	struct page v;
	lc_err e;

	if (api_no_params(ctx) != 0)
		return;
	if ((e = inbound_get(ctx->core, &ctx->who, ctx->match.captures[0], &v)) != LC_OK) {
		api_fail(ctx, e, "inbound_message_not_found");
		return;
	}
	http_send_json(ctx->req, 200, inbound_json(v.items, 1), NULL);
	page_free(&v);
}

json_t *
api_inbound_json(const struct inbound_view *v, int full)
{
	return inbound_json(v, full);
}
