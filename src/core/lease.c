/* lease.c: what the leased queues' claims share (lease.h). */
#include <stdlib.h>

#include "core/lease.h"

void
lease_clock_at(struct lease_clock *c, int64_t now_ms, unsigned lease_seconds)
{
	sqltime_format(now_ms, c->now);
	sqltime_format(now_ms + (int64_t)lease_seconds * 1000, c->until);
}

lc_err
lease_load(struct db *db, const int64_t *ids, size_t nids, size_t job_size, lease_load_fn load,
    void **jobs, size_t *n)
{
	char *out;
	size_t i;
	int skip;
	lc_err e = LC_OK;

	*jobs = NULL;
	*n = 0;
	if (nids == 0)
		return LC_OK;
	if ((out = calloc(nids, job_size)) == NULL)
		return LC_ENOMEM; /* the leases expire and the reaper returns them */
	for (i = 0; i < nids; i++) {
		if ((e = load(db, ids[i], out + *n * job_size, &skip)) != LC_OK)
			break;
		if (!skip)
			(*n)++;
	}
	if (*n == 0) {
		free(out);
		out = NULL;
	}
	*jobs = out;
	return e == LC_OK || *n > 0 ? LC_OK : e;
}
