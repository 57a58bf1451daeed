/* pacing.c: the pacing rules of a sender mailbox (pacing.h), pure functions of the
 * settings, the counters and the time, so that the unit tests prove each rule (and the
 * DST changes) without a database or a clock. */
#include <string.h>

#include "core/pacing.h"

#define DAY_S INT64_C(86400)

static int64_t floor_div(int64_t, int64_t);

static const char *const reasons[PACE_NREASONS] = {
    NULL, "outside_window", "daily_cap", "gap", "domain_rate", "mailbox_paused", "mailbox_error"};
static const char *const day_names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

const char *
pacing_reason_name(unsigned reason)
{
	return reason < PACE_NREASONS ? reasons[reason] : NULL;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int64_t
pacing_local_day(const struct pacing_rules *r, int64_t t_ms)
{
	int64_t s = floor_div(t_ms, 1000);

	return floor_div(s + tz_offset(r->tz, s), DAY_S);
}

unsigned
pacing_cap_on(const struct pacing_rules *r, int64_t day)
{
	uint64_t ramp;
	int64_t since;

	if (r->warmup_start == 0)
		return r->daily_cap;
	since = r->warmup_from < 0 || day < r->warmup_from ? 0 : day - r->warmup_from;
	if (since > (int64_t)PACING_WARMUP_MAX)
		since = PACING_WARMUP_MAX;
	ramp = (uint64_t)r->warmup_start + (uint64_t)r->warmup_step * (uint64_t)since;
	return ramp < r->daily_cap ? (unsigned)ramp : r->daily_cap;
}

int64_t
pacing_window_open(const struct pacing_rules *r, int64_t t_ms, unsigned skip_days)
{
	int64_t t_s = floor_div(t_ms, 1000), local = t_s + tz_offset(r->tz, t_s);
	int64_t day = floor_div(local, DAY_S), d;

	if ((r->days & PACING_ALL_DAYS) == 0 || r->start_min >= r->end_min)
		return -1;
	for (d = day + skip_days; d <= day + skip_days + 7; d++) {
		unsigned wday = (unsigned)(((d % 7) + 10) % 7); /* 1970-01-01: Thursday, bit 3 */
		int64_t open, close;

		if (!(r->days & (1u << wday)))
			continue;
		open = tz_utc_of(r->tz, d * DAY_S + (int64_t)r->start_min * 60) * 1000;
		close = tz_utc_of(r->tz, d * DAY_S + (int64_t)r->end_min * 60) * 1000;
		if (t_ms < open)
			return open;
		if (t_ms < close)
			return t_ms; /* inside today's window */
	}
	return -1;
}

enum pacing_reason
pacing_check(const struct pacing_rules *r, const struct pacing_state *s, int64_t now_ms,
    int64_t *next_slot_ms)
{
	int64_t open = pacing_window_open(r, now_ms, 0), day;
	unsigned sent;

	*next_slot_ms = -1;
	if (open != now_ms) {
		*next_slot_ms = open;
		return PACE_OUTSIDE_WINDOW;
	}
	day = pacing_local_day(r, now_ms);
	sent = s->day == day ? s->count : 0;
	if (sent >= pacing_cap_on(r, day)) {
		*next_slot_ms = pacing_window_open(r, now_ms, 1);
		return PACE_DAILY_CAP;
	}
	if (s->next_send_ms > now_ms) {
		/* the gap ends then, or at the window's next opening when it ends outside it */
		*next_slot_ms = pacing_window_open(r, s->next_send_ms, 0);
		return PACE_GAP;
	}
	return PACE_OK;
}

int
pacing_day_from_name(const char *name)
{
	unsigned i;

	for (i = 0; i < 7; i++)
		if (strcmp(name, day_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
pacing_day_name(unsigned i)
{
	return i < 7 ? day_names[i] : NULL;
}

int
pacing_hhmm_parse(const char *s)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':')
		return -1;
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[3] < '0' || s[3] > '5' ||
	    s[4] < '0' || s[4] > '9')
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 24 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

void
pacing_hhmm_format(unsigned minutes, char out[6])
{
	if (minutes > PACING_MINUTES_PER_DAY)
		minutes = PACING_MINUTES_PER_DAY;
	out[0] = (char)('0' + minutes / 600);
	out[1] = (char)('0' + minutes / 60 % 10);
	out[2] = ':';
	out[3] = (char)('0' + minutes % 60 / 10);
	out[4] = (char)('0' + minutes % 10);
	out[5] = '\0';
}
