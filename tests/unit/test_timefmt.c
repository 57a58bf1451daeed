/* test_timefmt.c: RFC 3339 parsing and formatting, SQL DATETIME(3), days_from_civil.
 * Every parse runs on an exact-size heap copy without a NUL so that ASan and valgrind
 * catch a read past len. Expected instants were computed with Python's datetime. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/timefmt.h"

/* 2026-05-08T14:03:11Z */
#define T_REF INT64_C(1778248991000)

static lc_err parse(const char *s, int64_t *ms);
static lc_err sqlparse(const char *s, int64_t *ms);
static void assert_rejected(const char *s);
static void assert_parses_to(const char *s, int64_t want);

/* parse runs rfc3339_parse on a copy of s that has no terminating NUL. */
static lc_err
parse(const char *s, int64_t *ms)
{
	size_t len = strlen(s);
	char *copy = malloc(len ? len : 1);
	lc_err e;

	assert_non_null(copy);
	memcpy(copy, s, len);
	e = rfc3339_parse(copy, len, ms);
	free(copy);
	return e;
}

static lc_err
sqlparse(const char *s, int64_t *ms)
{
	size_t len = strlen(s);
	char *copy = malloc(len ? len : 1);
	lc_err e;

	assert_non_null(copy);
	memcpy(copy, s, len);
	e = sqltime_parse(copy, len, ms);
	free(copy);
	return e;
}

static void
assert_rejected(const char *s)
{
	int64_t ms = -12345;

	if (parse(s, &ms) != LC_EINVAL)
		fail_msg("rfc3339_parse accepted \"%s\"", s);
	assert_int_equal(ms, -12345); /* untouched on error */
}

static void
assert_parses_to(const char *s, int64_t want)
{
	int64_t ms = -1;

	if (parse(s, &ms) != LC_OK)
		fail_msg("rfc3339_parse rejected \"%s\"", s);
	if (ms != want)
		fail_msg("\"%s\" parsed to %lld, want %lld", s, (long long)ms, (long long)want);
}

/* ---- rfc3339_parse: accepted forms ---- */

static void
test_parse_utc_z(void **state)
{
	(void)state;
	assert_parses_to("2026-05-08T14:03:11Z", T_REF);
	assert_parses_to("1970-01-01T00:00:00Z", 0);
}

static void
test_parse_lowercase_t_and_z(void **state)
{
	(void)state;
	assert_parses_to("2026-05-08t14:03:11z", T_REF);
	assert_parses_to("2026-05-08t14:03:11Z", T_REF);
	assert_parses_to("2026-05-08T14:03:11z", T_REF);
}

static void
test_parse_positive_offset_converts_to_utc(void **state)
{
	(void)state;
	assert_parses_to("2026-05-08T15:33:11+01:30", T_REF);
	assert_parses_to("2026-05-08T14:03:11+00:00", T_REF);
	assert_parses_to("2026-05-09T14:02:11+23:59", T_REF);
}

static void
test_parse_negative_offset_converts_to_utc(void **state)
{
	(void)state;
	assert_parses_to("2026-05-08T09:03:11-05:00", T_REF);
	assert_parses_to("2026-05-08T14:03:11-00:00", T_REF);
	assert_parses_to("2026-05-07T14:04:11-23:59", T_REF);
}

static void
test_parse_offset_crosses_midnight(void **state)
{
	char out[TIME_RFC3339_LEN];
	int64_t ms;

	(void)state;
	assert_int_equal(parse("2026-01-01T01:00:00+02:00", &ms), LC_OK);
	rfc3339_format(ms, out);
	assert_string_equal(out, "2025-12-31T23:00:00Z");
	assert_int_equal(parse("2025-12-31T22:00:00-03:00", &ms), LC_OK);
	rfc3339_format(ms, out);
	assert_string_equal(out, "2026-01-01T01:00:00Z");
}

