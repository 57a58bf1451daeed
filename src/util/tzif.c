/* tzif.c: a reader of RFC 8536 TZif files (version 2 and later) and of the POSIX TZ rule
 * in their footer, for the UTC offsets of mailbox send windows (tzif.h says why we do not
 * use localtime_r).
 *
 * Only the 64-bit second part of the file is used. Before the first transition the zone
 * has the offset of local time type 0 (RFC 8536 §3.2); after the last one the footer's
 * rule ("EST5EDT,M3.2.0,M11.1.0") applies, or the last type when the footer is empty or a
 * form we do not read (Jn and n day rules, which no zone of the database uses today).
 * The file is untrusted input like any other: every count is bounded before it is used. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/timefmt.h"
#include "util/tzif.h"

#define TZ_DIR "/usr/share/zoneinfo/"
#define TZ_FILE_MAX (256 * 1024) /* the largest zone of the database is under 4 KiB */
#define TZ_TRANS_MAX 4096
#define TZ_TYPES_MAX 256
#define TZ_CACHE_MAX                                                                               \
	2048 /* zones one process keeps: more than the database has (about                         \
	      * 900 files with posix/ and right/), so a client naming every                        \
	      * zone in turn cannot fill it and lock out the zones that come                       \
	      * later; a few MiB at most */

/* One rule "start of DST: Mm.w.d/time" of a POSIX TZ string. */
struct tz_date {
	unsigned month, week, wday;
	int32_t secs; /* local time of day of the change, may be negative or past 24 h */
};

struct tz {
	size_t ntrans;
	int64_t *trans;     /* instants (UTC seconds), ascending */
	unsigned char *idx; /* the type that starts at each */
	int32_t offs[TZ_TYPES_MAX];
	size_t ntypes;
	int has_rule, has_dst;    /* the footer's rule was read; it has a DST part */
	int32_t std_off, dst_off; /* east of UTC */
	struct tz_date start, end;
};

static uint32_t be32(const unsigned char *);
static int64_t be64(const unsigned char *);
static int rule_parse(const char *, size_t, struct tz *);
static int rule_name(const char **, const char *);
static int rule_offset(const char **, const char *, int32_t *);
static int rule_date(const char **, const char *, struct tz_date *);
static int64_t rule_change(const struct tz_date *, int64_t year);
static int32_t rule_offset_at(const struct tz *, int64_t);
static lc_err read_file(const char *, unsigned char **, size_t *);

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

int
tz_name_ok(const char *name, size_t len)
{
	size_t i, comp = 0;

	if (len == 0 || len > TZ_NAME_MAX || name[0] == '/')
		return 0;
	for (i = 0; i <= len; i++) {
		char c = i < len ? name[i] : '/';

		if (c == '/') {
			/* an empty, "." or ".." component would leave the database's directory */
			if (comp == 0 || (comp <= 2 && name[i - 1] == '.' && name[i - comp] == '.'))
				return 0;
			comp = 0;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		        c == '_' || c == '-' || c == '+' || c == '.'))
			return 0;
		comp++;
	}
	return 1;
}

