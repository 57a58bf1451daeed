/* reqstats.c: request counters keyed by (route, method), in a fixed open-addressing table
 * whose slots are claimed with compare-and-swap: no lock on the request path. */
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "http/reqstats.h"
#include "util/prom.h"

/* Twice the routes of the API, the pages and MCP today, so probing stays short. */
#define SLOTS 256
#define CODES 500 /* 100..599 */

struct slot {
	_Atomic(const char *) route; /* claimed: non-NULL; the key's first half */
	_Atomic(const char *) method;
	atomic_int ready; /* method written: the slot may be compared and read */
	_Atomic uint64_t code[CODES];
	struct prom_hist hist;
};

static struct slot slots[SLOTS];

static struct slot *slot_for(const char *, const char *);

const char *
reqstats_method(const char *method)
{
	static const char *const known[] = {
	    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
	size_t i;

	for (i = 0; method && i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(method, known[i]) == 0)
			return known[i];
	return "other";
}

/* slot_for finds or claims the slot of (route, method); NULL when the table is full. Two
 * threads claiming the same key probe the same sequence, so the second one meets the
 * first one's slot (waiting the few instructions until its method is written) and never
 * claims a duplicate. */
static struct slot *
slot_for(const char *route, const char *method)
{
	uintptr_t h = ((uintptr_t)route >> 3) * 31u + ((uintptr_t)method >> 3);
	size_t i, at;

	for (i = 0; i < SLOTS; i++) {
		struct slot *s;
		const char *seen;

		at = (size_t)((h + i) % SLOTS);
		s = &slots[at];
		seen = prom_atomic_load_ptr(&s->route);
		if (seen == NULL) {
			if (prom_atomic_claim_ptr(&s->route, route, &seen)) {
				prom_atomic_store_ptr(&s->method, method);
				prom_atomic_store_int(&s->ready, 1);
				return s;
			}
			/* another thread claimed it first: compare with its key */
		}
		if (seen != route)
			continue;
		while (!prom_atomic_load_int(&s->ready))
			sched_yield();
		if (prom_atomic_load_ptr(&s->method) == method)
			return s;
	}
	return NULL;
}

void
reqstats_observe(const char *route, const char *method, int status, uint64_t us)
{
	static const char unmatched[] = REQSTATS_UNMATCHED;
	struct slot *s;

	if (route == NULL)
		route = unmatched;
	if ((s = slot_for(route, method)) == NULL && (s = slot_for(unmatched, method)) == NULL)
		return; /* the table cannot fill with 7 methods of "unmatched" */
	if (status < 100 || status > 599)
		status = 599;
	prom_atomic_add(&s->code[status - 100], 1);
	prom_hist_observe(&s->hist, us);
}

lc_err
reqstats_write(struct buf *out)
{
	static const char total[] = "linkcamp_http_requests_total",
	                  dur[] = "linkcamp_http_request_duration_seconds";
	char lbl[512], code[8];
	size_t i, c;
	lc_err e;

	if ((e = prom_family(out, total, "counter",
	         "Requests answered, by route pattern, method and status code.")) != LC_OK)
		return e;
	for (i = 0; i < SLOTS; i++) {
		struct slot *s = &slots[i];

		if (!prom_atomic_load_int(&s->ready))
			continue;
		for (c = 0; c < CODES; c++) {
			uint64_t n = prom_atomic_load(&s->code[c]);

			if (n == 0)
				continue;
			lbl[0] = '\0';
			snprintf(code, sizeof(code), "%zu", c + 100);
			if (prom_label(
			        lbl, sizeof(lbl), "route", prom_atomic_load_ptr(&s->route)) != 0 ||
			    prom_label(lbl, sizeof(lbl), "method",
			        prom_atomic_load_ptr(&s->method)) != 0 ||
			    prom_label(lbl, sizeof(lbl), "code", code) != 0)
				continue; /* a pattern longer than a label may hold: not ours */
			if ((e = prom_sample_u64(out, total, lbl, n)) != LC_OK)
				return e;
		}
	}
	if ((e = prom_family(out, dur, "histogram",
	         "Time from a request's arrival to its answer, by route pattern and method.")))
		return e;
	for (i = 0; i < SLOTS; i++) {
		struct slot *s = &slots[i];

		if (!prom_atomic_load_int(&s->ready))
			continue;
		lbl[0] = '\0';
		if (prom_label(lbl, sizeof(lbl), "route", prom_atomic_load_ptr(&s->route)) != 0 ||
		    prom_label(lbl, sizeof(lbl), "method", prom_atomic_load_ptr(&s->method)) != 0)
			continue;
		if ((e = prom_hist_write(out, dur, lbl, &s->hist)) != LC_OK)
			return e;
	}
	return LC_OK;
}