static void
test_parse_fraction_one_to_nine_digits(void **state)
{
	(void)state;
	assert_parses_to("2026-05-08T14:03:11.1Z", T_REF + 100);
	assert_parses_to("2026-05-08T14:03:11.12Z", T_REF + 120);
	assert_parses_to("2026-05-08T14:03:11.123Z", T_REF + 123);
	assert_parses_to("2026-05-08T14:03:11.1239Z", T_REF + 123); /* truncated, not rounded */
	assert_parses_to("2026-05-08T14:03:11.00001Z", T_REF);
	assert_parses_to("2026-05-08T14:03:11.000001Z", T_REF);
	assert_parses_to("2026-05-08T14:03:11.0000001Z", T_REF);
	assert_parses_to("2026-05-08T14:03:11.05000000Z", T_REF + 50);
	assert_parses_to("2026-05-08T14:03:11.999999999Z", T_REF + 999);
	assert_parses_to("2026-05-08T15:03:11.5+01:00", T_REF + 500);
}

static void
test_parse_fraction_rejects_bad_forms(void **state)
{
	(void)state;
	assert_rejected("2026-05-08T14:03:11.1234567890Z"); /* 10 digits */
	assert_rejected("2026-05-08T14:03:11.Z");           /* no digits */
	assert_rejected("2026-05-08T14:03:11.");
	assert_rejected("2026-05-08T14:03:11.5");  /* no offset after fraction */
	assert_rejected("2026-05-08T14:03:11,5Z"); /* comma */
	assert_rejected("2026-05-08T14:03:11.5.5Z");
}

static void
test_parse_leap_days(void **state)
{
	(void)state;
	assert_parses_to("2028-02-29T00:00:00Z", INT64_C(1835395200000));
	assert_parses_to("2000-02-29T00:00:00Z", INT64_C(11016) * 86400000);
	assert_rejected("2027-02-29T00:00:00Z");
	assert_rejected("2100-02-29T00:00:00Z"); /* divisible by 100, not by 400 */
	assert_rejected("2028-02-30T00:00:00Z");
}

static void
test_parse_rejects_day_out_of_month(void **state)
{
	(void)state;
	assert_rejected("2026-04-31T00:00:00Z");
	assert_rejected("2026-01-32T00:00:00Z");
	assert_rejected("2026-01-00T00:00:00Z");
	assert_parses_to("2026-01-31T00:00:00Z", INT64_C(1769817600000));
}

static void
test_parse_rejects_month_13_and_0(void **state)
{
	(void)state;
	assert_rejected("2026-13-01T00:00:00Z");
	assert_rejected("2026-00-01T00:00:00Z");
}

static void
test_parse_rejects_hour_24(void **state)
{
	(void)state;
	assert_rejected("2026-05-08T24:00:00Z");
	assert_parses_to("2026-05-08T23:59:59Z", INT64_C(20581) * 86400000 + 86399000);
}

static void
test_parse_rejects_minute_60(void **state)
{
	(void)state;
	assert_rejected("2026-05-08T14:60:00Z");
}

static void
test_parse_rejects_second_60(void **state)
{
	(void)state;
	assert_rejected("2026-05-08T14:03:60Z");
	assert_rejected("2016-12-31T23:59:60Z"); /* even a real leap second */
}

static void
test_parse_rejects_missing_offset(void **state)
{
	(void)state;
	assert_rejected("2026-05-08T14:03:11");
	assert_rejected("2026-05-08T14:03:11 ");
	assert_rejected("2026-05-08T14:03:11+01");
	assert_rejected("2026-05-08T14:03:11+0100");
	assert_rejected("2026-05-08T14:03:11+01:0");
	assert_rejected("2026-05-08T14:03:11+1:00");
	assert_rejected("2026-05-08T14:03:11+01-00");
	assert_rejected("2026-05-08T14:03:11+0a:00");
	assert_rejected("2026-05-08T14:03:11 +01:00");
	assert_rejected("2026-05-08T14:03:11UTC");
}

static void
test_parse_rejects_junk_after(void **state)
{
	(void)state;
	assert_rejected("2026-05-08T14:03:11Zx");
	assert_rejected("2026-05-08T14:03:11ZZ");
	assert_rejected("2026-05-08T14:03:11Z ");
	assert_rejected("2026-05-08T14:03:11+01:00x");
	assert_rejected("2026-05-08T14:03:11+01:00Z");
}