/* rule_name skips a zone abbreviation: letters, or anything but '>' between '<' and '>'. */
static int
rule_name(const char **p, const char *end)
{
	const char *s = *p;

	if (s < end && *s == '<') {
		while (++s < end && *s != '>')
			;
		if (s == end)
			return 0;
		*p = s + 1;
		return 1;
	}
	while (s < end && ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
		s++;
	if (s - *p < 3)
		return 0;
	*p = s;
	return 1;
}

/* rule_offset reads [+-]hh[:mm[:ss]] (hh up to 167, as RFC 8536 allows for times) into
 * seconds, with the sign as written. */
static int
rule_offset(const char **p, const char *end, int32_t *out)
{
	const char *s = *p;
	int32_t sign = 1, part[3] = {0, 0, 0};
	unsigned i, n;

	if (s < end && (*s == '+' || *s == '-'))
		sign = *s++ == '-' ? -1 : 1;
	for (i = 0; i < 3; i++) {
		if (i > 0) {
			if (s >= end || *s != ':')
				break;
			s++;
		}
		for (n = 0; s < end && *s >= '0' && *s <= '9' && n < 3; n++)
			part[i] = part[i] * 10 + (*s++ - '0');
		if (n == 0 || (i > 0 && part[i] > 59) || part[0] > 167)
			return 0;
	}
	*out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
	*p = s;
	return 1;
}

/* rule_date reads ",Mm.w.d[/time]". */
static int
rule_date(const char **p, const char *end, struct tz_date *d)
{
	const char *s = *p;
	unsigned v[3] = {0, 0, 0}, i;

	if (end - s < 2 || s[0] != ',' || s[1] != 'M')
		return 0;
	s += 2;
	for (i = 0; i < 3; i++) {
		if (i > 0 && (s >= end || *s++ != '.'))
			return 0;
		if (s >= end || *s < '0' || *s > '9')
			return 0;
		while (s < end && *s >= '0' && *s <= '9' && v[i] < 100)
			v[i] = v[i] * 10 + (unsigned)(*s++ - '0');
	}
	if (v[0] < 1 || v[0] > 12 || v[1] < 1 || v[1] > 5 || v[2] > 6)
		return 0;
	d->month = v[0];
	d->week = v[1];
	d->wday = v[2];
	d->secs = 7200; /* 02:00 unless given */
	if (s < end && *s == '/') {
		s++;
		if (!rule_offset(&s, end, &d->secs))
			return 0;
	}
	*p = s;
	return 1;
}

/* rule_parse reads a POSIX TZ string "STDoff[DST[off],start[/t],end[/t]]"; 0 when it is
 * not one we read (the caller then keeps the last transition's offset). */
static int
rule_parse(const char *s, size_t len, struct tz *tz)
{
	const char *p = s, *end = s + len;
	int32_t off;

	if (!rule_name(&p, end) || !rule_offset(&p, end, &off))
		return 0;
	tz->std_off = -off; /* POSIX counts west of Greenwich */
	tz->has_dst = 0;
	if (p == end)
		return 1;
	if (!rule_name(&p, end))
		return 0;
	tz->dst_off = tz->std_off + 3600;
	if (p < end && *p != ',') {
		if (!rule_offset(&p, end, &off))
			return 0;
		tz->dst_off = -off;
	}
	if (!rule_date(&p, end, &tz->start) || !rule_date(&p, end, &tz->end) || p != end)
		return 0;
	tz->has_dst = 1;
	return 1;
}

/* rule_change is the local time (seconds since 1970-01-01 local) at which a rule's change
 * happens in year: day wday of week week (5: the last) of month, at secs. */
static int64_t
rule_change(const struct tz_date *d, int64_t year)
{
	static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t first = days_from_civil(year, d->month, 1), day;
	unsigned first_wday, len = mdays[d->month - 1];

	if (d->month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		len = 29;
	first_wday = (unsigned)(((first % 7) + 11) % 7); /* 1970-01-01 was a Thursday (4) */
	day = (int64_t)((d->wday + 7 - first_wday) % 7) + 7 * (int64_t)(d->week - 1);
	while (day >= len)
		day -= 7;
	return (first + day) * 86400 + d->secs;
}

/* rule_offset_at applies the footer's rule at utc_s. */
static int32_t
rule_offset_at(const struct tz *tz, int64_t utc_s)
{
	int64_t y, start, end;
	unsigned m, d;

	if (!tz->has_dst)
		return tz->std_off;
	civil_from_days(
	    (utc_s + tz->std_off) / 86400 - ((utc_s + tz->std_off) % 86400 < 0), &y, &m, &d);
	start = rule_change(&tz->start, y) - tz->std_off; /* DST starts on standard time */
	end = rule_change(&tz->end, y) - tz->dst_off;     /* and ends on daylight time */
	if (start < end)
		return utc_s >= start && utc_s < end ? tz->dst_off : tz->std_off;
	return utc_s >= end && utc_s < start ? tz->std_off : tz->dst_off; /* southern */
}

lc_err
tz_parse(const unsigned char *data, size_t len, struct tz **out)
{
	uint32_t isut, isstd, leap, timecnt, typecnt, charcnt;
	size_t v1, body, i;
	const unsigned char *h, *p, *foot, *nl;
	struct tz *tz;

	*out = NULL;
	if (len < 44 || memcmp(data, "TZif", 4) != 0 || data[4] < '2')
		return LC_EINVAL;
	h = data;
	isut = be32(h + 20), isstd = be32(h + 24), leap = be32(h + 28);
	timecnt = be32(h + 32), typecnt = be32(h + 36), charcnt = be32(h + 40);
	if (timecnt > TZ_TRANS_MAX || typecnt == 0 || typecnt > TZ_TYPES_MAX || charcnt > 4096 ||
	    leap > 4096 || isut > TZ_TYPES_MAX || isstd > TZ_TYPES_MAX)
		return LC_EINVAL;
	v1 = (size_t)timecnt * 5 + (size_t)typecnt * 6 + charcnt + (size_t)leap * 8 + isstd + isut;
	if (len - 44 < v1 + 44)
		return LC_EINVAL;
	h = data + 44 + v1; /* the second header: the 64-bit data */
	if (memcmp(h, "TZif", 4) != 0)
		return LC_EINVAL;
	isut = be32(h + 20), isstd = be32(h + 24), leap = be32(h + 28);
	timecnt = be32(h + 32), typecnt = be32(h + 36), charcnt = be32(h + 40);
	if (timecnt > TZ_TRANS_MAX || typecnt == 0 || typecnt > TZ_TYPES_MAX || charcnt > 4096 ||
	    leap > 4096 || isut > TZ_TYPES_MAX || isstd > TZ_TYPES_MAX)
		return LC_EINVAL;
	body =
	    (size_t)timecnt * 9 + (size_t)typecnt * 6 + charcnt + (size_t)leap * 12 + isstd + isut;
	if ((size_t)(data + len - (h + 44)) < body)
		return LC_EINVAL;
	if ((tz = calloc(1, sizeof(*tz))) == NULL)
		return LC_ENOMEM;
	tz->ntrans = timecnt;
	tz->trans = malloc((timecnt ? timecnt : 1) * sizeof(*tz->trans));
	tz->idx = malloc(timecnt ? timecnt : 1);
	if (!tz->trans || !tz->idx) {
		tz_free(tz);
		return LC_ENOMEM;
	}
	p = h + 44;
	for (i = 0; i < timecnt; i++) {
		tz->trans[i] = be64(p + 8 * i);
		if (i > 0 && tz->trans[i] <= tz->trans[i - 1])
			goto bad;
	}
	p += (size_t)timecnt * 8;
	for (i = 0; i < timecnt; i++)
		if ((tz->idx[i] = p[i]) >= typecnt)
			goto bad;
	p += timecnt;
	tz->ntypes = typecnt;
	for (i = 0; i < typecnt; i++) {
		int32_t off = (int32_t)be32(p + 6 * i);

		if (off < -25 * 3600 || off > 26 * 3600)
			goto bad;
		tz->offs[i] = off;
	}
	/* the footer follows the body: "\n" TZ-string "\n" */
	foot = h + 44 + body;
	if (foot < data + len && *foot == '\n' &&
	    (nl = memchr(foot + 1, '\n', (size_t)(data + len - foot - 1))) != NULL && nl > foot + 1)
		tz->has_rule = rule_parse((const char *)foot + 1, (size_t)(nl - foot - 1), tz);
	*out = tz;
	return LC_OK;
bad:
	tz_free(tz);
	return LC_EINVAL;
}

void
tz_free(struct tz *tz)
{
	if (!tz)
		return;
	free(tz->trans);
	free(tz->idx);
	free(tz);
}

int32_t
tz_offset(const struct tz *tz, int64_t utc_s)
{
	size_t lo = 0, hi = tz->ntrans;

	if (tz->ntrans == 0)
		return tz->has_rule ? rule_offset_at(tz, utc_s) : tz->offs[0];
	if (utc_s < tz->trans[0])
		return tz->offs[0];
	if (utc_s >= tz->trans[tz->ntrans - 1] && tz->has_rule)
		return rule_offset_at(tz, utc_s);
	while (hi - lo > 1) { /* the last transition at or before utc_s */
		size_t mid = lo + (hi - lo) / 2;

		if (tz->trans[mid] <= utc_s)
			lo = mid;
		else
			hi = mid;
	}
	return tz->offs[tz->idx[lo]];
}

int64_t
tz_utc_of(const struct tz *tz, int64_t local_s)
{
	/* the offsets in force a day either side cover any one change; a wall time valid
	 * under both (the repeated hour) takes the earlier instant */
	int32_t before = tz_offset(tz, local_s - 86400), after = tz_offset(tz, local_s + 86400);
	int64_t a = local_s - before, b = local_s - after;
	int ok_a = a + tz_offset(tz, a) == local_s, ok_b = b + tz_offset(tz, b) == local_s;

	if (ok_a && ok_b)
		return a < b ? a : b;
	if (ok_a)
		return a;
	if (ok_b)
		return b;
	/* the skipped hour: the moment the clocks jumped over it, the first instant between
	 * the two candidates with the later offset (binary search over at most a day) */
	{
		int64_t lo = a < b ? a : b, hi = a < b ? b : a;
		int32_t later = tz_offset(tz, hi);

		while (hi - lo > 1) {
			int64_t mid = lo + (hi - lo) / 2;

			if (tz_offset(tz, mid) == later)
				hi = mid;
			else
				lo = mid;
		}
		return hi;
	}
}

static lc_err
read_file(const char *path, unsigned char **out, size_t *len)
{
	unsigned char *data;
	size_t n = 0;
	ssize_t got;
	int fd;

	/* links are followed: the database names many zones through them (US/Eastern), and
	 * the name was checked not to leave the database's directory */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? LC_ENOTFOUND
		                                                             : LC_EIO;
	if ((data = malloc(TZ_FILE_MAX)) == NULL) {
		close(fd);
		return LC_ENOMEM;
	}
	while (n < TZ_FILE_MAX && (got = read(fd, data + n, TZ_FILE_MAX - n)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			free(data);
			return errno == EISDIR ? LC_ENOTFOUND : LC_EIO;
		}
		n += (size_t)got;
	}
	close(fd);
	*out = data;
	*len = n;
	return LC_OK;
}

/* The process's zones: a small list under a mutex, filled on first use. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char name[TZ_NAME_MAX + 1];
	struct tz *tz;
} cache[TZ_CACHE_MAX];
static size_t ncache;

lc_err
tz_get(const char *name, const struct tz **out)
{
	char path[sizeof(TZ_DIR) + TZ_NAME_MAX];
	unsigned char *data = NULL;
	struct tz *tz = NULL;
	size_t len = 0, i;
	lc_err e = LC_OK;

	*out = NULL;
	if (!name || !tz_name_ok(name, strlen(name)))
		return LC_ENOTFOUND;
	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < ncache; i++)
		if (strcmp(cache[i].name, name) == 0) {
			*out = cache[i].tz;
			pthread_mutex_unlock(&cache_lock);
			return LC_OK;
		}
	if (ncache == TZ_CACHE_MAX) {
		e = LC_ENOMEM;
		goto done;
	}
	if (strcmp(name, "UTC") == 0) {
		/* the zone every mailbox has by default exists without the database */
		if ((tz = calloc(1, sizeof(*tz))) == NULL) {
			e = LC_ENOMEM;
			goto done;
		}
		tz->ntypes = 1;
	} else {
		memcpy(path, TZ_DIR, sizeof(TZ_DIR) - 1);
		memcpy(path + sizeof(TZ_DIR) - 1, name, strlen(name) + 1);
		if ((e = read_file(path, &data, &len)) != LC_OK)
			goto done;
		if ((e = tz_parse(data, len, &tz)) != LC_OK)
			goto done;
	}
	memcpy(cache[ncache].name, name, strlen(name) + 1);
	cache[ncache++].tz = tz;
	*out = tz;
done:
	pthread_mutex_unlock(&cache_lock);
	free(data);
	return e;
}

void
tz_cache_free(void)
{
	size_t i;

	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < ncache; i++)
		tz_free(cache[i].tz);
	ncache = 0;
	pthread_mutex_unlock(&cache_lock);
}
