/* prom.c: Prometheus text exposition and lock-free histograms (prom.h). */
#include <stdio.h>
#include <string.h>

#include "util/prom.h"

/* From a cached read (a few ms) to a slow relay or a large export (10 s). */
const double prom_bounds_s[PROM_NBOUNDS] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

/* Relaxed counters: only their own value matters. The pointer and flag helpers publish a
 * slot (release) and read it (acquire), as reqstats.c documents. */
__attribute__((noinline)) uint64_t
prom_atomic_load(_Atomic uint64_t *p)
{
	return atomic_load_explicit(p, memory_order_relaxed);
}

__attribute__((noinline)) void
prom_atomic_add(_Atomic uint64_t *p, uint64_t n)
{
	atomic_fetch_add_explicit(p, n, memory_order_relaxed);
}

__attribute__((noinline)) const char *
prom_atomic_load_ptr(_Atomic(const char *) *p)
{
	return atomic_load_explicit(p, memory_order_acquire);
}

/* prom_atomic_claim_ptr sets *p to want when it is NULL and returns 1; else returns 0 with
 * what it holds in *seen. */
__attribute__((noinline)) int
prom_atomic_claim_ptr(_Atomic(const char *) *p, const char *want, const char **seen)
{
	const char *expected = NULL;

	if (atomic_compare_exchange_strong_explicit(
	        p, &expected, want, memory_order_acq_rel, memory_order_acquire))
		return 1;
	*seen = expected;
	return 0;
}

__attribute__((noinline)) void
prom_atomic_store_ptr(_Atomic(const char *) *p, const char *v)
{
	atomic_store_explicit(p, v, memory_order_release);
}

__attribute__((noinline)) int
prom_atomic_load_int(atomic_int *p)
{
	return atomic_load_explicit(p, memory_order_acquire);
}

__attribute__((noinline)) void
prom_atomic_store_int(atomic_int *p, int v)
{
	atomic_store_explicit(p, v, memory_order_release);
}

void
prom_hist_observe(struct prom_hist *h, uint64_t us)
{
	size_t i;

	for (i = 0; i < PROM_NBOUNDS; i++)
		if ((double)us <= prom_bounds_s[i] * 1e6)
			break;
	prom_atomic_add(&h->bucket[i], 1);
	prom_atomic_add(&h->sum_us, us);
}

lc_err
prom_family(struct buf *out, const char *name, const char *type, const char *help)
{
	return buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

lc_err
prom_sample(struct buf *out, const char *name, const char *labels, double value)
{
	if (labels && *labels)
		return buf_printf(out, "%s{%s} %.17g\n", name, labels, value);
	return buf_printf(out, "%s %.17g\n", name, value);
}

lc_err
prom_sample_u64(struct buf *out, const char *name, const char *labels, uint64_t value)
{
	if (labels && *labels)
		return buf_printf(out, "%s{%s} %llu\n", name, labels, (unsigned long long)value);
	return buf_printf(out, "%s %llu\n", name, (unsigned long long)value);
}

lc_err
prom_hist_write(struct buf *out, const char *name, const char *labels, struct prom_hist *h)
{
	uint64_t n[PROM_NBOUNDS + 1], cum = 0, sum_us;
	const char *sep = labels && *labels ? "," : "";
	char le[32];
	size_t i;
	lc_err e;

	if (labels == NULL)
		labels = "";
	for (i = 0; i <= PROM_NBOUNDS; i++)
		n[i] = prom_atomic_load(&h->bucket[i]);
	sum_us = prom_atomic_load(&h->sum_us);
	for (i = 0; i <= PROM_NBOUNDS; i++) {
		cum += n[i];
		if (i < PROM_NBOUNDS)
			snprintf(le, sizeof(le), "%g", prom_bounds_s[i]);
		else
			snprintf(le, sizeof(le), "+Inf");
		if ((e = buf_printf(out, "%s_bucket{%s%sle=\"%s\"} %llu\n", name, labels, sep, le,
		         (unsigned long long)cum)) != LC_OK)
			return e;
	}
	if (*labels) {
		if ((e = buf_printf(out, "%s_sum{%s} %.6f\n", name, labels, (double)sum_us / 1e6)))
			return e;
		return buf_printf(
		    out, "%s_count{%s} %llu\n", name, labels, (unsigned long long)cum);
	}
	if ((e = buf_printf(out, "%s_sum %.6f\n", name, (double)sum_us / 1e6)) != LC_OK)
		return e;
	return buf_printf(out, "%s_count %llu\n", name, (unsigned long long)cum);
}

int
prom_label(char *lbl, size_t len, const char *key, const char *value)
{
	size_t start = strlen(lbl), at = start;
	const char *p;
	int n;

	n = snprintf(lbl + at, len - at, "%s%s=\"", at ? "," : "", key);
	if (n < 0 || (size_t)n >= len - at)
		goto full;
	at += (size_t)n;
	for (p = value; *p; p++) {
		const char *esc = *p == '\\'   ? "\\\\"
		                  : *p == '"'  ? "\\\""
		                  : *p == '\n' ? "\\n"
		                               : NULL;
		size_t need = esc ? 2 : 1;

		if (at + need + 2 > len)
			goto full;
		if (esc) {
			memcpy(lbl + at, esc, 2);
		} else {
			lbl[at] = *p;
		}
		at += need;
	}
	if (at + 2 > len)
		goto full;
	lbl[at++] = '"';
	lbl[at] = '\0';
	return 0;
full:
	lbl[start] = '\0';
	return -1;
}