static void
test_parse_rejects_bad_separators(void **state)
{
	(void)state;
	assert_rejected("2026-05-08 14:03:11Z");
	assert_rejected("2026/05/08T14:03:11Z");
	assert_rejected("2026-05-08T14.03.11Z");
	assert_rejected("20260508T140311Z----");
	assert_rejected("2026-5-8T14:03:11Z");
	assert_rejected("+026-05-08T14:03:11Z");
	assert_rejected("2026-05-08T14:03:1aZ");
}

static void
test_parse_rejects_too_short(void **state)
{
	int64_t ms = 7;

	(void)state;
	assert_int_equal(rfc3339_parse("", 0, &ms), LC_EINVAL);
	assert_int_equal(rfc3339_parse("2026-05-08T14:03:11Z", 19, &ms), LC_EINVAL);
	assert_int_equal(ms, 7);
	assert_rejected("2026-05-08");
	assert_rejected("Z");
}

static void
test_parse_rejects_too_long(void **state)
{
	char s[64];

	(void)state;
	/* 9 fraction digits and an offset is the longest valid form (35 bytes) */
	assert_parses_to("2026-05-08T14:03:11.123456789+00:00", T_REF + 123);
	memset(s, '0', sizeof(s));
	memcpy(s, "2026-05-08T14:03:11.", 20);
	memcpy(s + 41, "Z", 2); /* 21 fraction digits */
	assert_rejected(s);
}

static void
test_parse_honours_len(void **state)
{
	const char *s = "2026-05-08T14:03:11Zjunk";
	int64_t ms = 0;

	(void)state;
	assert_int_equal(rfc3339_parse(s, 20, &ms), LC_OK);
	assert_int_equal(ms, T_REF);
}

static void
test_parse_rejects_year_before_1970(void **state)
{
	(void)state;
	assert_rejected("1969-12-31T23:59:59Z");
	assert_rejected("0000-01-01T00:00:00Z");
	/* 1970 locally but 1969 in UTC */
	assert_rejected("1970-01-01T00:30:00+01:00");
}

static void
test_parse_accepts_up_to_year_9999(void **state)
{
	(void)state;
	assert_parses_to("9999-12-31T23:59:59.999Z", TIME_MAX_MS);
	assert_rejected("9999-12-31T23:59:59-00:01"); /* year 10000 in UTC */
}

static void
test_parse_rejects_offset_24_hours(void **state)
{
	(void)state;
	assert_rejected("2026-05-08T14:03:11+24:00");
	assert_rejected("2026-05-08T14:03:11-24:00");
	assert_rejected("2026-05-08T14:03:11+99:00");
	assert_rejected("2026-05-08T14:03:11+01:60");
}

/* ---- formatting ---- */

