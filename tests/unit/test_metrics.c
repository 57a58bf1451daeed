/* test_metrics.c: the pure parts of metrics (rates, domain ranking, timeline kinds),
 * the wire-name tables of names.c and LIKE patterns. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/core.h"
#include "core/like.h"

static int from_name(int (*fn)(const char *, size_t), const char *s, size_t len);
static int like(const char *s, size_t outlen, char *out);

/* from_name calls a *_from_name lookup on an exact-size heap copy of s[0..len). */
static int
from_name(int (*fn)(const char *, size_t), const char *s, size_t len)
{
	char *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, s, len);
	r = fn(copy, len);
	free(copy);
	return r;
}

/* like runs like_contains into an exact-size heap buffer of outlen bytes and copies a
 * successful result to out. */
static int
like(const char *s, size_t outlen, char *out)
{
	char *buf = malloc(outlen ? outlen : 1);
	int r;

	assert_non_null(buf);
	r = like_contains(s, buf, outlen);
	if (r == 0)
		memcpy(out, buf, strlen(buf) + 1);
	free(buf);
	return r;
}

/* ---- metrics_rate ---- */

static void
test_rate_reference_numbers(void **state)
{
	(void)state;
	assert_int_equal(metrics_rate(9, 11), 82);
	assert_int_equal(metrics_rate(4, 11), 36);
	assert_int_equal(metrics_rate(2, 11), 18);
}

static void
test_rate_zero_denominator_is_zero(void **state)
{
	(void)state;
	assert_int_equal(metrics_rate(0, 0), 0);
	assert_int_equal(metrics_rate(5, 0), 0);
	assert_int_equal(metrics_rate(5, -3), 0);
}

static void
test_rate_zero_numerator_is_zero(void **state)
{
	(void)state;
	assert_int_equal(metrics_rate(0, 11), 0);
	assert_int_equal(metrics_rate(-1, 11), 0);
}

static void
test_rate_rounds_half_up(void **state)
{
	(void)state;
	assert_int_equal(metrics_rate(1, 8), 13);        /* 12.5 */
	assert_int_equal(metrics_rate(3, 8), 38);        /* 37.5 */
	assert_int_equal(metrics_rate(1, 200), 1);       /* 0.5 */
	assert_int_equal(metrics_rate(1, 201), 0);       /* 0.4975 */
	assert_int_equal(metrics_rate(1, 3), 33);        /* 33.33 */
	assert_int_equal(metrics_rate(2, 3), 67);        /* 66.67 */
	assert_int_equal(metrics_rate(199, 200), 100);   /* 99.5 */
	assert_int_equal(metrics_rate(399, 400), 100);   /* 99.75 */
	assert_int_equal(metrics_rate(1999, 2000), 100); /* 99.95 */
	assert_int_equal(metrics_rate(197, 200), 99);    /* 98.5 */
}

static void
test_rate_whole_is_100(void **state)
{
	(void)state;
	assert_int_equal(metrics_rate(1, 1), 100);
	assert_int_equal(metrics_rate(11, 11), 100);
	assert_int_equal(metrics_rate(INT64_C(3000000000), INT64_C(3000000000)), 100);
}

static void
test_rate_large_values_do_not_overflow(void **state)
{
	(void)state;
	assert_int_equal(metrics_rate(INT64_C(1000000000), INT64_C(3000000000)), 33);
	assert_int_equal(metrics_rate(INT64_C(2000000000), INT64_C(3000000000)), 67);
	assert_int_equal(metrics_rate(INT64_C(5000000000), INT64_C(10000000000)), 50);
	assert_int_equal(metrics_rate(INT64_C(1000000000000000), INT64_C(8000000000000000)), 13);
}

/* r = metrics_rate(num, den) must satisfy r - 1/2 <= 100 num / den < r + 1/2. */
static void
test_rate_is_nearest_hundredth_half_up(void **state)
{
	int64_t num, den, r;

	(void)state;
	for (den = 1; den <= 300; den++)
		for (num = 0; num <= den; num++) {
			r = metrics_rate(num, den);
			if (!((2 * r - 1) * den <= 200 * num && 200 * num < (2 * r + 1) * den))
				fail_msg("metrics_rate(%lld, %lld) = %lld", (long long)num,
				    (long long)den, (long long)r);
		}
}

