/* api_campaigns.c: GET campaign list, one campaign, and its metrics. Their answers go
 * through the response cache (src/http/cache.c); each says how long it stays right. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/validate.h"
#include "util/timefmt.h"

static int parse_mask(struct http_ctx *, const char *, int (*)(const char *, size_t),
    unsigned *);
static json_t *campaign_item(const struct campaign *);
static json_t *with_rates(json_t *, unsigned, unsigned, unsigned);

/* parse_mask reads a comma list of names into a bit mask; -1 after answering 400. */
static int
parse_mask(struct http_ctx *ctx, const char *param, int (*lookup)(const char *, size_t),
    unsigned *mask)
{
	const char *s = query_get(&ctx->query, param), *p, *comma;
	char detail[160];
	int v;

	*mask = 0;
	if (s == NULL)
		return 0;
	for (p = s;; p = comma + 1) {
		comma = strchr(p, ',');
		v = lookup(p, comma ? (size_t)(comma - p) : strlen(p));
		if (v < 0) {
			snprintf(detail, sizeof(detail), "%s has an unknown value.", param);
			api_bad_param(ctx, param, detail);
			return -1;
		}
		*mask |= 1u << v;
		if (comma == NULL)
			break;
	}
	return 0;
}

/* with_rates adds openRate, replyRate and placementRate (hundredths as fractions) to o
 * (stolen) and returns it; NULL when o is NULL or out of memory. */