static void
test_rfc3339_format_known_values(void **state)
{
	char out[TIME_RFC3339_LEN];

	(void)state;
	rfc3339_format(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	rfc3339_format(T_REF + 999, out); /* milliseconds are dropped, not rounded */
	assert_string_equal(out, "2026-05-08T14:03:11Z");
	rfc3339_format(INT64_C(1835395200000), out);
	assert_string_equal(out, "2028-02-29T00:00:00Z");
	rfc3339_format(TIME_MAX_MS, out);
	assert_string_equal(out, "9999-12-31T23:59:59Z");
}

static void
test_rfc3339_format_before_epoch_floors(void **state)
{
	char out[TIME_RFC3339_LEN];

	(void)state;
	rfc3339_format(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59Z");
	rfc3339_format(-86400000, out);
	assert_string_equal(out, "1969-12-31T00:00:00Z");
}

static void
test_rfc3339_round_trip(void **state)
{
	char out[TIME_RFC3339_LEN];
	int64_t ms, got;

	(void)state;
	/* about 2 days 3 hours 4 minutes 5 seconds per step, across leap years and 2100 */
	for (ms = 0; ms < INT64_C(4200000000000); ms += INT64_C(183845000)) {
		rfc3339_format(ms, out);
		assert_int_equal(strlen(out), 20);
		assert_int_equal(parse(out, &got), LC_OK);
		assert_int_equal(got, ms);
	}
	rfc3339_format(TIME_MAX_MS - 999, out);
	assert_int_equal(parse(out, &got), LC_OK);
	assert_int_equal(got, TIME_MAX_MS - 999);
}

static void
test_date_format_known_values(void **state)
{
	char out[TIME_DATE_LEN];

	(void)state;
	date_format(0, out);
	assert_string_equal(out, "1970-01-01");
	date_format(86399999, out);
	assert_string_equal(out, "1970-01-01");
	date_format(86400000, out);
	assert_string_equal(out, "1970-01-02");
	date_format(T_REF, out);
	assert_string_equal(out, "2026-05-08");
	date_format(INT64_C(1835395200000) - 1, out);
	assert_string_equal(out, "2028-02-28");
	date_format(INT64_C(1835395200000), out);
	assert_string_equal(out, "2028-02-29");
	date_format(TIME_MAX_MS, out);
	assert_string_equal(out, "9999-12-31");
}

static void
test_date_format_before_epoch_floors(void **state)
{
	char out[TIME_DATE_LEN];

	(void)state;
	date_format(-1, out);
	assert_string_equal(out, "1969-12-31");
	date_format(-86400000, out);
	assert_string_equal(out, "1969-12-31");
	date_format(-86400001, out);
	assert_string_equal(out, "1969-12-30");
}

static void
test_date_format_agrees_with_rfc3339_format(void **state)
{
	char d[TIME_DATE_LEN], r[TIME_RFC3339_LEN];
	int64_t ms;

	(void)state;
	for (ms = 0; ms < INT64_C(4200000000000); ms += INT64_C(86399999)) {
		date_format(ms, d);
		rfc3339_format(ms, r);
		assert_memory_equal(d, r, 10);
	}
}

static void
test_sqltime_format_known_values(void **state)
{
	char out[TIME_SQL_LEN];

	(void)state;
	sqltime_format(0, out);
	assert_string_equal(out, "1970-01-01 00:00:00.000");
	sqltime_format(T_REF + 5, out);
	assert_string_equal(out, "2026-05-08 14:03:11.005");
	sqltime_format(T_REF + 123, out);
	assert_string_equal(out, "2026-05-08 14:03:11.123");
	sqltime_format(TIME_MAX_MS, out);
	assert_string_equal(out, "9999-12-31 23:59:59.999");
	sqltime_format(-1, out);
	assert_string_equal(out, "1969-12-31 23:59:59.999");
}

static void
test_sqltime_parse_forms(void **state)
{
	int64_t ms;

	(void)state;
	assert_int_equal(sqlparse("2026-05-08 14:03:11.123", &ms), LC_OK);
	assert_int_equal(ms, T_REF + 123);
	assert_int_equal(sqlparse("2026-05-08 14:03:11", &ms), LC_OK);
	assert_int_equal(ms, T_REF);
	assert_int_equal(sqlparse("2026-05-08 14:03:11.1", &ms), LC_OK);
	assert_int_equal(ms, T_REF + 100);
	assert_int_equal(sqlparse("2026-05-08 14:03:11.123456", &ms), LC_OK); /* DATETIME(6) */
	assert_int_equal(ms, T_REF + 123);
	assert_int_equal(sqlparse("2026-05-08", &ms), LC_OK);
	assert_int_equal(ms, INT64_C(20581) * 86400000);
}

static void
test_sqltime_parse_rejects(void **state)
{
	static const char *const bad[] = {"", "2026-05-0", "2026-05-08T14:03:11",
	    "2026-05-08 14:03", "2026-05-08 14:03:1", "2026-05-08 14:03:11x",
	    "2026-05-08 14:03:11.12a", "2026-05-08 14:03:11.", "2026-13-01", "2026-00-01",
	    "2026-02-29", "2026-04-31", "2026-05-08 24:00:00", "2026-05-08 14:60:00",
	    "2026-05-08 14:03:60", "2026/05/08", "2026-05-08 "};
	size_t i, accepted = 0;
	int64_t ms;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sqlparse(bad[i], &ms) != LC_EINVAL) {
			print_error("sqltime_parse accepted \"%s\"\n", bad[i]);
			accepted++;
		}
	assert_int_equal(accepted, 0);
}

static void
test_sqltime_round_trip(void **state)
{
	char out[TIME_SQL_LEN];
	int64_t ms, got;

	(void)state;
	for (ms = 0; ms < INT64_C(4200000000000); ms += INT64_C(183845007)) {
		sqltime_format(ms, out);
		assert_int_equal(strlen(out), 23);
		assert_int_equal(sqlparse(out, &got), LC_OK);
		assert_int_equal(got, ms);
	}
	sqltime_format(TIME_MAX_MS, out);
	assert_int_equal(sqlparse(out, &got), LC_OK);
	assert_int_equal(got, TIME_MAX_MS);
}

/* ---- days_from_civil ---- */

static void
test_days_from_civil_known_values(void **state)
{
	(void)state;
	assert_int_equal(days_from_civil(1970, 1, 1), 0);
	assert_int_equal(days_from_civil(1970, 1, 2), 1);
	assert_int_equal(days_from_civil(1969, 12, 31), -1);
	assert_int_equal(days_from_civil(2000, 2, 29), 11016);
	assert_int_equal(days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(days_from_civil(2026, 5, 8), 20581);
	assert_int_equal(days_from_civil(2028, 2, 29), 21243);
	assert_int_equal(days_from_civil(2100, 3, 1), 47541);
	assert_int_equal(days_from_civil(9999, 12, 31), 2932896);
	assert_int_equal(days_from_civil(1600, 1, 1), -135140);
}

static void
test_days_from_civil_is_consecutive(void **state)
{
	static const unsigned dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t y, expect = days_from_civil(1899, 12, 31) + 1;
	unsigned m, d, n;

	(void)state;
	for (y = 1900; y <= 2400; y++)
		for (m = 1; m <= 12; m++) {
			n = dm[m - 1];
			if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
				n = 29;
			for (d = 1; d <= n; d++)
				assert_int_equal(days_from_civil(y, m, d), expect++);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_utc_z),
	    cmocka_unit_test(test_parse_lowercase_t_and_z),
	    cmocka_unit_test(test_parse_positive_offset_converts_to_utc),
	    cmocka_unit_test(test_parse_negative_offset_converts_to_utc),
	    cmocka_unit_test(test_parse_offset_crosses_midnight),
	    cmocka_unit_test(test_parse_fraction_one_to_nine_digits),
	    cmocka_unit_test(test_parse_fraction_rejects_bad_forms),
	    cmocka_unit_test(test_parse_leap_days),
	    cmocka_unit_test(test_parse_rejects_day_out_of_month),
	    cmocka_unit_test(test_parse_rejects_month_13_and_0),
	    cmocka_unit_test(test_parse_rejects_hour_24),
	    cmocka_unit_test(test_parse_rejects_minute_60),
	    cmocka_unit_test(test_parse_rejects_second_60),
	    cmocka_unit_test(test_parse_rejects_missing_offset),
	    cmocka_unit_test(test_parse_rejects_junk_after),
	    cmocka_unit_test(test_parse_rejects_bad_separators),
	    cmocka_unit_test(test_parse_rejects_too_short),
	    cmocka_unit_test(test_parse_rejects_too_long),
	    cmocka_unit_test(test_parse_honours_len),
	    cmocka_unit_test(test_parse_rejects_year_before_1970),
	    cmocka_unit_test(test_parse_accepts_up_to_year_9999),
	    cmocka_unit_test(test_parse_rejects_offset_24_hours),
	    cmocka_unit_test(test_rfc3339_format_known_values),
	    cmocka_unit_test(test_rfc3339_format_before_epoch_floors),
	    cmocka_unit_test(test_rfc3339_round_trip),
	    cmocka_unit_test(test_date_format_known_values),
	    cmocka_unit_test(test_date_format_before_epoch_floors),
	    cmocka_unit_test(test_date_format_agrees_with_rfc3339_format),
	    cmocka_unit_test(test_sqltime_format_known_values),
	    cmocka_unit_test(test_sqltime_parse_forms),
	    cmocka_unit_test(test_sqltime_parse_rejects),
	    cmocka_unit_test(test_sqltime_round_trip),
	    cmocka_unit_test(test_days_from_civil_known_values),
	    cmocka_unit_test(test_days_from_civil_is_consecutive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
