/* fuzz_timefmt.c: libFuzzer target for the RFC 3339 and SQL DATETIME(3) readers
 * (src/util/timefmt.c), which see every time a client sends (?since=, scheduling fields).
 * Promises checked, from timefmt.h: an accepted RFC 3339 time lies in TIME_MIN_MS ..
 * TIME_MAX_MS; it formats (rfc3339_format, sqltime_format, date_format) into strings of
 * the documented shape that parse back to the same instant (to the second for RFC 3339,
 * to the millisecond for SQL, to the day for the date); the parse does not depend on the
 * case of T and Z; a parsed SQL time formats and re-parses to itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/timefmt.h"

static void fuzz_die(const char *);
static void fuzz_rfc3339(const char *, size_t);
static void fuzz_sql(const char *, size_t);
static void fuzz_instant(int64_t);

static void
fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_timefmt: broken promise: %s\n", what);
	abort();
}

/* fuzz_instant formats ms every way and parses each result back. */
static void
fuzz_instant(int64_t ms)
{
	char r[TIME_RFC3339_LEN], q[TIME_SQL_LEN], d[TIME_DATE_LEN];
	int64_t back;

	rfc3339_format(ms, r);
	if (strlen(r) != 20 || rfc3339_parse(r, strlen(r), &back) != LC_OK ||
	    back != ms - ms % 1000)
		fuzz_die("rfc3339_format does not parse back to the same second");
	sqltime_format(ms, q);
	if (strlen(q) != 23 || sqltime_parse(q, strlen(q), &back) != LC_OK || back != ms)
		fuzz_die("sqltime_format does not parse back to the same millisecond");
	date_format(ms, d);
	if (strlen(d) != 10 || sqltime_parse(d, strlen(d), &back) != LC_OK ||
	    back != ms - ms % 86400000)
		fuzz_die("date_format does not parse back to the same day");
}

static void
fuzz_rfc3339(const char *s, size_t len)
{
	int64_t ms, ms2;
	char *c;
	size_t i;

	if (rfc3339_parse(s, len, &ms) != LC_OK)
		return;
	if (ms < TIME_MIN_MS || ms > TIME_MAX_MS)
		fuzz_die("accepted RFC 3339 time out of range");
	if (len < 20 || len > 40)
		fuzz_die("accepted RFC 3339 time of impossible length");
	fuzz_instant(ms);
	/* T/t and Z/z are the same (RFC 3339 section 5.6, note) */
	if ((c = malloc(len)) == NULL)
		return;
	memcpy(c, s, len);
	for (i = 0; i < len; i++)
		if (c[i] == 'T' || c[i] == 'Z')
			c[i] = (char)(c[i] + 32);
		else if (c[i] == 't' || c[i] == 'z')
			c[i] = (char)(c[i] - 32);
	if (rfc3339_parse(c, len, &ms2) != LC_OK || ms2 != ms)
		fuzz_die("the case of T or Z changes the instant");
	free(c);
}

static void
fuzz_sql(const char *s, size_t len)
{
	char q[TIME_SQL_LEN];
	int64_t ms, back;

	if (sqltime_parse(s, len, &ms) != LC_OK)
		return;
	if (len < 10)
		fuzz_die("accepted SQL time shorter than a date");
	sqltime_format(ms, q);
	if (sqltime_parse(q, strlen(q), &back) != LC_OK || back != ms)
		fuzz_die("a parsed SQL time does not format and parse back to itself");
	if (ms >= TIME_MIN_MS && ms <= TIME_MAX_MS)
		fuzz_instant(ms);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	fuzz_rfc3339(s, size);
	fuzz_sql(s, size);
	return 0;
}
