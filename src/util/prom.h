/* prom.h: Prometheus text exposition (format 0.0.4) and the lock-free counters behind it.
 * Counters are C11 atomics with relaxed ordering: a scrape may see one counter a request
 * ahead of another, never a torn or lost increment. Names and label values written here
 * come from the program (routes, states), never from a client. */
#ifndef LC_PROM_H
#define LC_PROM_H

#include <stdatomic.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

/* Every access to a counter goes through these functions, which are never inlined:
 * helgrind does not model C11 atomics, and tests/integration/helgrind.supp names exactly
 * these frames (prom_atomic_*) so that their accesses are not reported as races while any
 * plain access elsewhere still is. */
uint64_t prom_atomic_load(_Atomic uint64_t *p);
void prom_atomic_add(_Atomic uint64_t *p, uint64_t n);
const char *prom_atomic_load_ptr(_Atomic(const char *) *p);
int prom_atomic_claim_ptr(_Atomic(const char *) *p, const char *want, const char **seen);
void prom_atomic_store_ptr(_Atomic(const char *) *p, const char *v);
int prom_atomic_load_int(atomic_int *p);
void prom_atomic_store_int(atomic_int *p, int v);

/* The upper bounds (seconds) of a latency histogram's buckets; +Inf is implicit. */
#define PROM_NBOUNDS 12
extern const double prom_bounds_s[PROM_NBOUNDS];

/* A latency histogram: per-bucket (not cumulative) counts, the last one over every
 * bound, and the sum in microseconds. Zeroed memory is an empty histogram. */
struct prom_hist {
	_Atomic uint64_t bucket[PROM_NBOUNDS + 1];
	_Atomic uint64_t sum_us;
};

/* prom_hist_observe adds one observation of us microseconds. Thread-safe. */
void prom_hist_observe(struct prom_hist *h, uint64_t us);

/* prom_family appends the # HELP and # TYPE lines of a metric family (type: "counter",
 * "gauge" or "histogram"). LC_ENOMEM when out is full. */
lc_err prom_family(struct buf *out, const char *name, const char *type, const char *help);

/* prom_sample appends `name{labels} value`; labels (may be NULL or "") is a prepared
 * label list without braces, e.g. `route="/x",code="200"`, built with prom_label. */
lc_err prom_sample(struct buf *out, const char *name, const char *labels, double value);

/* prom_sample_u64 is prom_sample for a counter, exact beyond 2^53. */
lc_err prom_sample_u64(struct buf *out, const char *name, const char *labels, uint64_t value);

/* prom_hist_write appends the _bucket, _sum and _count series of h under name with the
 * extra labels (may be NULL or ""). _count equals the +Inf bucket by construction: both
 * are the sum of the per-bucket counts read once. */
lc_err prom_hist_write(struct buf *out, const char *name, const char *labels, struct prom_hist *h);

/* prom_label appends `key="value"` to the label list lbl (size len, always terminated),
 * with a comma first when lbl is not empty, escaping \, " and newline as the format wants.
 * Returns -1 (lbl cut back to what it was) when it does not fit. */
int prom_label(char *lbl, size_t len, const char *key, const char *value);

#endif
