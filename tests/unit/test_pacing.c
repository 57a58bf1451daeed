/* test_pacing.c: the pacing rules (core/pacing.c) without a database or a clock: the
 * window in America/New_York across the 2027 DST changes, the daily cap and the next
 * day's opening, the warm-up ramp day by day, the gap inside and across the window; and
 * the health rules (core/health.c): the bounce rate over 20 sends, what a policy refusal
 * is. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/health.h"
#include "core/pacing.h"

#define S(x) ((int64_t)(x)*1000)
/* Friday 2027-03-12 .. Monday 2027-03-15, 09:00 New York, in UTC seconds */
#define NY_0312_0900 1804860000
#define NY_0313_0900 1804946400
#define NY_0315_0900 1805115600
#define NY_1105_0900 1825419600
#define NY_1108_0900 1825682400

static struct pacing_rules
ny_weekdays(void)
{
	struct pacing_rules r = {0};
	const struct tz *tz = NULL;

	assert_int_equal(tz_get("America/New_York", &tz), LC_OK);
	r.tz = tz;
	r.days = 0x1f; /* Monday .. Friday */
	r.start_min = 9 * 60;
	r.end_min = 17 * 60;
	r.daily_cap = 50;
	r.warmup_from = -1;
	return r;
}

static void
test_window_across_dst(void **state)
{
	struct pacing_rules r = ny_weekdays();
	struct pacing_state s = {-1, 0, 0};
	int64_t next;

	(void)state;
	/* Friday 2027-03-12 18:00 EST: closed; the next opening is Monday 09:00 EDT = 13:00Z */
	assert_int_equal(
	    pacing_check(&r, &s, S(NY_0312_0900) + S(9 * 3600), &next), PACE_OUTSIDE_WINDOW);
	assert_int_equal(next, S(NY_0315_0900));
	/* before the change, Friday 08:59 EST = 13:59Z: opens at 14:00Z */
	assert_int_equal(pacing_check(&r, &s, S(NY_0312_0900) - S(60), &next), PACE_OUTSIDE_WINDOW);
	assert_int_equal(next, S(NY_0312_0900));
	assert_int_equal(NY_0312_0900 % 86400, 14 * 3600);
	assert_int_equal(NY_0315_0900 % 86400, 13 * 3600);
	/* open at the opening instant, closed at 17:00 */
	assert_int_equal(pacing_check(&r, &s, S(NY_0315_0900), &next), PACE_OK);
	assert_int_equal(
	    pacing_check(&r, &s, S(NY_0315_0900) + S(8 * 3600), &next), PACE_OUTSIDE_WINDOW);
	/* Saturday: closed till Monday; every day: Saturday's 09:00 EST is 14:00Z */
	r.days = PACING_ALL_DAYS;
	assert_int_equal(pacing_window_open(&r, S(NY_0313_0900) - S(3600), 0), S(NY_0313_0900));
	/* autumn: Friday 2027-11-05 09:00 EDT = 13:00Z, Monday 11-08 09:00 EST = 14:00Z */
	r.days = 0x1f;
	assert_int_equal(NY_1105_0900 % 86400, 13 * 3600);
	assert_int_equal(NY_1108_0900 % 86400, 14 * 3600);
	assert_int_equal(pacing_window_open(&r, S(NY_1105_0900) + S(8 * 3600), 0), S(NY_1108_0900));
	/* no day at all: never */
	r.days = 0;
	assert_int_equal(pacing_window_open(&r, S(NY_1105_0900), 0), -1);
}

static void
test_daily_cap_next_opening(void **state)
{
	struct pacing_rules r = ny_weekdays();
	struct pacing_state s;
	int64_t now = S(NY_0312_0900) + S(3600), next; /* Friday 10:00 */

	(void)state;
	s.day = pacing_local_day(&r, now);
	s.count = 49;
	s.next_send_ms = 0;
	assert_int_equal(pacing_check(&r, &s, now, &next), PACE_OK);
	s.count = 50;
	assert_int_equal(pacing_check(&r, &s, now, &next), PACE_DAILY_CAP);
	assert_int_equal(next, S(NY_0315_0900)); /* the next window day: Monday */
	/* a count of another day does not count */
	s.day -= 1;
	assert_int_equal(pacing_check(&r, &s, now, &next), PACE_OK);
}

static void
test_warmup_ramp(void **state)
{
	struct pacing_rules r = ny_weekdays();
	int64_t day = pacing_local_day(&r, S(NY_0312_0900));

	(void)state;
	r.warmup_start = 5;
	r.warmup_step = 3;
	assert_int_equal(pacing_cap_on(&r, day), 5); /* not begun: the first day's */
	r.warmup_from = day;
	assert_int_equal(pacing_cap_on(&r, day), 5);
	assert_int_equal(pacing_cap_on(&r, day + 1), 8);
	assert_int_equal(pacing_cap_on(&r, day + 10), 35);
	assert_int_equal(pacing_cap_on(&r, day + 15), 50); /* the cap */
	assert_int_equal(pacing_cap_on(&r, day + 100000000), 50);
	r.warmup_start = 0;
	assert_int_equal(pacing_cap_on(&r, day), 50);
}

