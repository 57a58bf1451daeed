/* test_tzif.c: the TZif reader against the system's tz database (tzdata). Expected
 * instants were computed with Python's zoneinfo. 2040 lies after the last transition the
 * files list (2037), so it proves the footer's POSIX rule, north and south. Hostile
 * files: every prefix of a real one, and damaged counts, must be refused, never read past. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/tzif.h"

static const struct tz *
zone(const char *name)
{
	const struct tz *tz = NULL;

	assert_int_equal(tz_get(name, &tz), LC_OK);
	assert_non_null(tz);
	return tz;
}

static void
test_new_york_dst_2027(void **state)
{
	const struct tz *ny = zone("America/New_York");

	(void)state;
	/* 2027-03-14 07:00Z the clocks go forward; 2027-11-07 06:00Z back */
	assert_int_equal(tz_offset(ny, INT64_C(1805007599)), -18000);
	assert_int_equal(tz_offset(ny, INT64_C(1805007600)), -14400);
	assert_int_equal(tz_offset(ny, INT64_C(1825567199)), -14400);
	assert_int_equal(tz_offset(ny, INT64_C(1825567200)), -18000);
	/* 09:00 local on both sides of each change */
	assert_int_equal(tz_utc_of(ny, INT64_C(1804946400) - 18000), INT64_C(1804946400));
	assert_int_equal(tz_utc_of(ny, INT64_C(1805029200) - 14400), INT64_C(1805029200));
	assert_int_equal(tz_utc_of(ny, INT64_C(1825506000) - 14400), INT64_C(1825506000));
	assert_int_equal(tz_utc_of(ny, INT64_C(1825682400) - 18000), INT64_C(1825682400));
	/* 01:30 on 2027-11-07 happens twice: the first (EDT) */
	assert_int_equal(tz_utc_of(ny, INT64_C(1825565400) - 14400), INT64_C(1825565400));
	/* 02:30 on 2027-03-14 never happens: the moment the clocks jumped (03:00 EDT) */
	assert_int_equal(tz_utc_of(ny, INT64_C(1805007600) - 18000 + 1800), INT64_C(1805007600));
	/* long ago */
	assert_int_equal(tz_offset(ny, INT64_C(-2208970800)), -18000);
}

static void
test_footer_rule(void **state)
{
	const struct tz *ny = zone("America/New_York"), *syd = zone("Australia/Sydney");

	(void)state;
	assert_int_equal(tz_offset(ny, INT64_C(2224771200)), -14400); /* 2040-07-01 */
	assert_int_equal(tz_offset(syd, INT64_C(2210202000)), 39600); /* 2040-01-15 */
	assert_int_equal(tz_offset(syd, INT64_C(2225930400)), 36000); /* 2040-07-15 */
	assert_int_equal(tz_offset(zone("UTC"), INT64_C(1805007600)), 0);
	assert_int_equal(tz_offset(zone("Asia/Kolkata"), INT64_C(2224771200)), 19800);
	/* a zone the database names through a link */
	assert_int_equal(tz_offset(zone("US/Eastern"), INT64_C(1805007600)), -14400);
}

static void
test_names(void **state)
{
	const struct tz *tz = NULL;

	(void)state;
	assert_true(tz_name_ok("America/New_York", 16));
	assert_true(tz_name_ok("Etc/GMT+5", 9));
	assert_false(tz_name_ok("", 0));
	assert_false(tz_name_ok("/etc/passwd", 11));
	assert_false(tz_name_ok("../../etc/passwd", 16));
	assert_false(tz_name_ok("America/../../etc", 17));
	assert_false(tz_name_ok("America//New_York", 17));
	assert_false(tz_name_ok("America/.", 9));
	assert_false(tz_name_ok("Ame rica", 8));
	assert_int_equal(tz_get("Mars/Olympus_Mons", &tz), LC_ENOTFOUND);
	assert_int_equal(tz_get("America", &tz), LC_ENOTFOUND); /* a directory */
	assert_int_equal(tz_get("../../etc/passwd", &tz), LC_ENOTFOUND);
	assert_int_equal(tz_get("zone.tab", &tz), LC_EINVAL); /* not a TZif file */
	assert_null(tz);
}

/* read_zone loads a zone file's bytes for the hostile-input test. */
static unsigned char *
read_zone(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = malloc(65536);

	assert_non_null(f);
	assert_non_null(data);
	*len = fread(data, 1, 65536, f);
	fclose(f);
	return data;
}

static void
test_hostile_files(void **state)
{
	size_t len, i;
	unsigned char *data = read_zone("/usr/share/zoneinfo/America/New_York", &len), *copy;
	struct tz *tz = NULL;

	(void)state;
	assert_int_equal(tz_parse(data, len, &tz), LC_OK);
	tz_free(tz);
	/* every prefix up to the end of the data (the footer may be cut: it is optional) */
	for (i = 0; i + 60 < len; i++) {
		copy = malloc(i ? i : 1);
		assert_non_null(copy);
		memcpy(copy, data, i);
		tz = NULL;
		if (tz_parse(copy, i, &tz) == LC_OK)
			tz_free(tz);
		free(copy);
	}
	/* a transition count far past the file */
	copy = malloc(len);
	assert_non_null(copy);
	memcpy(copy, data, len);
	copy[32] = 0x7f;
	assert_int_equal(tz_parse(copy, len, &tz), LC_EINVAL);
	/* a type index out of range in the 64-bit part */
	memcpy(copy, data, len);
	for (i = 44; i + 4 < len && memcmp(copy + i, "TZif", 4) != 0; i++)
		;
	assert_true(i + 44 < len);
	{
		uint32_t timecnt = (uint32_t)copy[i + 32] << 24 | (uint32_t)copy[i + 33] << 16 |
		                   (uint32_t)copy[i + 34] << 8 | copy[i + 35];

		assert_true(timecnt > 0);
		copy[i + 44 + timecnt * 8] = 0xff;
	}
	assert_int_equal(tz_parse(copy, len, &tz), LC_EINVAL);
	/* version 1 only */
	memcpy(copy, data, len);
	copy[4] = 0;
	assert_int_equal(tz_parse(copy, len, &tz), LC_EINVAL);
	free(copy);
	free(data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_new_york_dst_2027),
	    cmocka_unit_test(test_footer_rule),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_hostile_files),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	tz_cache_free();
	return rc;
}
