/* demo.c: the demo account that `scripts/dev up` seeds — an agency with two client
 * workspaces and campaigns of every type whose history is played through
 * events_record, so counters, aggregates and metrics are exactly what real events
 * would have produced. */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "core/core.h"
#include "core/demo.h"
#include "core/domain.h"
#include "core/mailbox.h"
#include "core/sending.h"
#include "db/store_campaigns.h"
#include "db/store_relationships.h"
#include "db/store_sending.h"
#include "util/timefmt.h"

#define DAY_MS INT64_C(86400000)
#define HOUR_MS INT64_C(3600000)

struct demo_campaign {
	unsigned type;
	const char *name, *target_url;
	unsigned prospects, drafted, sent, opened, replied, placed;
	int age_days;
	const char *pause_reason; /* non-NULL: paused after the history */
};

struct play_ctx {
	int64_t workspace_id;
	const struct demo_campaign *dc;
	char campaign_id[ID_MAX];
	int placements; /* seed one placement of each verdict (demo_placements.c) */
};

static lc_err demo_domain(struct core *, struct demo_result *);
static const char *const first_names[] = {"Marina", "Oskar", "Priya", "Jonas", "Leila", "Tomás",
    "Aiko", "Dev", "Grace", "Noor", "Felix", "Sofia", "Mateo", "Hana", "Ravi"};
static const char *const local_parts[] = {"marina", "oskar", "priya", "jonas", "leila", "tomas",
    "aiko", "dev", "grace", "noor", "felix", "sofia", "mateo", "hana", "ravi"};
static const char *const last_names[] = {"Keller", "Okafor", "Lindqvist", "Moreau", "Sato", "Novak",
    "Haddad", "Brennan", "Costa", "Weber"};
static const char *const domain_words[] = {"engineering-blog", "devleadweekly", "shipfast",
    "teamtopology", "buildlog", "stackreview", "pmtoolsdigest", "agilenotes", "codecraft",
    "remoteeng", "productloop", "sprintjournal", "infra-weekly", "cto-corner", "opsmatters"};

static lc_err play_tx(struct db *, void *);
static lc_err record(
    struct db *, struct play_ctx *, int64_t, int64_t, enum event_type, int64_t, const char *);

static lc_err
record(struct db *db, struct play_ctx *ctx, int64_t campaign_id, int64_t rel_id,
    enum event_type type, int64_t at, const char *detail)
{
	struct event_in ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.workspace_id = ctx->workspace_id;
	ev.campaign_id = campaign_id;
	ev.relationship_id = rel_id;
	ev.at_ms = at;
	ev.detail = detail;
	return events_record(db, &ev, NULL);
}

/* play_tx creates one campaign and plays its funnel: every prospect drafted on day 0,
 * approved and sent on day 1, opens over days 1-3, replies days 3-6, placements later. */