static void
test_gap(void **state)
{
	struct pacing_rules r = ny_weekdays();
	struct pacing_state s = {-1, 0, 0};
	int64_t now = S(NY_0312_0900) + S(3600), next;

	(void)state;
	s.next_send_ms = now + S(90);
	assert_int_equal(pacing_check(&r, &s, now, &next), PACE_GAP);
	assert_int_equal(next, now + S(90));
	s.next_send_ms = now;
	assert_int_equal(pacing_check(&r, &s, now, &next), PACE_OK);
	/* a gap that ends after 17:00 waits for Monday's opening */
	s.next_send_ms = S(NY_0312_0900) + S(8 * 3600 + 30);
	assert_int_equal(pacing_check(&r, &s, now, &next), PACE_GAP);
	assert_int_equal(next, S(NY_0315_0900));
}

static void
test_names(void **state)
{
	char hhmm[6];

	(void)state;
	assert_string_equal(pacing_reason_name(PACE_DOMAIN_RATE), "domain_rate");
	assert_null(pacing_reason_name(PACE_OK));
	assert_null(pacing_reason_name(99));
	assert_int_equal(pacing_day_from_name("sun"), 6);
	assert_int_equal(pacing_day_from_name("Sun"), -1);
	assert_int_equal(pacing_hhmm_parse("09:30"), 570);
	assert_int_equal(pacing_hhmm_parse("24:00"), 1440);
	assert_int_equal(pacing_hhmm_parse("24:01"), -1);
	assert_int_equal(pacing_hhmm_parse("9:30"), -1);
	assert_int_equal(pacing_hhmm_parse("09:60"), -1);
	pacing_hhmm_format(570, hhmm);
	assert_string_equal(hhmm, "09:30");
	pacing_hhmm_format(1440, hhmm);
	assert_string_equal(hhmm, "24:00");
}

static void
test_health_rules(void **state)
{
	struct delivery_result r;

	(void)state;
	/* 0.1 over 20 sends: two bounces are at the rate, three pass it */
	assert_false(health_bounce_rate_passed(2, 100));
	assert_true(health_bounce_rate_passed(3, 100));
	assert_false(health_bounce_rate_passed(20, 0)); /* off */
	assert_false(health_bounce_rate_passed(20, 1000));
	assert_true(health_bounce_rate_passed(1, 49));
	memset(&r, 0, sizeof(r));
	r.code = 550;
	r.enh_class = 5;
	r.enh_subject = 7;
	r.enh_detail = 1;
	assert_true(health_policy_refusal(&r));
	r.enh_subject = 1; /* 5.1.1: the address, not the sender */
	assert_false(health_policy_refusal(&r));
	/* a relaying submission server's generic code with the final server's in front */
	r.code = 554;
	r.enh_subject = r.enh_detail = 0;
	snprintf(r.text, sizeof(r.text), "%s", "5.7.1 message refused");
	assert_true(health_policy_refusal(&r));
	snprintf(r.text, sizeof(r.text), "%s", "mailbox 5.7.1 full");
	assert_false(health_policy_refusal(&r));
}

/* A DSN's bounce after the send: the rules it shares with SMTP time, and the window. */
static void
test_late_bounce(void **state)
{
	uint32_t bits;
	unsigned sends, c, s;

	(void)state;
	assert_true(health_status_parse("5.1.1", &c, &s) && c == 5 && s == 1);
	assert_true(health_hard_bounce(c, s));
	assert_true(health_status_parse("5.7.100", &c, &s) && c == 5 && s == 7);
	assert_false(health_hard_bounce(c, s));
	assert_true(health_policy_code(c, s));
	assert_true(health_status_parse("4.4.1", &c, &s) && c == 4);
	assert_false(health_hard_bounce(c, s));
	assert_false(health_status_parse(NULL, &c, &s));
	assert_false(health_status_parse("", &c, &s));
	assert_false(health_status_parse("5.1", &c, &s));
	assert_false(health_status_parse("5.1.1.1", &c, &s));
	assert_false(health_status_parse("9.1.1", &c, &s));
	assert_false(health_status_parse("5.1234.1", &c, &s));
	assert_false(health_status_parse("5.1.1 ", &c, &s));
	assert_false(health_status_parse("5..1", &c, &s));
	assert_true(c == 0 && s == 0);
	/* the newest clean send becomes the bounce; the count of sends stays */
	bits = 0;
	sends = 6;
	health_late_bounce(&bits, &sends);
	assert_true(bits == 1 && sends == 6);
	health_late_bounce(&bits, &sends);
	assert_true(bits == 3 && sends == 6);
	bits = 5; /* 101: the newest clean send is the second */
	health_late_bounce(&bits, &sends);
	assert_true(bits == 7 && sends == 6);
	/* every send in the window bounced already: a new outcome */
	bits = 0x3f;
	health_late_bounce(&bits, &sends);
	assert_true(bits == 0x7f && sends == 7);
	/* an empty window (sends before the window existed) */
	bits = 0;
	sends = 0;
	health_late_bounce(&bits, &sends);
	assert_true(bits == 1 && sends == 1);
	/* a full window of bounces stays twenty bits, twenty sends */
	bits = 0xfffff;
	sends = 20;
	health_late_bounce(&bits, &sends);
	assert_true(bits == 0xfffff && sends == 20);
	/* a damaged row (more sends than the window) is read as a full window */
	bits = 0xffffe;
	sends = 200;
	health_late_bounce(&bits, &sends);
	assert_true(bits == 0xfffff && sends == 20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_window_across_dst),
	    cmocka_unit_test(test_daily_cap_next_opening),
	    cmocka_unit_test(test_warmup_ramp),
	    cmocka_unit_test(test_gap),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_health_rules),
	    cmocka_unit_test(test_late_bounce),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	tz_cache_free();
	return rc;
}
