/* timefmt.h: UTC instants as milliseconds since the epoch, RFC 3339 and SQL DATETIME(3).
 * Hand-written instead of strptime/timegm: we need strict RFC 3339 validation (range of
 * every field, offsets) and no dependence on TZ or locale. */
#ifndef LC_TIMEFMT_H
#define LC_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>
#include "util/err.h"

#define TIME_RFC3339_LEN 32 /* buffer size for rfc3339_format */
#define TIME_SQL_LEN 32     /* buffer size for sqltime_format */
#define TIME_DATE_LEN 11    /* buffer size for date_format */

/* Earliest and latest instants linkcamp accepts (years 1970..9999). */
#define TIME_MIN_MS INT64_C(0)
#define TIME_MAX_MS INT64_C(253402300799999)

/* now_ms returns the current UTC time. */
int64_t now_ms(void);

/* rfc3339_parse parses s[0..len) as an RFC 3339 date-time with a Z or numeric offset.
 * LC_EINVAL for anything else, including out-of-range fields and years outside 1970..9999. */
lc_err rfc3339_parse(const char *s, size_t len, int64_t *ms);

/* rfc3339_format writes ms as "YYYY-MM-DDTHH:MM:SSZ" (seconds precision, UTC). */
void rfc3339_format(int64_t ms, char out[TIME_RFC3339_LEN]);

/* date_format writes the UTC day of ms as "YYYY-MM-DD". */
void date_format(int64_t ms, char out[TIME_DATE_LEN]);

/* sqltime_format writes ms as a MySQL DATETIME(3) literal "YYYY-MM-DD HH:MM:SS.mmm". */
void sqltime_format(int64_t ms, char out[TIME_SQL_LEN]);

/* sqltime_parse reads "YYYY-MM-DD HH:MM:SS[.fff]" (UTC) or "YYYY-MM-DD"; LC_EINVAL otherwise. */
lc_err sqltime_parse(const char *s, size_t len, int64_t *ms);

/* days_from_civil returns days since 1970-01-01 of a proleptic Gregorian date. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

/* civil_from_days is its inverse: the year, month (1-12) and day (1-31) of day z since
 * 1970-01-01, for any z (negative days are before 1970). */
void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