static json_t *
with_rates(json_t *o, unsigned open, unsigned reply, unsigned placement)
{
	if (o == NULL)
		return NULL;
	if (json_object_set_new(o, "openRate", json_real(open / 100.0)) != 0 ||
	    json_object_set_new(o, "replyRate", json_real(reply / 100.0)) != 0 ||
	    json_object_set_new(o, "placementRate", json_real(placement / 100.0)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* campaign_item is a list item: the reference's fields plus the metrics' three rates. */
static json_t *
campaign_item(const struct campaign *c)
{
	unsigned open, reply, placement;

	metrics_rates(c, &open, &reply, &placement);
	return with_rates(json_pack("{s:s,s:s,s:s,s:o,s:s,s:I,s:I,s:I,s:I}", "id", c->public_id, "type",
	    campaign_type_name(c->type), "name", c->name, "createdAt", api_time_or_null(c->created_ms),
	    "status", campaign_status_name(c->status), "draftsCount", (json_int_t)c->drafts,
	    "sentCount", (json_int_t)c->sent, "repliedCount", (json_int_t)c->replied, "placedCount",
	    (json_int_t)c->placed), open, reply, placement);
}

json_t *
api_campaign_json(const struct campaign *c)
{
	json_t *o = campaign_item(c);

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "targetUrl", json_string(c->target_url));
	json_object_set_new(o, "sender", json_string(c->sender));
	json_object_set_new(o, "updatedAt", api_time_or_null(c->updated_ms));
	json_object_set_new(o, "deliveredCount", json_integer(c->delivered));
	json_object_set_new(o, "openedCount", json_integer(c->opened));
	json_object_set_new(o, "pausedAt", api_time_or_null(c->paused_ms));
	json_object_set_new(o, "pauseReason", api_str_or_null(c->pause_reason));
	json_object_set_new(o, "pendingApprovals", json_integer(c->pending_approvals));
	return o;
}

void
api_campaign_list(void *arg)
{
	static const char *const allowed[] = {"type", "status", "since", "q", "limit", "cursor",
	    NULL};
	struct http_ctx *ctx = arg;
	struct campaign_query q;
	struct page page;
	const struct campaign *items;
	const char *s;
	json_t *doc, *data;
	size_t i;
	lc_err e;

	memset(&q, 0, sizeof(q));
	q.since_ms = -1;
	if (api_only_params(ctx, allowed) != 0 ||
	    parse_mask(ctx, "type", campaign_type_from_name, &q.type_mask) != 0 ||
	    parse_mask(ctx, "status", campaign_status_from_name, &q.status_mask) != 0 ||
	    api_parse_limit_cursor(ctx, &q.limit, &q.has_cursor, &q.cursor_ms, &q.cursor_id) != 0)
		return;
	if ((s = query_get(&ctx->query, "since")) != NULL &&
	    rfc3339_parse(s, strlen(s), &q.since_ms) != LC_OK) {
		api_bad_param(ctx, "since", "since must be an RFC 3339 date-time such as "
		                           "2026-05-01T00:00:00Z.");
		return;
	}
	if ((s = query_get(&ctx->query, "q")) != NULL && *s) {
		if (!text_valid(s, 1, NAME_MAX_CHARS, 0)) {
			api_bad_param(ctx, "q", "q must be 1 to 200 characters without control "
			                        "characters.");
			return;
		}
		q.q = s;
	}
	if ((e = campaigns_list(ctx->core, &ctx->who, &q, &page)) != LC_OK) {
		api_fail(ctx, e, "campaign_not_found");
		return;
	}
	items = page.items;
	data = json_array();
	for (i = 0; data && i < page.n; i++)
		json_array_append_new(data, campaign_item(&items[i]));
	doc = json_pack("{s:o,s:I,s:o}", "data", data, "total", (json_int_t)page.total,
	    "nextCursor", page.has_next ? json_string(page.next_cursor) : json_null());
	page_free(&page);
	ctx->fresh_until_ms = INT64_MAX; /* nothing in it depends on the time of asking */
	http_send_json(ctx->req, 200, doc, NULL);
}

void
api_campaign_get(void *arg)
{
	static const char *const allowed[] = {NULL};
	struct http_ctx *ctx = arg;
	struct page v;
	const struct campaign *c;
	json_t *doc;
	lc_err e;

	if (api_only_params(ctx, allowed) != 0)
		return;
	if ((e = campaigns_get(ctx->core, &ctx->who, ctx->match.captures[0], &v)) != LC_OK) {
		api_fail(ctx, e, "campaign_not_found");
		return;
	}
	c = v.items;
	ctx->fresh_until_ms = INT64_MAX;
	doc = api_campaign_json(c);
	if (doc)
		api_campaign_mailboxes(ctx, doc, c->id); /* mailbox changes move the data version */
	http_send_json(ctx->req, 200, doc, NULL);
	page_free(&v);
}

void
api_campaign_metrics(void *arg)
{
	static const char *const allowed[] = {NULL};
	struct http_ctx *ctx = arg;
	struct metrics m;
	json_t *doc, *summary, *timeline, *domains;
	size_t i;
	lc_err e;

	if (api_only_params(ctx, allowed) != 0)
		return;
	if ((e = metrics_get(ctx->core, &ctx->who, ctx->match.captures[0], &m)) != LC_OK) {
		api_fail(ctx, e, "campaign_not_found");
		return;
	}
	summary = with_rates(json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "drafted",
	    (json_int_t)m.drafted, "sent", (json_int_t)m.sent, "delivered", (json_int_t)m.delivered,
	    "opened", (json_int_t)m.opened, "replied", (json_int_t)m.replied, "placed",
	    (json_int_t)m.placed), m.open_rate, m.reply_rate, m.placement_rate);
	timeline = json_array();
	for (i = 0; timeline && i < m.ntimeline; i++) {
		const struct timeline_entry *t = &m.timeline[i];
		json_t *o = json_pack("{s:s,s:s}", "date", t->date, "event",
		    timeline_kind_name(t->kind));
		if (o && timeline_kind_counted(t->kind))
			json_object_set_new(o, "count", json_integer(t->count));
		if (o && (t->kind == TL_CAMPAIGN_PAUSED || t->kind == TL_CAMPAIGN_RESUMED))
			json_object_set_new(o, "reason", api_str_or_null(t->reason));
		json_array_append_new(timeline, o);
	}
	domains = json_array();
	for (i = 0; domains && i < m.ndomains; i++) {
		const struct domain_entry *d = &m.by_domain[i];
		json_t *o = json_pack("{s:s,s:s}", "domain", d->domain, "status",
		    rel_status_name(d->status));
		if (o && d->link_url)
			json_object_set_new(o, "linkUrl", json_string(d->link_url));
		json_array_append_new(domains, o);
	}
	doc = json_pack("{s:s,s:o,s:o,s:o}", "campaignId", m.campaign.public_id, "summary", summary,
	    "timeline", timeline, "byDomain", domains);
	ctx->fresh_until_ms = m.stable_until_ms;
	metrics_free(&m);
	http_send_json(ctx->req, 200, doc, NULL);
}
