/* api_campaigns.c: GET campaign list, one campaign, and its metrics. Their answers go
 * through the response cache (src/http/cache.c); each says how long it stays right. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/mailbox.h"
#include "core/validate.h"
#include "util/jsonw.h"
#include "util/timefmt.h"

static int parse_mask(struct http_ctx *, const char *, int (*)(const char *, size_t), unsigned *);
static void write_rates(struct jsonw *, unsigned, unsigned, unsigned);
static void write_campaign(struct jsonw *, const struct campaign *, int);
static void send_written(struct http_ctx *, struct buf *, const struct jsonw *);

/* The read answers are written straight into one buffer (util/jsonw.h) rather than built
 * as json_t values and dumped: for a list page that was most of linkcamp-fcgi's time
 * (bench/README.md, "First reads"). ANSWER_MAX bounds one answer; a page of 100 items
 * with 200-character names is about 40 KB. */
#define ANSWER_MAX (4u * 1024 * 1024)

/* parse_mask reads a comma list of names into a bit mask; -1 after answering 400. */
static int
parse_mask(
    struct http_ctx *ctx, const char *param, int (*lookup)(const char *, size_t), unsigned *mask)
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

/* write_rates writes openRate, replyRate and placementRate (hundredths, as fractions). */
static void
write_rates(struct jsonw *w, unsigned open, unsigned reply, unsigned placement)
{
	jsonw_key(w, "openRate");
	jsonw_real(w, open / 100.0);
	jsonw_key(w, "replyRate");
	jsonw_real(w, reply / 100.0);
	jsonw_key(w, "placementRate");
	jsonw_real(w, placement / 100.0);
}

/* write_campaign writes a campaign's members into the object w has open: a list item
 * (the reference's fields and the metrics' three rates), and with detail the detail
 * view's further fields. The one place a campaign's JSON shape is written. */
static void
write_campaign(struct jsonw *w, const struct campaign *c, int detail)
{
	unsigned open, reply, placement;

	metrics_rates(c, &open, &reply, &placement);
	jsonw_key(w, "id");
	jsonw_str(w, c->public_id);
	jsonw_key(w, "type");
	jsonw_str(w, campaign_type_name(c->type));
	jsonw_key(w, "name");
	jsonw_str(w, c->name);
	jsonw_key(w, "createdAt");
	jsonw_time(w, c->created_ms);
	jsonw_key(w, "status");
	jsonw_str(w, campaign_status_name(c->status));
	jsonw_key(w, "draftsCount");
	jsonw_int(w, c->drafts);
	jsonw_key(w, "sentCount");
	jsonw_int(w, c->sent);
	jsonw_key(w, "repliedCount");
	jsonw_int(w, c->replied);
	jsonw_key(w, "placedCount");
	jsonw_int(w, c->placed);
	write_rates(w, open, reply, placement);
	if (!detail)
		return;
	jsonw_key(w, "targetUrl");
	jsonw_str(w, c->target_url);
	jsonw_key(w, "sender");
	jsonw_str(w, c->sender);
	jsonw_key(w, "updatedAt");
	jsonw_time(w, c->updated_ms);
	jsonw_key(w, "deliveredCount");
	jsonw_int(w, c->delivered);
	jsonw_key(w, "openedCount");
	jsonw_int(w, c->opened);
	jsonw_key(w, "pausedAt");
	jsonw_time(w, c->paused_ms);
	jsonw_key(w, "pauseReason");
	jsonw_str(w, c->pause_reason);
	jsonw_key(w, "pendingApprovals");
	jsonw_int(w, c->pending_approvals);
}

/* send_written answers 200 with the document w wrote into b, or 500 as http_send_json
 * does when it could not be written whole; frees b. */
static void
send_written(struct http_ctx *ctx, struct buf *b, const struct jsonw *w)
{
	if (jsonw_finish(w) != LC_OK)
		http_problem(ctx->req, 500, "internal_error", "The response could not be built.",
		    NULL, NULL, NULL);
	else
		http_send(ctx->req, 200, "application/json", NULL, b->data, b->len);
	buf_free(b);
}

json_t *
api_campaign_json(const struct campaign *c)
{
	/* the write routes' answers: the same writer, read back into a json_t they can add to
	 * (mailboxIds), so the shape is defined once */
	struct buf b;
	struct jsonw w;
	json_t *doc = NULL;

	buf_init(&b, ANSWER_MAX);
	jsonw_init(&w, &b);
	jsonw_obj(&w);
	write_campaign(&w, c, 1);
	jsonw_end(&w);
	if (jsonw_finish(&w) == LC_OK)
		doc = json_loadb(b.data, b.len, 0, NULL);
	buf_free(&b);
	return doc;
}

