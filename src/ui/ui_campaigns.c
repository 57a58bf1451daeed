/* ui_campaigns.c: the campaigns of a workspace (counts and rates), one campaign with its
 * timeline drawn as inline SVG (no script: every coordinate is computed here), and pause
 * and resume through campaigns_transition(), the function the API uses. */
#include <stdio.h>
#include <string.h>

#include "core/pacing.h"
#include "ui/ui.h"
#include "ui/ui_app.h"
#include "ui/ui_labels.h"
#include "util/cursor.h"
#include "util/timefmt.h"

#define LIST_PAGE 50
#define CHART_DAYS_MAX 90
#define CHART_DAYS_MIN 14
/* The chart's geometry, in SVG user units. */
#define CH_W 720.0
#define CH_H 260.0
#define CH_LEFT 44.0
#define CH_RIGHT 712.0
#define CH_TOP 16.0
#define CH_BOTTOM 222.0

static const unsigned series[] = {TL_DRAFTS_READY, TL_APPROVALS_COMPLETED, TL_EMAILS_SENT};
static const char *const series_label[] = {"Drafts ready", "Approvals completed", "Emails sent"};

static json_t *campaign_row(const struct campaign *);
static int64_t day_of(const char *);
static json_t *num(double);
static json_t *chart_json(const struct metrics *);
static const char *kind_label(unsigned);
static void transition(struct http_ctx *, enum campaign_action);

static const char *
kind_label(unsigned kind)
{
	static const char *const labels[] = {"Campaign created", "Drafts ready",
	    "Approvals completed", "Emails sent", "First reply", "First link placed",
	    "Campaign paused", "Campaign resumed"};

	return kind < TL_NKINDS ? labels[kind] : "Event";
}

static json_t *
campaign_row(const struct campaign *c)
{
	char open[16], reply[16], place[16];
	json_t *o;

	ui_rate(metrics_rate(c->opened, c->sent), open);
	ui_rate(metrics_rate(c->replied, c->sent), reply);
	ui_rate(metrics_rate(c->placed, c->sent), place);
	o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s,s:s,s:s,s:b,s:b}", "id",
	    c->public_id, "name", c->name, "type", campaign_type_name(c->type), "status",
	    campaign_status_name(c->status), "drafts", (json_int_t)c->drafts, "sent",
	    (json_int_t)c->sent, "delivered", (json_int_t)c->delivered, "opened",
	    (json_int_t)c->opened, "replied", (json_int_t)c->replied, "placed",
	    (json_int_t)c->placed, "pending", (json_int_t)c->pending_approvals, "open_rate", open,
	    "reply_rate", reply, "placement_rate", place, "paused", c->status == CSTATUS_PAUSED,
	    "active", c->status == CSTATUS_ACTIVE);
	if (o) {
		ui_set_str(o, "target", c->target_url);
		ui_set_str(o, "sender", c->sender);
		ui_set_str(o, "pause_reason", c->pause_reason);
		ui_set_time(o, "created", c->created_ms);
		if (c->paused_ms >= 0)
			ui_set_time(o, "paused_at", c->paused_ms);
	}
	return o;
}

void
ui_campaigns_get(void *arg)
{
	struct http_ctx *ctx = arg;
	struct ui_user u;
	struct ui_ws w;
	struct campaign_query q;
	struct page p;
	const struct campaign *campaigns;
	const char *cursor = query_get(&ctx->query, "cursor");
	char next[256];
	json_t *page, *items;
	size_t i;
	lc_err e;

	if (ui_need_user(ctx, &u) != 0 || ui_need_ws(ctx, &u, &w) != 0)
		return;
	memset(&q, 0, sizeof(q));
	q.since_ms = -1;
	q.limit = LIST_PAGE;
	if (cursor) {
		if (cursor_decode(cursor, strlen(cursor), &q.cursor_ms, &q.cursor_id) != LC_OK) {
			ui_error(
			    ctx, 400, "Bad page", "This page link is not one the site made.", NULL);
			return;
		}
		q.has_cursor = 1;
	}
	if ((e = campaigns_list(ctx->core, &w.who, &q, &p)) != LC_OK) {
		ui_fail(ctx, e);
		return;
	}
	campaigns = p.items;
	page = ui_ctx_new(&u, &w, "Campaigns");
	items = json_array();
	for (i = 0; items && i < p.n; i++)
		json_array_append_new(items, campaign_row(&campaigns[i]));
	if (page) {
		json_object_set_new(page, "items", items ? items : json_array());
		json_object_set_new(page, "empty", json_boolean(p.n == 0));
		json_object_set_new(page, "total", json_integer(p.total));
		if (p.has_next) {
			snprintf(next, sizeof(next), "/app/w/%s/campaigns?cursor=%s",
			    w.who.workspace_public, p.next_cursor);
			json_object_set_new(page, "next", json_string(next));
		}
	} else {
		json_decref(items);
	}
	page_free(&p);
	ui_render(ctx, 200, "campaigns", page, NULL);
}

