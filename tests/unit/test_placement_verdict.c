/* test_placement_verdict.c: the verdict rule of a placement check (core/placement_verdict.c):
 * each verdict from its evidence, each issue, X-Robots-Tag parsing, the links' JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/placements.h"

static struct placement_evidence
page_with(int nofollow, const char *anchor)
{
	struct placement_evidence ev;

	memset(&ev, 0, sizeof(ev));
	ev.http_status = 200;
	ev.parsed = 1;
	ev.anchors = 12;
	ev.hits_total = ev.nhits = 1;
	ev.hits[0].href = "https://target.example/guide";
	ev.hits[0].anchor = anchor;
	ev.hits[0].rel = nofollow ? "nofollow" : "";
	ev.hits[0].nofollow = nofollow;
	ev.hits[0].context = anchor;
	return ev;
}

static enum placement_verdict
judge(const struct placement_evidence *ev, const char *anchor, int rel, unsigned *issues,
    const char **reason)
{
	struct placement_expect x = {anchor, rel};

	return placement_verdict(ev, &x, issues, reason);
}

static void
test_live_and_issues(void **state)
{
	struct placement_evidence ev = page_with(0, "The Guide");
	unsigned issues;
	const char *reason;
	char names[PLACEMENT_ISSUES_MAX];

	(void)state;
	assert_int_equal(judge(&ev, NULL, PL_REL_FOLLOW, &issues, &reason), PV_LIVE);
	assert_int_equal(issues, 0);
	assert_null(reason);
	assert_int_equal(judge(&ev, "  the   guide ", PL_REL_FOLLOW, &issues, &reason), PV_LIVE);
	assert_int_equal(judge(&ev, "best guide", PL_REL_FOLLOW, &issues, &reason), PV_LIVE_ISSUES);
	assert_int_equal(issues, PI_ANCHOR_DIFFERS);
	assert_int_equal(judge(&ev, NULL, PL_REL_SPONSORED, &issues, &reason), PV_LIVE_ISSUES);
	assert_int_equal(issues, PI_REL_DIFFERS);
	ev = page_with(1, "x");
	assert_int_equal(judge(&ev, NULL, PL_REL_FOLLOW, &issues, &reason), PV_LIVE_ISSUES);
	assert_int_equal(issues, PI_NOT_FOLLOWED);
	assert_int_equal(judge(&ev, NULL, PL_REL_NOFOLLOW, &issues, &reason), PV_LIVE);
	ev.meta_noindex = 1;
	ev.x_robots_tag = "googlebot: noindex";
	ev.canonical_elsewhere = 1;
	ev.robots_blocks_search = 1;
	assert_int_equal(judge(&ev, NULL, PL_REL_FOLLOW, &issues, &reason), PV_LIVE_ISSUES);
	placement_issues_format(issues, names);
	assert_string_equal(names, "not_followed,noindex_meta,noindex_header,canonical_elsewhere,"
	                           "robots_disallowed");
	placement_issues_format(0, names);
	assert_string_equal(names, "");
	/* a bot-check marker does not matter when the link is there */
	ev = page_with(0, "g");
	ev.challenge = 1;
	assert_int_equal(judge(&ev, NULL, PL_REL_FOLLOW, &issues, &reason), PV_LIVE);
}