void
api_campaign_list(void *arg)
{
	static const char *const allowed[] = {
	    "type", "status", "since", "q", "limit", "cursor", NULL};
	struct http_ctx *ctx = arg;
	struct campaign_query q;
	struct page page;
	const struct campaign *items;
	const char *s;
	struct buf b;
	struct jsonw w;
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
		api_bad_param(ctx, "since",
		    "since must be an RFC 3339 date-time such as "
		    "2026-05-01T00:00:00Z.");
		return;
	}
	if ((s = query_get(&ctx->query, "q")) != NULL && *s) {
		if (!text_valid(s, 1, NAME_MAX_CHARS, 0)) {
			api_bad_param(ctx, "q",
			    "q must be 1 to 200 characters without control "
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
	buf_init(&b, ANSWER_MAX);
	jsonw_init(&w, &b);
	jsonw_obj(&w);
	jsonw_key(&w, "data");
	jsonw_arr(&w);
	for (i = 0; i < page.n; i++) {
		jsonw_obj(&w);
		write_campaign(&w, &items[i], 0);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_key(&w, "total");
	jsonw_int(&w, page.total);
	jsonw_key(&w, "nextCursor");
	jsonw_str(&w, page.has_next ? page.next_cursor : NULL);
	jsonw_end(&w);
	page_free(&page);
	ctx->fresh_until_ms = INT64_MAX; /* nothing in it depends on the time of asking */
	send_written(ctx, &b, &w);
}

void
api_campaign_get(void *arg)
{
	struct http_ctx *ctx = arg;
	const char *ids[MAILBOXES_MAX_PER_WORKSPACE];
	struct page v;
	const struct campaign *c;
	struct buf b;
	struct jsonw w;
	size_t i, n;
	lc_err e;

	if (api_no_params(ctx) != 0)
		return;
	/* mailbox changes move the data version, so the cached answer may hold them */
	if ((e = campaigns_get_detail(ctx->core, &ctx->who, ctx->match.captures[0], &v, ids,
	         MAILBOXES_MAX_PER_WORKSPACE, &n)) != LC_OK) {
		api_fail(ctx, e, "campaign_not_found");
		return;
	}
	c = v.items;
	buf_init(&b, ANSWER_MAX);
	jsonw_init(&w, &b);
	jsonw_obj(&w);
	write_campaign(&w, c, 1);
	jsonw_key(&w, "mailboxIds");
	jsonw_arr(&w);
	for (i = 0; i < n; i++)
		jsonw_str(&w, ids[i]);
	jsonw_end(&w);
	jsonw_end(&w);
	page_free(&v);
	ctx->fresh_until_ms = INT64_MAX;
	send_written(ctx, &b, &w);
}

void
api_campaign_metrics(void *arg)
{
	struct http_ctx *ctx = arg;
	struct metrics m;
	struct buf b;
	struct jsonw w;
	size_t i;
	lc_err e;

	if (api_no_params(ctx) != 0)
		return;
	if ((e = metrics_get(ctx->core, &ctx->who, ctx->match.captures[0], &m)) != LC_OK) {
		api_fail(ctx, e, "campaign_not_found");
		return;
	}
	buf_init(&b, ANSWER_MAX);
	jsonw_init(&w, &b);
	jsonw_obj(&w);
	jsonw_key(&w, "campaignId");
	jsonw_str(&w, m.campaign.public_id);
	jsonw_key(&w, "summary");
	jsonw_obj(&w);
	jsonw_key(&w, "drafted");
	jsonw_int(&w, m.drafted);
	jsonw_key(&w, "sent");
	jsonw_int(&w, m.sent);
	jsonw_key(&w, "delivered");
	jsonw_int(&w, m.delivered);
	jsonw_key(&w, "opened");
	jsonw_int(&w, m.opened);
	jsonw_key(&w, "replied");
	jsonw_int(&w, m.replied);
	jsonw_key(&w, "placed");
	jsonw_int(&w, m.placed);
	write_rates(&w, m.open_rate, m.reply_rate, m.placement_rate);
	jsonw_end(&w);
	jsonw_key(&w, "timeline");
	jsonw_arr(&w);
	for (i = 0; i < m.ntimeline; i++) {
		const struct timeline_entry *t = &m.timeline[i];

		jsonw_obj(&w);
		jsonw_key(&w, "date");
		jsonw_str(&w, t->date);
		jsonw_key(&w, "event");
		jsonw_str(&w, timeline_kind_name(t->kind));
		if (timeline_kind_counted(t->kind)) {
			jsonw_key(&w, "count");
			jsonw_int(&w, t->count);
		}
		if (t->kind == TL_CAMPAIGN_PAUSED || t->kind == TL_CAMPAIGN_RESUMED) {
			jsonw_key(&w, "reason");
			jsonw_str(&w, t->reason);
		}
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_key(&w, "byDomain");
	jsonw_arr(&w);
	for (i = 0; i < m.ndomains; i++) {
		const struct domain_entry *d = &m.by_domain[i];

		jsonw_obj(&w);
		jsonw_key(&w, "domain");
		jsonw_str(&w, d->domain);
		jsonw_key(&w, "status");
		jsonw_str(&w, rel_status_name(d->status));
		if (d->link_url) {
			jsonw_key(&w, "linkUrl");
			jsonw_str(&w, d->link_url);
		}
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_end(&w);
	ctx->fresh_until_ms = m.stable_until_ms;
	metrics_free(&m);
	send_written(ctx, &b, &w);
}