/* day_of returns days since 1970-01-01 of "YYYY-MM-DD", or -1. */
static int64_t
day_of(const char *s)
{
	int64_t ms;

	if (sqltime_parse(s, strlen(s), &ms) != LC_OK)
		return -1;
	return ms / 86400000;
}

static json_t *
num(double v)
{
	/* one decimal is plenty for a 720-unit drawing; every value here is >= 0 */
	return json_real((double)(long long)(v * 10.0 + 0.5) / 10.0);
}

/* chart_json lays out the timeline: per day, one bar per counted kind (drafts ready,
 * approvals completed, emails sent); other entries (created, first reply, first link,
 * paused, resumed) are marked with a vertical line. At most the last CHART_DAYS_MAX days. */
static json_t *
chart_json(const struct metrics *m)
{
	int64_t first = -1, last = -1, d, span, today;
	int64_t counts[CHART_DAYS_MAX][3];
	double slot, bw, scale, x, h;
	int64_t max = 0;
	json_t *bars, *marks, *labels, *legend, *o;
	char date[TIME_DATE_LEN], title[160];
	size_t i, k;

	memset(counts, 0, sizeof(counts));
	for (i = 0; i < m->ntimeline; i++) {
		if ((d = day_of(m->timeline[i].date)) < 0)
			continue;
		if (first < 0 || d < first)
			first = d;
		if (d > last)
			last = d;
	}
	if (first < 0)
		return json_null();
	/* a short or recent history is drawn over two weeks up to today, so one busy day
	 * reads as a day and not as the whole chart */
	today = now_ms() / 86400000;
	if (today > last && today - last < CHART_DAYS_MIN)
		last = today;
	if (last - first + 1 < CHART_DAYS_MIN)
		first = last - CHART_DAYS_MIN + 1;
	if (last - first + 1 > CHART_DAYS_MAX)
		first = last - CHART_DAYS_MAX + 1;
	span = last - first + 1;
	for (i = 0; i < m->ntimeline; i++) {
		const struct timeline_entry *t = &m->timeline[i];
		if ((d = day_of(t->date)) < first)
			continue;
		for (k = 0; k < 3; k++)
			if (t->kind == series[k])
				counts[d - first][k] += t->count;
	}
	for (d = 0; d < span; d++)
		for (k = 0; k < 3; k++)
			if (counts[d][k] > max)
				max = counts[d][k];
	if (max == 0)
		max = 1;
	slot = (CH_RIGHT - CH_LEFT) / (double)span;
	bw = slot / 3.0 * 0.8;
	scale = (CH_BOTTOM - CH_TOP) / (double)max;

	bars = json_array();
	marks = json_array();
	labels = json_array();
	legend = json_array();
	if (!bars || !marks || !labels || !legend)
		goto fail;
	for (d = 0; d < span; d++) {
		date_format((first + d) * 86400000, date);
		for (k = 0; k < 3; k++) {
			if (counts[d][k] == 0)
				continue;
			x = CH_LEFT + slot * (double)d + slot * 0.1 + bw * (double)k;
			h = (double)counts[d][k] * scale;
			snprintf(title, sizeof(title), "%s %s: %lld", date, series_label[k],
			    (long long)counts[d][k]);
			o = json_pack("{s:o,s:o,s:o,s:o,s:s,s:s}", "x", num(x), "y",
			    num(CH_BOTTOM - h), "w", num(bw), "h", num(h), "cls",
			    timeline_kind_name(series[k]), "title", title);
			if (o)
				json_array_append_new(bars, o);
		}
	}
	for (i = 0; i < m->ntimeline; i++) {
		const struct timeline_entry *t = &m->timeline[i];
		if (timeline_kind_counted(t->kind) || (d = day_of(t->date)) < first)
			continue;
		x = CH_LEFT + slot * ((double)(d - first) + 0.5);
		snprintf(title, sizeof(title), "%s %s%s%.100s", t->date, kind_label(t->kind),
		    t->reason ? ": " : "", t->reason ? t->reason : "");
		o = json_pack("{s:o,s:o,s:o,s:s,s:s}", "x", num(x), "y1", num(CH_TOP), "y2",
		    num(CH_BOTTOM), "cls", timeline_kind_name(t->kind), "title", title);
		if (o)
			json_array_append_new(marks, o);
	}
	/* the first and last day under the axis, the largest count beside it */
	date_format(first * 86400000, date);
	json_array_append_new(labels, json_pack("{s:o,s:o,s:s,s:s}", "x", num(CH_LEFT), "y",
	                                  num(CH_BOTTOM + 18), "text", date, "anchor", "start"));
	if (span > 1) {
		date_format(last * 86400000, date);
		json_array_append_new(
		    labels, json_pack("{s:o,s:o,s:s,s:s}", "x", num(CH_RIGHT), "y",
		                num(CH_BOTTOM + 18), "text", date, "anchor", "end"));
	}
	if (span >= 7) {
		date_format((first + span / 2) * 86400000, date);
		json_array_append_new(
		    labels, json_pack("{s:o,s:o,s:s,s:s}", "x",
		                num(CH_LEFT + slot * ((double)(span / 2) + 0.5)), "y",
		                num(CH_BOTTOM + 18), "text", date, "anchor", "middle"));
	}
	snprintf(title, sizeof(title), "%lld", (long long)max);
	json_array_append_new(labels, json_pack("{s:o,s:o,s:s,s:s}", "x", num(CH_LEFT - 6), "y",
	                                  num(CH_TOP + 4), "text", title, "anchor", "end"));
	json_array_append_new(labels, json_pack("{s:o,s:o,s:s,s:s}", "x", num(CH_LEFT - 6), "y",
	                                  num(CH_BOTTOM), "text", "0", "anchor", "end"));
	for (k = 0; k < 3; k++)
		json_array_append_new(
		    legend, json_pack("{s:s,s:s}", "cls", timeline_kind_name(series[k]), "label",
		                series_label[k]));
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I}", "w", num(CH_W), "h",
	    num(CH_H), "left", num(CH_LEFT), "right", num(CH_RIGHT), "top", num(CH_TOP), "bottom",
	    num(CH_BOTTOM), "bars", bars, "marks", marks, "labels", labels, "legend", legend,
	    "days", (json_int_t)span);
