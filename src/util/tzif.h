/* tzif.h: UTC offsets of IANA time zones, read from the system's compiled tz database
 * (/usr/share/zoneinfo, RFC 8536 "TZif" files) by linkcamp itself.
 *
 * Why not localtime_r: the zone it uses is the process's TZ, one global that setenv and
 * tzset change for every thread at once; a worker pacing mailboxes of many zones in
 * parallel would race on it. A TZif file is a sorted list of transitions plus a POSIX TZ
 * rule for the years after the last one; reading it is a few hundred lines with no
 * global state. docs/mailboxes.md, "Pacing", records the decision. */
#ifndef LC_TZIF_H
#define LC_TZIF_H

#include <stddef.h>
#include <stdint.h>
#include "util/err.h"

#define TZ_NAME_MAX 64 /* bytes of an IANA zone name such as "America/New_York" */

struct tz;

/* tz_name_ok says whether name[0..len) may name a zone: 1..TZ_NAME_MAX bytes of letters,
 * digits, '_', '-', '+' and '/', no leading '/', no "." or ".." component. It does not
 * say that the zone exists (tz_get does). */
int tz_name_ok(const char *name, size_t len);

/* tz_parse reads a TZif file of version 2 or later from data[0..len) (untrusted: every
 * count and index is checked). *out is malloc'd (free with tz_free). LC_EINVAL for a
 * file that is not one, LC_ENOMEM. */
lc_err tz_parse(const unsigned char *data, size_t len, struct tz **out);
void tz_free(struct tz *tz);

/* tz_get returns the zone named name from the system database, loaded once per process
 * and kept until tz_cache_free (thread-safe; the pointer stays valid until then). "UTC"
 * always exists. LC_ENOTFOUND for a bad name or a zone the database does not have,
 * LC_EINVAL for a damaged file, LC_ENOMEM. */
lc_err tz_get(const char *name, const struct tz **out);
/* tz_cache_free frees every zone tz_get loaded; call after the threads ended. */
void tz_cache_free(void);

/* tz_offset is the zone's offset east of UTC, in seconds, at the instant utc_s (seconds
 * since the epoch). */
int32_t tz_offset(const struct tz *tz, int64_t utc_s);

/* tz_utc_of is the UTC instant (seconds) at which the zone's wall clock reads local_s
 * (seconds since 1970-01-01 00:00 local). A wall time that happens twice (the hour the
 * clocks go back) gives the first; one that never happens (the hour they go forward)
 * gives the instant the clock jumps past it. */
int64_t tz_utc_of(const struct tz *tz, int64_t local_s);

#endif