/* ---- metrics_domain_rank ---- */

static void
test_domain_rank_follows_funnel(void **state)
{
	static const unsigned order[] = {REL_LINK_PLACED, REL_REPLIED, REL_DECLINED, REL_OPENED,
	    REL_SENT, REL_NO_RESPONSE, REL_SCHEDULED, REL_AWAITING_APPROVAL, REL_BOUNCED,
	    REL_PROSPECT};
	size_t i;

	(void)state;
	for (i = 0; i + 1 < sizeof(order) / sizeof(order[0]); i++)
		if (metrics_domain_rank(order[i]) <= metrics_domain_rank(order[i + 1]))
			fail_msg("%s should rank above %s", rel_status_name(order[i]),
			    rel_status_name(order[i + 1]));
}

static void
test_domain_rank_bounced_equals_unsubscribed(void **state)
{
	(void)state;
	assert_int_equal(metrics_domain_rank(REL_BOUNCED), metrics_domain_rank(REL_UNSUBSCRIBED));
	assert_true(metrics_domain_rank(REL_UNSUBSCRIBED) > metrics_domain_rank(REL_PROSPECT));
	assert_true(
	    metrics_domain_rank(REL_UNSUBSCRIBED) < metrics_domain_rank(REL_AWAITING_APPROVAL));
}

static void
test_domain_rank_unknown_is_lowest(void **state)
{
	unsigned s;

	(void)state;
	for (s = 0; s < REL_NSTATUS; s++)
		assert_true(metrics_domain_rank(s) > metrics_domain_rank(REL_NSTATUS));
	assert_int_equal(metrics_domain_rank(REL_NSTATUS), metrics_domain_rank(12345));
}

/* ---- timeline kinds ---- */

static void
test_timeline_kind_names(void **state)
{
	(void)state;
	assert_string_equal(timeline_kind_name(TL_CAMPAIGN_CREATED), "campaign_created");
	assert_string_equal(timeline_kind_name(TL_DRAFTS_READY), "drafts_ready");
	assert_string_equal(timeline_kind_name(TL_APPROVALS_COMPLETED), "approvals_completed");
	assert_string_equal(timeline_kind_name(TL_EMAILS_SENT), "emails_sent");
	assert_string_equal(timeline_kind_name(TL_FIRST_REPLY), "first_reply");
	assert_string_equal(timeline_kind_name(TL_FIRST_LINK_PLACED), "first_link_placed");
	assert_string_equal(timeline_kind_name(TL_CAMPAIGN_PAUSED), "campaign_paused");
	assert_string_equal(timeline_kind_name(TL_CAMPAIGN_RESUMED), "campaign_resumed");
	assert_string_equal(timeline_kind_name(TL_NKINDS), "unknown");
	assert_string_equal(timeline_kind_name(999), "unknown");
}

static void
test_timeline_kind_counted(void **state)
{
	unsigned k;

	(void)state;
	for (k = 0; k <= TL_NKINDS; k++) {
		int want =
		    k == TL_DRAFTS_READY || k == TL_APPROVALS_COMPLETED || k == TL_EMAILS_SENT;
		if (timeline_kind_counted(k) != want)
			fail_msg("timeline_kind_counted(%s) != %d", timeline_kind_name(k), want);
	}
}

/* ---- names.c ---- */

static void
test_campaign_type_names_round_trip(void **state)
{
	unsigned t;

	(void)state;
	assert_string_equal(campaign_type_name(CAMPAIGN_SERP), "serp");
	assert_string_equal(campaign_type_name(CAMPAIGN_COMPETITOR), "competitor");
	assert_string_equal(campaign_type_name(CAMPAIGN_CUSTOM), "custom");
	assert_string_equal(campaign_type_prefix(CAMPAIGN_SERP), "scmp_");
	assert_string_equal(campaign_type_prefix(CAMPAIGN_COMPETITOR), "ccmp_");
	assert_string_equal(campaign_type_prefix(CAMPAIGN_CUSTOM), "xcmp_");
	for (t = 0; t < CAMPAIGN_NTYPES; t++) {
		const char *n = campaign_type_name(t);
		assert_int_equal(from_name(campaign_type_from_name, n, strlen(n)), (int)t);
	}
}