static lc_err
play_tx(struct db *db, void *arg)
{
	struct play_ctx *ctx = arg;
	const struct demo_campaign *dc = ctx->dc;
	int64_t t0 = (now_ms() / DAY_MS - dc->age_days) * DAY_MS + 9 * HOUR_MS;
	char now[TIME_SQL_LEN], rel[ID_MAX], domain[128], name[96], email[160], link[256];
	char subject[128];
	uint64_t cid = 0, rid = 0;
	unsigned i;
	lc_err e;

	sqltime_format(t0, now);
	id_new(campaign_type_prefix(dc->type), ctx->campaign_id);
	snprintf(subject, sizeof(subject), "A resource for your readers: %s", dc->name);
	if ((e = store_campaign_insert(db, ctx->campaign_id, ctx->workspace_id, dc->type, dc->name,
	         dc->target_url, "outreach@northwind.example", CSTATUS_ACTIVE, subject,
	         "Hi {{contactFirstName}},\n\nI enjoyed your piece on {{domain}}. "
	         "Would our guide be useful to your readers?\n\nBest,\nSam",
	         now, &cid)) != LC_OK)
		return e;
	if ((e = record(db, ctx, (int64_t)cid, 0, EV_CAMPAIGN_CREATED, t0, NULL)) != LC_OK)
		return e;
	/* SERP campaigns answer replies with an auto-response (waiting for approval) */
	if (dc->type == CAMPAIGN_SERP &&
	    (e = store_campaign_auto_response(db, (int64_t)cid,
	         "Thanks for getting back to us! I'll follow up with the details shortly.\n\nSam",
	         30)) != LC_OK)
		return e;
	for (i = 0; i < dc->prospects; i++) {
		const char *first = first_names[(i + dc->age_days) % 15];
		const char *last = last_names[(i * 7 + 3) % 10];
		int64_t sent_at = t0 + DAY_MS + (int64_t)i * 7 * 60000;

		snprintf(domain, sizeof(domain), "%s%s.com", domain_words[i % 15],
		    i >= 15 ? (i >= 30 ? "-hq" : "-daily") : "");
		snprintf(name, sizeof(name), "%s %s", first, last);
		snprintf(
		    email, sizeof(email), "%s@%s", local_parts[(i + dc->age_days) % 15], domain);
		id_new("rel_", rel);
		if ((e = store_rel_insert(db, rel, ctx->workspace_id, (int64_t)cid, domain, name,
		         email, now, &rid)) != LC_OK)
			return e;
		if (i >= dc->sent && i < dc->drafted) {
			/* drafts not yet sent are real messages waiting in the approval queue */
			char body[512];
			struct enqueue q;
			struct core_fail fail;

			snprintf(body, sizeof(body),
			    "Hi %s,\n\nI enjoyed your recent piece on %s. We just published a "
			    "guide "
			    "your readers might find useful: %s\n\nWould you consider linking to "
			    "it?"
			    "\n\nBest,\nSam",
			    first, domain, dc->target_url);
			memset(&q, 0, sizeof(q));
			memset(&fail, 0, sizeof(fail));
			q.workspace_id = ctx->workspace_id;
			q.campaign_id = (int64_t)cid;
			q.relationship_id = (int64_t)rid;
			q.kind = MSG_DRAFT;
			q.campaign_status = dc->pause_reason ? CSTATUS_PAUSED : CSTATUS_ACTIVE;
			q.from = "outreach@northwind.example";
			q.to = email;
			q.to_name = name;
			q.subject = subject;
			q.body = body;
			q.requested_by = "demo";
			q.at_ms = t0 + HOUR_MS;
			q.approve = 1;
			if ((e = outbox_enqueue_tx(db, &q, &fail)) != LC_OK)
				return e;
			continue;
		}
		if (i < dc->drafted &&
		    ((e = record(db, ctx, (int64_t)cid, (int64_t)rid, EV_DRAFT_CREATED,
		          t0 + HOUR_MS, NULL)) != LC_OK ||
		        (e = record(db, ctx, (int64_t)cid, (int64_t)rid, EV_APPROVAL_REQUESTED,
		             t0 + HOUR_MS, NULL)) != LC_OK))
			return e;
		if (i < dc->sent &&
		    ((e = record(db, ctx, (int64_t)cid, (int64_t)rid, EV_APPROVAL_COMPLETED,
		          t0 + 3 * HOUR_MS, NULL)) != LC_OK ||
		        (e = record(db, ctx, (int64_t)cid, (int64_t)rid, EV_EMAIL_SENT, sent_at,
		             NULL)) != LC_OK))
			return e;
		if (i < dc->opened &&
		    (e = record(db, ctx, (int64_t)cid, (int64_t)rid, EV_EMAIL_OPENED,
		         sent_at + (int64_t)(i % 3) * DAY_MS + 2 * HOUR_MS, NULL)) != LC_OK)
			return e;
		if (i < dc->replied &&
		    (e = record(db, ctx, (int64_t)cid, (int64_t)rid, EV_REPLY_RECEIVED,
		         sent_at + (3 + (int64_t)(i % 4)) * DAY_MS, NULL)) != LC_OK)
			return e;
		if (i < dc->placed) {
			snprintf(link, sizeof(link), "https://%s/best-tools-%u", domain, i + 1);
			if ((e = record(db, ctx, (int64_t)cid, (int64_t)rid, EV_LINK_PLACED,
			         sent_at + (8 + (int64_t)i) * DAY_MS, link)) != LC_OK)
				return e;
		}
		if (ctx->placements && i < 4 &&
		    (e = demo_placement(db, ctx->workspace_id, (int64_t)cid, (int64_t)rid, domain,
		         dc->target_url, i, now_ms() - (int64_t)(4 - i) * HOUR_MS)) != LC_OK)
			return e;
	}
	if (dc->pause_reason) {
		int64_t at = now_ms() - 2 * HOUR_MS;
		char at_sql[TIME_SQL_LEN];
		uint64_t changed = 0;

		sqltime_format(at, at_sql);
		if ((e = store_campaign_set_status(db, (int64_t)cid, CSTATUS_ACTIVE, CSTATUS_PAUSED,
		         dc->pause_reason, at_sql, &changed)) != LC_OK ||
		    (e = record(db, ctx, (int64_t)cid, 0, EV_CAMPAIGN_PAUSED, at,
		         dc->pause_reason)) != LC_OK)
			return e;
	}
	return LC_OK;
}

/* demo_domain gives both workspaces the sending domain of their campaigns' From
 * (outreach@northwind.example: the agency sends for its clients from its own address),
 * each with its own key under a fixed selector ("demo", "demo2"), so that scripts/dev can
 * publish them in the stack's DNS server and the demo's mail leaves signed. Without a
 * [mailboxes] key_file there is nothing to seal the keys with: no domain, no error. */