fail:
	json_decref(bars);
	json_decref(marks);
	json_decref(labels);
	json_decref(legend);
	return NULL;
}

/* held_json lists the campaign's first held messages (the approval list's query, one
 * index range): to whom, why and when their mailbox's next slot comes; NULL on error. */
static json_t *
held_json(struct http_ctx *ctx, const struct ui_ws *w, const struct campaign *c)
{
	struct approval_query q;
	struct page ap;
	const struct msg_brief *msgs;
	json_t *list;
	size_t i;

	memset(&q, 0, sizeof(q));
	q.status_mask = 1u << MS_HELD;
	q.campaign_id = c->public_id;
	q.campaign_row_id = c->id; /* the page has just read it: no second lookup */
	q.limit = 20;
	q.no_total = 1; /* the page shows the rows, not how many: a first read's statement less */
	if (approvals_list_brief(ctx->core, &w->who, &q, &ap) != LC_OK) {
		page_free(&ap);
		return NULL;
	}
	msgs = ap.items;
	list = json_array();
	for (i = 0; list && i < ap.n; i++) {
		const struct msg_brief *m = &msgs[i];
		json_t *o = json_pack("{s:s,s:s,s:s}", "id", m->public_id, "to", m->to, "reason",
		    pacing_reason_name(m->held_reason)
		        ? ui_label(pacing_reason_name(m->held_reason))
		        : "campaign paused");

		if (o == NULL)
			continue;
		if (m->next_slot_ms >= 0)
			ui_set_time(o, "next_slot", m->next_slot_ms);
		json_array_append_new(list, o);
	}
	page_free(&ap);
	return list;
}

