/* pacing.h: when a sender mailbox may send (docs/mailboxes.md, "Pacing"). The rules are
 * here and only here, as pure functions of a mailbox's settings, its counters and the
 * time: the send window (days, hours, IANA zone), the daily cap with its warm-up ramp and
 * the minimum gap plus jitter. The claim (pacing_claim.c) reads the counters under the
 * mailbox's lock, asks pacing_check, and either takes the slot or holds the message. */
#ifndef LC_PACING_H
#define LC_PACING_H

#include <stddef.h>
#include <stdint.h>
#include "util/tzif.h"

#define PACING_MINUTES_PER_DAY 1440
#define PACING_ALL_DAYS 0x7fu /* bit 0 Monday .. bit 6 Sunday */
#define PACING_GAP_MAX 86400u /* seconds of minimum gap, and of jitter */
#define PACING_WARMUP_MAX 100000u

/* Why a due message waits (outbound_messages.held_reason); 0: it may go now. */
enum pacing_reason {
	PACE_OK = 0,
	PACE_OUTSIDE_WINDOW,
	PACE_DAILY_CAP,
	PACE_GAP,
	PACE_DOMAIN_RATE,
	PACE_MAILBOX_PAUSED,
	PACE_MAILBOX_ERROR,
	PACE_NREASONS
};

/* pacing_reason_name is the API's heldReason ("outside_window", ...; static); NULL for
 * PACE_OK and out-of-range values. */
const char *pacing_reason_name(unsigned reason);

/* A mailbox's pacing settings. tz is borrowed (tz_get's cache). */
struct pacing_rules {
	unsigned days;               /* PACING_ALL_DAYS bits */
	unsigned start_min, end_min; /* the window [start, end) in minutes of the local day */
	const struct tz *tz;
	unsigned daily_cap;
	unsigned warmup_start, warmup_step; /* warmup_start 0: no ramp */
	int64_t warmup_from;                /* local day the ramp began, -1 not yet */
	unsigned gap_s, jitter_s;
};

/* A mailbox's counters. */
struct pacing_state {
	int64_t day;          /* local day (days since 1970-01-01) count belongs to; -1 none */
	unsigned count;       /* sends on that day */
	int64_t next_send_ms; /* the gap ends then; 0 none */
};

/* pacing_local_day is the local day (days since 1970-01-01 in the zone) of t_ms. */
int64_t pacing_local_day(const struct pacing_rules *r, int64_t t_ms);

/* pacing_cap_on is the mailbox's cap on local day: daily_cap, or the warm-up ramp's
 * warmup_start + warmup_step * (days since the ramp began), whichever is lower. */
unsigned pacing_cap_on(const struct pacing_rules *r, int64_t day);

/* pacing_window_open is the first instant at or after t_ms inside the window, looking
 * only at local days from skip_days after t_ms's; -1 when the window has no day. */
int64_t pacing_window_open(const struct pacing_rules *r, int64_t t_ms, unsigned skip_days);

/* pacing_check says whether the mailbox may send at now_ms: PACE_OK, or the first rule
 * that holds the message and, in *next_slot_ms, the first instant it could go (the window's
 * next opening, the next day's opening, the end of the gap inside the window). */
enum pacing_reason pacing_check(const struct pacing_rules *r, const struct pacing_state *s,
    int64_t now_ms, int64_t *next_slot_ms);

/* pacing_day_from_name is the bit of a day name ("mon" .. "sun"), -1 for another word;
 * pacing_day_name is the name of bit i (static), NULL out of range. */
int pacing_day_from_name(const char *name);
const char *pacing_day_name(unsigned i);

/* pacing_hhmm_parse reads "HH:MM" (00:00 .. 24:00) into minutes; -1 when it is not one. */
int pacing_hhmm_parse(const char *s);
/* pacing_hhmm_format writes minutes as "HH:MM" into out (6 bytes). */
void pacing_hhmm_format(unsigned minutes, char out[6]);

#endif