static lc_err
demo_domain(struct core *core, struct demo_result *out)
{
	const char *ws[2] = {out->workspace_id, out->other_workspace_id};
	const char *sel[2] = {"demo", "demo2"};
	char *ids[2] = {out->domain_id, out->other_domain_id};
	struct principal p;
	struct core_fail fail;
	struct page page;
	size_t i;
	lc_err e;

	if (!mailbox_configured())
		return LC_OK;
	for (i = 0; i < 2; i++) {
		if ((e = admin_principal_for(core, ws[i], &p)) != LC_OK)
			return e;
		memset(&fail, 0, sizeof(fail));
		if ((e = domains_create(core, &p, "northwind.example", sel[i], &page, &fail)) !=
		    LC_OK) {
			page_free(&page);
			return e;
		}
		snprintf(ids[i], ID_MAX, "%s", ((struct domain_view *)page.items)->public_id);
		page_free(&page);
	}
	return LC_OK;
}

lc_err
demo_seed(struct core *core, struct demo_result *out)
{
	static const struct demo_campaign ws1[] = {
	    {CAMPAIGN_SERP, "best PM software for engineering teams",
	        "https://acme-analytics.example/guides/pm-software", 14, 14, 11, 9, 4, 2, 18, NULL},
	    {CAMPAIGN_COMPETITOR, "vs monday.com", "https://acme-analytics.example/compare/monday",
	        25, 25, 18, 12, 7, 3, 11, NULL},
	    {CAMPAIGN_CUSTOM, "Q3 developer-tools roundup",
	        "https://acme-analytics.example/roundup", 8, 8, 3, 2, 0, 0, 5,
	        "Need to revisit messaging"},
	    {CAMPAIGN_SERP, "engineering metrics dashboards",
	        "https://acme-analytics.example/guides/metrics", 6, 6, 0, 0, 0, 0, 1, NULL},
	};
	static const struct demo_campaign ws2[] = {
	    {CAMPAIGN_SERP, "best API monitoring tools", "https://globex.example/api-monitoring",
	        12, 12, 10, 6, 3, 1, 20, NULL},
	    {CAMPAIGN_COMPETITOR, "vs Datadog", "https://globex.example/vs-datadog", 9, 9, 7, 5, 2,
	        0, 9, NULL},
	    {CAMPAIGN_CUSTOM, "status-page partners", "https://globex.example/partners", 5, 5, 5, 4,
	        1, 1, 30, NULL},
	};
	struct principal p;
	struct play_ctx ctx;
	char paced[ID_MAX] = "";
	size_t i;
	lc_err e;

	memset(out, 0, sizeof(*out));
	if ((e = admin_account_create(core, "Northwind Digital", out->account_id)) != LC_OK ||
	    (e = admin_workspace_create(
	         core, out->account_id, "Acme Analytics", out->workspace_id)) != LC_OK ||
	    (e = admin_workspace_create(
	         core, out->account_id, "Globex Tools", out->other_workspace_id)) != LC_OK ||
	    (e = admin_key_create(core, out->account_id, out->workspace_id, "demo workspace key", 0,
	         out->api_key)) != LC_OK ||
	    (e = admin_key_create(core, out->account_id, out->workspace_id, "demo approver key", 1,
	         out->approver_key)) != LC_OK ||
	    (e = admin_key_create(core, out->account_id, out->other_workspace_id,
	         "demo second workspace key", 0, out->other_api_key)) != LC_OK ||
	    (e = admin_key_create(
	         core, out->account_id, NULL, "demo agency key", 0, out->account_key)) != LC_OK ||
	    (e = admin_credits_grant(core, out->workspace_id, 500)) != LC_OK ||
	    (e = admin_credits_grant(core, out->other_workspace_id, 200)) != LC_OK)
		return e;
	if ((e = admin_principal_for(core, out->workspace_id, &p)) != LC_OK)
		return e;
	for (i = 0; i < sizeof(ws1) / sizeof(ws1[0]); i++) {
		memset(&ctx, 0, sizeof(ctx));
		ctx.workspace_id = p.workspace_id;
		ctx.dc = &ws1[i];
		ctx.placements = i == 0;
		if ((e = db_tx(core->db, play_tx, &ctx)) != LC_OK)
			return e;
		if (i == 0)
			memcpy(out->campaign_id, ctx.campaign_id, ID_MAX);
		if (i == 3)
			memcpy(paced, ctx.campaign_id, ID_MAX);
	}
	if ((e = demo_mailboxes_seed(core, &p, paced)) != LC_OK)
		return e;
	if ((e = admin_principal_for(core, out->other_workspace_id, &p)) != LC_OK)
		return e;
	for (i = 0; i < sizeof(ws2) / sizeof(ws2[0]); i++) {
		memset(&ctx, 0, sizeof(ctx));
		ctx.workspace_id = p.workspace_id;
		ctx.dc = &ws2[i];
		if ((e = db_tx(core->db, play_tx, &ctx)) != LC_OK)
			return e;
	}
	return demo_domain(core, out);
}
