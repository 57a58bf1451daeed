/* lease.c: what the leased queues' claims share (lease.h). */
#include <stdlib.h>
#include <string.h>

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

lc_err
lease_take(struct db *db, struct db_rows *due, lease_mark_fn mark, struct lease_pick *p)
{
	size_t i;
	lc_err e = LC_OK;

	for (i = 0; i < due->nrows && p->n < p->max && e == LC_OK; i++) {
		p->ids[p->n] = db_i64(due, i, 0);
		if ((e = mark(db, p->ids[p->n], p->until)) == LC_OK)
			p->n++;
	}
	db_rows_free(due);
	return e;
}

lc_err
lease_take_batch(struct db *db, struct db_rows *due, lease_mark_batch_fn mark, struct lease_pick *p)
{
	size_t i;
	lc_err e = LC_OK;

	p->n = 0;
	for (i = 0; i < due->nrows && p->n < p->max; i++)
		p->ids[p->n++] = db_i64(due, i, 0);
	db_rows_free(due);
	if (p->n > 0 && (e = mark(db, p->ids, p->n, p->until)) != LC_OK)
		p->n = 0;
	return e;
}

lc_err
lease_pick_run(struct core *core, unsigned lease_seconds, unsigned max, lease_pick_fn pick,
    struct lease_clock *clock, struct lease_pick *p)
{
	memset(p, 0, sizeof(*p));
	lease_clock_at(clock, now_ms(), lease_seconds);
	p->now = clock->now;
	p->until = clock->until;
	p->max = max < LEASE_CLAIM_MAX ? max : LEASE_CLAIM_MAX;
	if (p->max == 0)
		return LC_OK;
	return db_tx(core->db, pick, p);
}

lc_err
lease_claim(struct core *core, unsigned lease_seconds, unsigned max, lease_pick_fn pick,
    size_t job_size, lease_load_fn load, void **jobs, size_t *n)
{
	struct lease_clock clock;
	struct lease_pick p;
	lc_err e;

	*jobs = NULL;
	*n = 0;
	if ((e = lease_pick_run(core, lease_seconds, max, pick, &clock, &p)) != LC_OK || p.n == 0)
		return e;
	return lease_load(core->db, p.ids, p.n, job_size, load, jobs, n);
}
