/* demo_placements.c: the demo's placements, one of each verdict, each with the evidence
 * of its check, so that the verdicts, the checks list and the docs' examples can be seen
 * on `scripts/dev up` without a web to check. Their next check is 30 days away: the
 * demo's domains are made up, and a check would call them unverifiable. */
#include <stdio.h>
#include <string.h>

#include "core/demo.h"
#include "core/placements.h"
#include "db/store_placements.h"
#include "util/ids.h"
#include "util/timefmt.h"

#define DEMO_RECHECK_MS (INT64_C(30) * 86400 * 1000)

struct demo_pl {
	unsigned status, verdict;
	const char *issues, *reason, *links, *meta;
	long http;
	uint64_t anchors;
};

lc_err
demo_placement(struct db *db, int64_t workspace_id, int64_t campaign_id, int64_t rel_id,
    const char *domain, const char *target_url, unsigned which, int64_t at_ms)
{
	/* which: 0 live, 1 live_with_issues, 2 missing, 3 unverifiable */
	static const struct demo_pl kinds[] = {
	    {PL_VERIFIED, PV_LIVE, NULL, NULL,
	        "[{\"href\":\"%s\",\"anchor\":\"the complete guide\",\"rel\":[],\"context\":"
	        "\"Our favourite resources this year: the complete guide walks you through every "
	        "step.\"}]",
	        "index, follow", 200, 84},
	    {PL_VERIFIED, PV_LIVE_ISSUES, "not_followed", NULL,
	        "[{\"href\":\"%s\",\"anchor\":\"this guide\",\"rel\":[\"nofollow\",\"sponsored\"],"
	        "\"context\":\"Sponsored: this guide is worth a read.\"}]",
	        NULL, 200, 61},
	    {PL_PENDING, PV_MISSING, NULL, "the page has no link to the campaign's targetUrl", "[]",
	        NULL, 200, 47},
	    {PL_PENDING, PV_UNVERIFIABLE, NULL,
	        "the page answered HTTP 403 (blocked; often a bot check)", "[]", NULL, 403, 0},
	};
	const struct demo_pl *k = &kinds[which % 4];
	struct store_pl_check c;
	char id[ID_MAX], url[300], links[1024], at[TIME_SQL_LEN], due[TIME_SQL_LEN];
	char final[300];
	struct db_rows r;
	int64_t check_id = 0, pid;
	int inserted = 0;
	lc_err e;

	/* the URL the demo's link_placed event names for the placed ones */
	snprintf(url, sizeof(url), "https://%s/best-tools-%u", domain, which + 1);
	snprintf(final, sizeof(final), "https://www.%s/best-tools-%u", domain, which + 1);
	snprintf(links, sizeof(links), k->links, target_url);
	sqltime_format(at_ms, at);
	sqltime_format(now_ms() + DEMO_RECHECK_MS, due);
	id_new("pl_", id);
	if ((e = store_pl_insert(db, id, workspace_id, campaign_id, rel_id, url, at, &inserted)) !=
	        LC_OK ||
	    (e = store_pl_find(db, rel_id, url, &r)) != LC_OK)
		return e;
	pid = r.nrows == 1 ? db_i64(&r, 0, PLC_COL_ID) : 0;
	db_rows_free(&r);
	if (pid == 0)
		return LC_EDB;
	memset(&c, 0, sizeof(c));
	c.placement_id = pid;
	c.now_sql = at;
	c.verdict = k->verdict;
	c.issues = k->issues;
	c.reason = k->reason;
	c.http_status = k->http;
	c.final_url = k->http == 200 ? final : url;
	c.redirects = k->http == 200;
	c.content_type = "text/html; charset=utf-8";
	c.last_modified = "Mon, 02 Nov 2026 08:00:00 GMT";
	c.body_sha256 = "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b";
	c.body_size = 48213;
	c.meta_robots = k->meta;
	c.anchors = k->anchors;
	c.links = links;
	if ((e = store_pl_check_insert(db, &c, &check_id)) != LC_OK)
		return e;
	return store_pl_demo_state(
	    db, pid, k->status, k->verdict, k->issues, k->http, k->reason, at, due, check_id);
}