void
ui_campaign_get(void *arg)
{
	struct http_ctx *ctx = arg;
	struct ui_user u;
	struct ui_ws w;
	struct metrics m;
	json_t *page, *c, *tl, *domains, *chart, *held;
	char rate[16];
	size_t i;
	lc_err e;

	if (ui_need_user(ctx, &u) != 0 || ui_need_ws(ctx, &u, &w) != 0)
		return;
	if ((e = metrics_get(ctx->core, &w.who, ctx->match.captures[1], &m)) != LC_OK) {
		ui_fail(ctx, e);
		return;
	}
	page = ui_ctx_new(&u, &w, m.campaign.name ? m.campaign.name : "Campaign");
	c = campaign_row(&m.campaign);
	if (c) {
		json_object_set_new(c, "drafted", json_integer(m.drafted));
		ui_rate(m.open_rate, rate);
		json_object_set_new(c, "open_rate", json_string(rate));
		ui_rate(m.reply_rate, rate);
		json_object_set_new(c, "reply_rate", json_string(rate));
		ui_rate(m.placement_rate, rate);
		json_object_set_new(c, "placement_rate", json_string(rate));
		json_object_set_new(c, "ended",
		    json_boolean(m.campaign.status == CSTATUS_COMPLETED ||
		                 m.campaign.status == CSTATUS_CANCELLED));
	}
	tl = json_array();
	for (i = 0; tl && i < m.ntimeline; i++) {
		const struct timeline_entry *t = &m.timeline[i];
		json_t *o = json_pack("{s:s,s:s,s:s}", "date", t->date, "kind", kind_label(t->kind),
		    "cls", timeline_kind_name(t->kind));
		if (o == NULL)
			continue;
		if (timeline_kind_counted(t->kind))
			json_object_set_new(o, "count", json_integer(t->count));
		ui_set_str(o, "reason", t->reason);
		json_array_append_new(tl, o);
	}
	domains = json_array();
	for (i = 0; domains && i < m.ndomains && i < 200; i++) {
		json_t *o = json_pack("{s:s,s:s}", "domain", m.by_domain[i].domain, "status",
		    ui_label(rel_status_name(m.by_domain[i].status)));
		if (o == NULL)
			continue;
		ui_set_str(o, "link", m.by_domain[i].link_url);
		json_array_append_new(domains, o);
	}
	chart = chart_json(&m);
	held = held_json(ctx, &w, &m.campaign);
	if (page && c) {
		json_object_set_new(
		    page, "has_held", json_boolean(held && json_array_size(held) > 0));
		json_object_set_new(page, "held", held ? held : json_array());
		held = NULL;
		json_object_set_new(page, "c", c);
		json_object_set_new(page, "timeline", tl ? tl : json_array());
		json_object_set_new(page, "has_domains", json_boolean(m.ndomains > 0));
		json_object_set_new(page, "domains", domains ? domains : json_array());
		json_object_set_new(page, "chart", chart ? chart : json_null());
	} else {
		json_decref(page);
		json_decref(c);
		json_decref(tl);
		json_decref(domains);
		json_decref(chart);
		page = NULL;
	}
	json_decref(held);
	metrics_free(&m);
	ui_render(ctx, 200, "campaign", page, NULL);
}

/* transition pauses or resumes the campaign of the path for an approver, then shows it. */
static void
transition(struct http_ctx *ctx, enum campaign_action action)
{
	struct ui_user u;
	struct ui_ws w;
	struct ui_form f;
	struct core_fail fail;
	const char *reason;
	char back[256];
	json_t *page;
	lc_err e;

	if (ui_post(ctx, &u, &w, &f) != 0)
		return;
	snprintf(back, sizeof(back), "/app/w/%s/campaigns/%s", w.who.workspace_public,
	    ctx->match.captures[1]);
	if (!w.who.can_approve) {
		ui_form_free(&f);
		ui_fail(ctx, LC_EFORBIDDEN);
		return;
	}
	reason = ui_form_get(&f, "reason");
	if (reason && reason[0] == '\0')
		reason = NULL;
	memset(&fail, 0, sizeof(fail));
	e = campaigns_transition(ctx->core, &w.who, ctx->match.captures[1], action, reason, &fail);
	ui_form_free(&f);
	if (e == LC_OK) {
		ui_redirect(ctx->req, back, NULL);
	} else if (e == LC_ECONFLICT || e == LC_EINVAL) {
		page = json_pack("{s:s,s:s,s:s,s:i}", "title",
		    e == LC_ECONFLICT ? "Nothing to do" : "Not possible", "message",
		    fail.detail ? fail.detail : "The campaign cannot change state now.", "back",
		    back, "status", e == LC_ECONFLICT ? 409 : 422);
		ui_render(ctx, e == LC_ECONFLICT ? 409 : 422, "error", page, NULL);
	} else {
		ui_fail(ctx, e);
	}
}

void
ui_campaign_pause(void *arg)
{
	transition(arg, CAMPAIGN_PAUSE);
}

void
ui_campaign_resume(void *arg)
{
	transition(arg, CAMPAIGN_RESUME);
}
