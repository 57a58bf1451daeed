#include <stdio.h>
#include <string.h>
#include <time.h>
#ifdef LC_TEST_CLOCK
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#endif

#include "util/timefmt.h"

static int digits(const char *, size_t, unsigned *);
static int days_in_month(unsigned, unsigned);

#ifdef LC_TEST_CLOCK
/* test_clock_ms is the instant the tests set: the decimal milliseconds in the file named
 * by LINKCAMP_TEST_CLOCK_FILE, read at every call so that a test moves the clock of the
 * running worker and FastCGI processes without restarting them. 0 when the variable or
 * the file is absent: the real clock. Compiled only with ./configure --enable-test-clock
 * (scripts/dev's test build); a release build has no way to change its time. */
static int64_t
test_clock_ms(void)
{
	const char *path = getenv("LINKCAMP_TEST_CLOCK_FILE");
	char text[32];
	int64_t ms = 0;
	ssize_t n;
	int fd, i;

	if (!path || !path[0] || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	for (i = 0; i < n && text[i] >= '0' && text[i] <= '9'; i++)
		if (ms <= (TIME_MAX_MS - 9) / 10)
			ms = ms * 10 + (text[i] - '0');
	return ms;
}
#endif

int64_t
now_ms(void)
{
	struct timespec ts;
#ifdef LC_TEST_CLOCK
	int64_t test_ms = test_clock_ms();

	if (test_ms > 0)
		return test_ms;
#endif
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar. */
int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* digits reads exactly n ASCII digits; 0 if any is not a digit. */
static int
digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 1;
}

static int
days_in_month(unsigned y, unsigned m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

lc_err
rfc3339_parse(const char *s, size_t len, int64_t *ms)
{
	unsigned y, mo, d, h, mi, sec, oh, om, frac = 0, fdigits = 0;
	size_t i;
	int64_t t, off;

	/* YYYY-MM-DDTHH:MM:SS is 19 bytes; an offset adds at least 1. */
	if (len < 20 || len > 40)
		return LC_EINVAL;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &h) ||
	    s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &sec))
		return LC_EINVAL;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || (int)d > days_in_month(y, mo) || h > 23 ||
	    mi > 59 || sec > 59)
		return LC_EINVAL;
	i = 19;
	if (s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (fdigits < 3)
				frac = frac * 10 + (unsigned)(s[i] - '0');
			fdigits++;
			i++;
		}
		if (fdigits == 0 || fdigits > 9)
			return LC_EINVAL;
		while (fdigits < 3) {
			frac *= 10;
			fdigits++;
		}
	}
	if (i >= len)
		return LC_EINVAL;
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
		off = 0;
	} else if ((s[i] == '+' || s[i] == '-') && i + 6 == len) {
		if (!digits(s + i + 1, 2, &oh) || s[i + 3] != ':' || !digits(s + i + 4, 2, &om) ||
		    oh > 23 || om > 59)
			return LC_EINVAL;
		off = ((int64_t)oh * 60 + om) * 60 * 1000;
		if (s[i] == '-')
			off = -off;
	} else {
		return LC_EINVAL;
	}
	t = days_from_civil(y, mo, d) * 86400000 + (int64_t)h * 3600000 + (int64_t)mi * 60000 +
	    (int64_t)sec * 1000 + frac - off;
	if (t < TIME_MIN_MS || t > TIME_MAX_MS)
		return LC_EINVAL;
	*ms = t;
	return LC_OK;
}

void
rfc3339_format(int64_t ms, char out[TIME_RFC3339_LEN])
{
	int64_t days = ms / 86400000, y, rem = ms % 86400000;
	unsigned m, d;

	if (rem < 0) {
		rem += 86400000;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(out, TIME_RFC3339_LEN, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d,
	    (unsigned)(rem / 3600000), (unsigned)(rem / 60000 % 60), (unsigned)(rem / 1000 % 60));
}

void
date_format(int64_t ms, char out[TIME_DATE_LEN])
{
	char tmp[48];
	int64_t days = ms / 86400000, y;
	unsigned m, d;

	if (ms % 86400000 < 0)
		days--;
	civil_from_days(days, &y, &m, &d);
	snprintf(tmp, sizeof(tmp), "%04lld-%02u-%02u", (long long)y, m, d);
	memcpy(out, tmp, TIME_DATE_LEN - 1);
	out[TIME_DATE_LEN - 1] = '\0';
}

void
sqltime_format(int64_t ms, char out[TIME_SQL_LEN])
{
	int64_t days = ms / 86400000, y, rem = ms % 86400000;
	unsigned m, d;

	if (rem < 0) {
		rem += 86400000;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(out, TIME_SQL_LEN, "%04lld-%02u-%02u %02u:%02u:%02u.%03u", (long long)y, m, d,
	    (unsigned)(rem / 3600000), (unsigned)(rem / 60000 % 60), (unsigned)(rem / 1000 % 60),
	    (unsigned)(rem % 1000));
}

lc_err
sqltime_parse(const char *s, size_t len, int64_t *ms)
{
	unsigned y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, n = 0;
	size_t i;

	if (len < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || (int)d > days_in_month(y, mo))
		return LC_EINVAL;
	if (len > 10) {
		if (len < 19 || s[10] != ' ' || !digits(s + 11, 2, &h) || s[13] != ':' ||
		    !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &sec) || h > 23 ||
		    mi > 59 || sec > 59)
			return LC_EINVAL;
		if (len > 19) {
			if (s[19] != '.' || len == 20)
				return LC_EINVAL;
			for (i = 20; i < len; i++) {
				if (s[i] < '0' || s[i] > '9')
					return LC_EINVAL;
				if (n < 3) {
					frac = frac * 10 + (unsigned)(s[i] - '0');
					n++;
				}
			}
			while (n < 3) {
				frac *= 10;
				n++;
			}
		}
	}
	*ms = days_from_civil(y, mo, d) * 86400000 + (int64_t)h * 3600000 + (int64_t)mi * 60000 +
	      (int64_t)sec * 1000 + frac;
	return LC_OK;
}