static void
test_missing_and_unverifiable(void **state)
{
	struct placement_evidence ev;
	unsigned issues;
	const char *reason;
	static const long unverifiable[] = {401, 403, 429, 500, 502, 503, 301, 418};
	size_t i;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.http_status = 200;
	ev.parsed = 1;
	ev.anchors = 3;
	assert_int_equal(judge(&ev, NULL, 0, &issues, &reason), PV_MISSING);
	assert_non_null(strstr(reason, "no link"));
	ev.truncated = 1;
	assert_int_equal(judge(&ev, NULL, 0, &issues, &reason), PV_MISSING);
	assert_non_null(strstr(reason, "2 MiB"));
	ev.http_status = 404;
	assert_int_equal(judge(&ev, NULL, 0, &issues, &reason), PV_MISSING);
	ev.http_status = 410;
	assert_int_equal(judge(&ev, NULL, 0, &issues, &reason), PV_MISSING);
	for (i = 0; i < sizeof(unverifiable) / sizeof(unverifiable[0]); i++) {
		ev.http_status = unverifiable[i];
		assert_int_equal(judge(&ev, NULL, 0, &issues, &reason), PV_UNVERIFIABLE);
		assert_non_null(reason);
	}
	ev.http_status = 200;
	ev.truncated = 0;
	ev.challenge = 1;
	assert_int_equal(judge(&ev, NULL, 0, &issues, &reason), PV_UNVERIFIABLE);
	ev.challenge = 0;
	ev.anchors = 0;
	ev.scripts = 4;
	ev.text_bytes = 10;
	assert_int_equal(judge(&ev, NULL, 0, &issues, &reason), PV_UNVERIFIABLE);
	assert_non_null(strstr(reason, "script-only"));
	ev.text_bytes = 5000;
	assert_int_equal(judge(&ev, NULL, 0, &issues, &reason), PV_UNVERIFIABLE);
	assert_non_null(strstr(reason, "no links"));
	ev.parsed = 0;
	ev.parse_failed = 1;
	assert_int_equal(judge(&ev, NULL, 0, &issues, &reason), PV_UNVERIFIABLE);
	memset(&ev, 0, sizeof(ev));
	ev.fetch_error = "Timeout was reached";
	assert_int_equal(judge(&ev, NULL, 0, &issues, &reason), PV_UNVERIFIABLE);
	assert_string_equal(reason, "Timeout was reached");
	ev.not_fetched = 1;
	ev.http_status = 200;
	assert_int_equal(judge(&ev, NULL, 0, &issues, &reason), PV_UNVERIFIABLE);
	memset(&ev, 0, sizeof(ev));
	ev.offsite_redirect = 1;
	ev.http_status = 301;
	assert_int_equal(judge(&ev, NULL, 0, &issues, &reason), PV_UNVERIFIABLE);
}

static void
test_xrobots_and_names(void **state)
{
	(void)state;
	assert_int_equal(placement_xrobots_noindex("noindex"), 1);
	assert_int_equal(placement_xrobots_noindex("NoIndex, nofollow"), 1);
	assert_int_equal(placement_xrobots_noindex("none"), 1);
	assert_int_equal(placement_xrobots_noindex("googlebot: noindex"), 1);
	assert_int_equal(placement_xrobots_noindex("otherbot: noindex"), 0);
	assert_int_equal(placement_xrobots_noindex("otherbot: noindex, googlebot: nofollow"), 0);
	assert_int_equal(
	    placement_xrobots_noindex("unavailable_after: 25 Jun 2010 15:00:00 PST"), 0);
	assert_int_equal(placement_xrobots_noindex("nofollow, noarchive"), 0);
	assert_int_equal(placement_xrobots_noindex("noindexx"), 0);
	assert_int_equal(placement_xrobots_noindex(""), 0);
	assert_int_equal(placement_xrobots_noindex(",,,:,"), 0);
	assert_string_equal(placement_verdict_name(PV_LIVE_ISSUES), "live_with_issues");
	assert_string_equal(placement_verdict_name(99), "unknown");
	assert_int_equal(placement_rel_from_name("sponsored"), PL_REL_SPONSORED);
	assert_int_equal(placement_rel_from_name("dofollow"), -1);
	assert_int_equal(placement_rel_from_name(NULL), -1);
	assert_string_equal(placement_rel_name(PL_REL_UGC), "ugc");
}

static void
test_links_json(void **state)
{
	struct placement_evidence ev = page_with(0, "caf\xc3\xa9 \"quoted\"");
	char *j;

	(void)state;
	ev.hits[0].rel = "nofollow  sponsored";
	j = placement_links_json(&ev);
	assert_non_null(j);
	assert_string_equal(j,
	    "[{\"href\":\"https://target.example/guide\",\"anchor\":"
	    "\"caf\xc3\xa9 \\\"quoted\\\"\",\"rel\":[\"nofollow\",\"sponsored\"],"
	    "\"context\":\"caf\xc3\xa9 \\\"quoted\\\"\"}]");
	free(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_live_and_issues),
	    cmocka_unit_test(test_missing_and_unverifiable),
	    cmocka_unit_test(test_xrobots_and_names),
	    cmocka_unit_test(test_links_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
