/* api_send.c: send-email and the invocation record it answers with. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/pacing.h"
#include "core/inbound.h"
#include "util/timefmt.h"

static json_t *invocation_json(struct http_ctx *, const struct invocation *);
static void answer_invocation(struct http_ctx *, const char *, int);
static int parse_schedule(struct http_ctx *, const char *, int64_t *);

/* parse_schedule reads scheduleAt: absent or "now" is 0, else RFC 3339 with an offset;
 * -1 after answering 422. */
static int
parse_schedule(struct http_ctx *ctx, const char *schedule, int64_t *ms)
{
	*ms = 0;
	if (schedule == NULL || strcmp(schedule, "now") == 0)
		return 0;
	if (rfc3339_parse(schedule, strlen(schedule), ms) == LC_OK)
		return 0;
	http_problem(ctx->req, 422, "validation_failed",
	    "scheduleAt must be \"now\" or an RFC 3339 date-time with an offset.", "scheduleAt",
	    NULL, NULL);
	return -1;
}

/* invocation_json renders {"invocation":{...},"event":...}, the shape send-email answers
 * with and GET /v1/invocations/{id} shows later. */
static json_t *
invocation_json(struct http_ctx *ctx, const struct invocation *inv)
{
	char url[1024];
	json_t *message, *event = json_null(), *o;

	message = inv->message_public_id
	              ? json_pack("{s:s,s:s,s:o,s:o,s:o}", "id", inv->message_public_id, "status",
	                    msg_status_name(inv->message_status), "scheduleAt",
	                    api_time_or_null(inv->schedule_ms), "heldReason",
	                    api_str_or_null(pacing_reason_name(inv->message_held_reason)),
	                    "nextSlotAt", api_time_or_null(inv->message_next_slot_ms))
	              : json_null();
	if (inv->event_public_id && inv->event_type)
		event = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o}", "id", inv->event_public_id, "type",
		    inv->event_type, "campaignId", api_str_or_null(inv->event_campaign_id),
		    "relationshipId", api_str_or_null(inv->event_relationship_id), "messageId",
		    api_str_or_null(inv->message_public_id), "occurredAt",
		    api_time_or_null(inv->event_ms));
	o = json_pack("{s:s,s:s,s:s,s:I,s:I,s:o,s:o}", "id", inv->public_id, "action", inv->action,
	    "status", inv_status_name(inv->status), "creditsReserved",
	    (json_int_t)inv->credits_reserved, "creditsCharged", (json_int_t)inv->credits_charged,
	    "createdAt", api_time_or_null(inv->created_ms), "message", message);
	if (o && inv->status == INV_AWAITING_APPROVAL && inv->message_public_id) {
		/* the approval page; people sign in there, and only a POST there decides */
		snprintf(url, sizeof(url), "%s/app/w/%s/approvals/%s", ctx->core->public_url,
		    ctx->who.workspace_public, inv->message_public_id);
		json_object_set_new(o, "approvalUrl", json_string(url));
	} else if (o) {
		json_object_set_new(o, "approvalUrl", json_null());
	}
	return json_pack("{s:o,s:o}", "invocation", o, "event", event);
}

static void
answer_invocation(struct http_ctx *ctx, const char *id, int status)
{
	struct page v;
	lc_err e;

	if ((e = invocations_get(ctx->core, &ctx->who, id, &v)) != LC_OK) {
		api_fail(ctx, e, "invocation_not_found");
		return;
	}
	http_send_json(ctx->req, status, invocation_json(ctx, v.items), NULL);
	page_free(&v);
}

/* answer_sent answers a send or a reply with the invocation it wrote (202). */
static void
answer_sent(struct http_ctx *ctx, lc_err e, struct page *inv, const struct core_fail *fail)
{
	if (e != LC_OK)
		api_fail_core(ctx, e, fail);
	else
		http_send_json(ctx->req, 202, invocation_json(ctx, inv->items), NULL);
	page_free(inv);
}

void
api_campaign_send_email(void *arg)
{
	static const char *const keys[] = {"relationshipId", "subject", "body", "scheduleAt", NULL};
	struct http_ctx *ctx = arg;
	struct send_in in;
	struct core_fail fail;
	const char *schedule = NULL;
	struct page inv;
	char by[96];
	json_t *doc;

	if ((doc = api_read_json(ctx, 0)) == NULL)
		return;
	memset(&in, 0, sizeof(in));
	if (api_only_keys(ctx, doc, keys, NULL) != 0 ||
	    api_get_str(ctx, doc, "relationshipId", 1, &in.relationship_id, NULL) != 0 ||
	    api_get_str(ctx, doc, "subject", 1, &in.subject, NULL) != 0 ||
	    api_get_str(ctx, doc, "body", 1, &in.body, NULL) != 0 ||
	    api_get_str(ctx, doc, "scheduleAt", 0, &schedule, NULL) != 0)
		goto out;
	if (parse_schedule(ctx, schedule, &in.schedule_ms) != 0)
		goto out;
	in.campaign_id = ctx->match.captures[0];
	api_requester(ctx, by, sizeof(by));
	in.requested_by = by;
	memset(&fail, 0, sizeof(fail));
	answer_sent(ctx, outbox_send_email(ctx->core, &ctx->who, &in, &inv, &fail), &inv, &fail);
out:
	json_decref(doc);
}

void
api_campaign_respond(void *arg)
{
	static const char *const keys[] = {
	    "inboundMessageId", "subject", "body", "scheduleAt", NULL};
	struct http_ctx *ctx = arg;
	struct respond_in in;
	struct core_fail fail;
	const char *schedule = NULL;
	struct page inv;
	char by[96];
	json_t *doc;

	if ((doc = api_read_json(ctx, 0)) == NULL)
		return;
	memset(&in, 0, sizeof(in));
	if (api_only_keys(ctx, doc, keys, NULL) != 0 ||
	    api_get_str(ctx, doc, "inboundMessageId", 1, &in.inbound_id, NULL) != 0 ||
	    api_get_str(ctx, doc, "subject", 0, &in.subject, NULL) != 0 ||
	    api_get_str(ctx, doc, "body", 1, &in.body, NULL) != 0 ||
	    api_get_str(ctx, doc, "scheduleAt", 0, &schedule, NULL) != 0)
		goto out;
	if (parse_schedule(ctx, schedule, &in.schedule_ms) != 0)
		goto out;
	api_requester(ctx, by, sizeof(by));
	in.requested_by = by;
	memset(&fail, 0, sizeof(fail));
	answer_sent(ctx, outbox_respond(ctx->core, &ctx->who, &in, &inv, &fail), &inv, &fail);
out:
	json_decref(doc);
}

void
api_invocation_get(void *arg)
{
	struct http_ctx *ctx = arg;

	if (api_no_params(ctx) != 0)
		return;
	answer_invocation(ctx, ctx->match.captures[0], 200);
}
