/* prom.c: Prometheus text exposition and lock-free histograms (prom.h). */
#include <stdio.h>
#include <string.h>

#include "util/prom.h"

/* From a cached read (a few ms) to a slow relay or a large export (10 s). */
const double prom_bounds_s[PROM_NBOUNDS] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
    0.25, 0.5, 1, 2.5, 10};

void
prom_hist_observe(struct prom_hist *h, uint64_t us)
{
	size_t i;

	for (i = 0; i < PROM_NBOUNDS; i++)
		if ((double)us <= prom_bounds_s[i] * 1e6)
			break;
	atomic_fetch_add_explicit(&h->bucket[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_us, us, memory_order_relaxed);
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
		n[i] = atomic_load_explicit(&h->bucket[i], memory_order_relaxed);
	sum_us = atomic_load_explicit(&h->sum_us, memory_order_relaxed);
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
		return buf_printf(out, "%s_count{%s} %llu\n", name, labels, (unsigned long long)cum);
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
		const char *esc = *p == '\\' ? "\\\\" : *p == '"' ? "\\\"" : *p == '\n' ? "\\n" : NULL;
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