static void
test_campaign_type_from_name_is_length_delimited(void **state)
{
	(void)state;
	assert_int_equal(from_name(campaign_type_from_name, "serpx", 4), CAMPAIGN_SERP);
	assert_int_equal(from_name(campaign_type_from_name, "serp,custom", 4), CAMPAIGN_SERP);
	assert_int_equal(from_name(campaign_type_from_name, "serp,custom" + 5, 6), CAMPAIGN_CUSTOM);
	assert_int_equal(from_name(campaign_type_from_name, "serp", 3), -1);
	assert_int_equal(campaign_type_from_name("serp\0", 5), -1);
}

static void
test_campaign_type_from_name_unknown(void **state)
{
	(void)state;
	assert_int_equal(from_name(campaign_type_from_name, "", 0), -1);
	assert_int_equal(from_name(campaign_type_from_name, "SERP", 4), -1);
	assert_int_equal(from_name(campaign_type_from_name, "serps", 5), -1);
	assert_int_equal(from_name(campaign_type_from_name, "draft", 5), -1);
}

static void
test_campaign_status_names_round_trip(void **state)
{
	static const char *const want[] = {"draft", "active", "paused", "completed", "cancelled"};
	unsigned s;

	(void)state;
	for (s = 0; s < CSTATUS_N; s++) {
		assert_string_equal(campaign_status_name(s), want[s]);
		assert_int_equal(
		    from_name(campaign_status_from_name, want[s], strlen(want[s])), (int)s);
	}
	assert_int_equal(from_name(campaign_status_from_name, "activex", 6), CSTATUS_ACTIVE);
	assert_int_equal(from_name(campaign_status_from_name, "canceled", 8), -1);
	assert_int_equal(from_name(campaign_status_from_name, "", 0), -1);
	assert_int_equal(from_name(campaign_status_from_name, "serp", 4), -1);
}

static void
test_rel_status_names_round_trip(void **state)
{
	static const char *const want[] = {"prospect", "awaiting_approval", "scheduled", "sent",
	    "opened", "replied", "link_placed", "bounced", "unsubscribed", "declined",
	    "no_response"};
	unsigned s;

	(void)state;
	assert_int_equal(sizeof(want) / sizeof(want[0]), REL_NSTATUS);
	for (s = 0; s < REL_NSTATUS; s++) {
		assert_string_equal(rel_status_name(s), want[s]);
		assert_int_equal(from_name(rel_status_from_name, want[s], strlen(want[s])), (int)s);
	}
}

static void
test_rel_status_from_name_is_length_delimited(void **state)
{
	(void)state;
	assert_int_equal(from_name(rel_status_from_name, "sentx", 4), REL_SENT);
	assert_int_equal(from_name(rel_status_from_name, "sent,opened", 4), REL_SENT);
	assert_int_equal(from_name(rel_status_from_name, "link_placed", 4), -1); /* "link" */
	assert_int_equal(from_name(rel_status_from_name, "no_response", 2), -1);
}

static void
test_rel_status_from_name_unknown(void **state)
{
	(void)state;
	assert_int_equal(from_name(rel_status_from_name, "", 0), -1);
	assert_int_equal(from_name(rel_status_from_name, "placed", 6), -1);
	assert_int_equal(from_name(rel_status_from_name, "Sent", 4), -1);
	assert_int_equal(from_name(rel_status_from_name, "no-response", 11), -1);
}

static void
test_names_out_of_range_are_not_null(void **state)
{
	(void)state;
	assert_non_null(campaign_type_name(CAMPAIGN_NTYPES));
	assert_non_null(campaign_type_prefix(999));
	assert_non_null(campaign_status_name(CSTATUS_N));
	assert_non_null(rel_status_name(REL_NSTATUS));
}

/* ---- like_contains ---- */

