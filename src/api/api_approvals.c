/* api_approvals.c: the approval queue over the API (keys with the approve permission
 * decide; any workspace key may read). */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/pacing.h"
#include "core/validate.h"

static json_t *approval_json(const struct out_message *);
static int parse_names(struct http_ctx *, const char *, int (*)(const char *, size_t), unsigned *);
static void decide(struct http_ctx *, int);
static int status_lookup(const char *, size_t);

static json_t *
approval_json(const struct out_message *m)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:I,s:o,s:o,s:o,s:o,s:o}",
	    "id", m->public_id, "kind", msg_kind_name(m->kind), "status",
	    msg_status_name(m->status), "campaignId", m->campaign_public_id, "relationshipId",
	    m->relationship_public_id, "to", m->to, "subject", m->subject, "body", m->body,
	    "scheduleAt", api_time_or_null(m->schedule_ms), "createdAt",
	    api_time_or_null(m->created_ms), "requestedBy", m->requested_by, "creditsReserved",
	    (json_int_t)m->credits_reserved, "inReplyTo", api_str_or_null(m->in_reply_to),
	    "invocationId", api_str_or_null(m->invocation_public_id), "lastError",
	    api_str_or_null(m->last_error), "heldReason",
	    api_str_or_null(pacing_reason_name(m->held_reason)), "nextSlotAt",
	    api_time_or_null(m->next_slot_ms));
}

/* parse_names reads a comma list of names into a mask; -1 after answering. */
static int
parse_names(
    struct http_ctx *ctx, const char *param, int (*lookup)(const char *, size_t), unsigned *mask)
{
	const char *s = query_get(&ctx->query, param), *p, *comma;
	int v;

	*mask = 0;
	if (s == NULL)
		return 0;
	for (p = s;; p = comma + 1) {
		comma = strchr(p, ',');
		v = lookup(p, comma ? (size_t)(comma - p) : strlen(p));
		if (v < 0) {
			api_bad_param(ctx, param, "This parameter has an unknown value.");
			return -1;
		}
		*mask |= 1u << v;
		if (comma == NULL)
			return 0;
	}
}

static int
status_lookup(const char *s, size_t len)
{
	/* "pending" is the reference's word for awaiting_approval */
	if (len == 7 && memcmp(s, "pending", 7) == 0)
		return MS_AWAITING_APPROVAL;
	return msg_status_from_name(s, len);
}

void
api_approval_list(void *arg)
{
	static const char *const allowed[] = {
	    "status", "kind", "campaignId", "limit", "cursor", NULL};
	struct http_ctx *ctx = arg;
	struct approval_query q;
	struct page page;
	const struct out_message *items;
	json_t *data;
	size_t i;
	lc_err e;

	memset(&q, 0, sizeof(q));
	if (api_only_params(ctx, allowed) != 0 ||
	    parse_names(ctx, "status", status_lookup, &q.status_mask) != 0 ||
	    parse_names(ctx, "kind", msg_kind_from_name, &q.kind_mask) != 0 ||
	    api_parse_limit_cursor(ctx, &q.limit, &q.has_cursor, &q.cursor_ms, &q.cursor_id) != 0)
		return;
	if ((q.campaign_id = query_get(&ctx->query, "campaignId")) != NULL &&
	    !campaign_id_valid(q.campaign_id)) {
		api_bad_param(ctx, "campaignId", "campaignId is not a campaign id.");
		return;
	}
	if ((e = approvals_list(ctx->core, &ctx->who, &q, &page)) != LC_OK) {
		api_fail(ctx, e, "campaign_not_found");
		return;
	}
	items = page.items;
	data = json_array();
	for (i = 0; data && i < page.n; i++)
		json_array_append_new(data, approval_json(&items[i]));
	api_send_page(ctx, data, page.total, page.has_next, page.next_cursor);
	page_free(&page);
}

void
api_approval_get(void *arg)
{
	struct http_ctx *ctx = arg;
	struct page v;
	lc_err e;

	if (api_no_params(ctx) != 0)
		return;
	if ((e = approvals_get(ctx->core, &ctx->who, ctx->match.captures[0], &v)) != LC_OK) {
		api_fail(ctx, e, "approval_not_found");
		return;
	}
	http_send_json(ctx->req, 200, approval_json(v.items), NULL);
	page_free(&v);
}

static void
decide(struct http_ctx *ctx, int approve)
{
	static const char *const approve_keys[] = {"subject", "body", NULL};
	static const char *const reject_keys[] = {"reason", NULL};
	struct page v;
	struct core_fail fail;
	const char *subject = NULL, *body = NULL, *reason = NULL;
	char by[96];
	json_t *doc;
	lc_err e;

	if ((doc = api_read_json(ctx, 1)) == NULL)
		return;
	if (api_only_keys(ctx, doc, approve ? approve_keys : reject_keys, NULL) != 0 ||
	    (approve && (api_get_str(ctx, doc, "subject", 0, &subject, NULL) != 0 ||
	                    api_get_str(ctx, doc, "body", 0, &body, NULL) != 0)) ||
	    (!approve && api_get_str(ctx, doc, "reason", 0, &reason, NULL) != 0)) {
		json_decref(doc);
		return;
	}
	memset(&fail, 0, sizeof(fail));
	api_requester(ctx, by, sizeof(by));
	e = approvals_decide(ctx->core, &ctx->who, ctx->match.captures[0], approve, by, subject,
	    body, reason, &v, &fail);
	json_decref(doc);
	if (e != LC_OK)
		api_fail_core(ctx, e, &fail);
	else
		http_send_json(ctx->req, 200, approval_json(v.items), NULL);
	page_free(&v);
}

void
api_approval_approve(void *arg)
{
	decide(arg, 1);
}

void
api_approval_reject(void *arg)
{
	decide(arg, 0);
}