static void
test_like_plain_text(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(like("abc", sizeof(out), out), 0);
	assert_string_equal(out, "%abc%");
	assert_int_equal(like("", sizeof(out), out), 0);
	assert_string_equal(out, "%%");
	assert_int_equal(like("caf\xc3\xa9", sizeof(out), out), 0);
	assert_string_equal(out, "%caf\xc3\xa9%");
}

static void
test_like_escapes_percent_underscore_bang(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(like("50%", sizeof(out), out), 0);
	assert_string_equal(out, "%50!%%");
	assert_int_equal(like("a_b", sizeof(out), out), 0);
	assert_string_equal(out, "%a!_b%");
	assert_int_equal(like("hi!", sizeof(out), out), 0);
	assert_string_equal(out, "%hi!!%");
	assert_int_equal(like("%_!", sizeof(out), out), 0);
	assert_string_equal(out, "%!%!_!!%");
	assert_int_equal(like("\\'", sizeof(out), out), 0); /* not special with ESCAPE '!' */
	assert_string_equal(out, "%\\'%");
}

static void
test_like_exact_fit(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(like("abc", 6, out), 0); /* "%abc%" + NUL */
	assert_string_equal(out, "%abc%");
	assert_int_equal(like("a%", 6, out), 0); /* "%a!%%" + NUL */
	assert_string_equal(out, "%a!%%");
	assert_int_equal(like("", 3, out), 0);
	assert_string_equal(out, "%%");
}

static void
test_like_overflow_returns_minus_one(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(like("abc", 5, out), -1);
	assert_int_equal(like("a%", 5, out), -1);
	assert_int_equal(like("a%", 4, out), -1);
	assert_int_equal(like("", 2, out), -1);
	assert_int_equal(like("", 1, out), -1);
	assert_int_equal(like_contains("", out, 0), -1);
}

static void
test_like_never_writes_past_outlen(void **state)
{
	static const char *const inputs[] = {"abcdef", "%%%%%%", "a_b_c_", "!", "ab!"};
	char out[32];
	size_t i, n, k;

	(void)state;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
		for (n = 0; n < 20; n++) {
			memset(out, 'Z', sizeof(out));
			if (like_contains(inputs[i], out, n) == 0)
				assert_true(strlen(out) < n);
			for (k = n; k < sizeof(out); k++)
				assert_int_equal(out[k], 'Z');
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rate_reference_numbers),
	    cmocka_unit_test(test_rate_zero_denominator_is_zero),
	    cmocka_unit_test(test_rate_zero_numerator_is_zero),
	    cmocka_unit_test(test_rate_rounds_half_up),
	    cmocka_unit_test(test_rate_whole_is_100),
	    cmocka_unit_test(test_rate_large_values_do_not_overflow),
	    cmocka_unit_test(test_rate_is_nearest_hundredth_half_up),
	    cmocka_unit_test(test_domain_rank_follows_funnel),
	    cmocka_unit_test(test_domain_rank_bounced_equals_unsubscribed),
	    cmocka_unit_test(test_domain_rank_unknown_is_lowest),
	    cmocka_unit_test(test_timeline_kind_names),
	    cmocka_unit_test(test_timeline_kind_counted),
	    cmocka_unit_test(test_campaign_type_names_round_trip),
	    cmocka_unit_test(test_campaign_type_from_name_is_length_delimited),
	    cmocka_unit_test(test_campaign_type_from_name_unknown),
	    cmocka_unit_test(test_campaign_status_names_round_trip),
	    cmocka_unit_test(test_rel_status_names_round_trip),
	    cmocka_unit_test(test_rel_status_from_name_is_length_delimited),
	    cmocka_unit_test(test_rel_status_from_name_unknown),
	    cmocka_unit_test(test_names_out_of_range_are_not_null),
	    cmocka_unit_test(test_like_plain_text),
	    cmocka_unit_test(test_like_escapes_percent_underscore_bang),
	    cmocka_unit_test(test_like_exact_fit),
	    cmocka_unit_test(test_like_overflow_returns_minus_one),
	    cmocka_unit_test(test_like_never_writes_past_outlen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
