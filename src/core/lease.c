/* lease.c: what the leased queues' claims share (lease.h). */
#include <stdlib.h>
#include <string.h>

#include "core/lease.h"
#include "util/timefmt.h"

/* A claim's instants, as sqltime text. */
struct lease_clock {
	char now[TIME_SQL_LEN];
	char until[TIME_SQL_LEN]; /* now + the lease */
};

/* lease_clock_at fills *c for a lease of lease_seconds from now_ms. */
static void
lease_clock_at(struct lease_clock *c, int64_t now_ms, unsigned lease_seconds)
{
	sqltime_format(now_ms, c->now);
	sqltime_format(now_ms + (int64_t)lease_seconds * 1000, c->until);
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

/* lease_pick_run runs a queue's pick in one transaction with the clock of a lease of
 * lease_seconds from now (*clock, which p points into: keep it while p is used): p->ids
 * and p->n receive the rows taken, up to max (capped at LEASE_CLAIM_MAX). Errors: the
 * transaction's, nothing taken. */
static lc_err
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

/* row_of is the row of rows whose first column is id, or rows->nrows when none is. */
static size_t
row_of(const struct db_rows *rows, int64_t id)
{
	size_t k;

	for (k = 0; k < rows->nrows && db_i64(rows, k, 0) != id; k++)
		;
	return k;
}

lc_err
lease_claim(struct core *core, unsigned lease_seconds, unsigned max, lease_pick_fn pick,
    lease_get_fn get, size_t job_size, lease_row_fn load, void **jobs, size_t *n)
{
	struct lease_clock clock;
	struct lease_pick p;
	struct db_rows rows;
	char *out;
	size_t i, k;
	int skip;
	lc_err e;

	*jobs = NULL;
	*n = 0;
	if ((e = lease_pick_run(core, lease_seconds, max, pick, &clock, &p)) != LC_OK || p.n == 0)
		return e;
	/* a failure from here on leaves the leases to expire (the reaper returns them) */
	if ((e = get(core->db, p.ids, p.n, &rows)) != LC_OK)
		return e;
	if ((out = calloc(p.n, job_size)) == NULL) {
		db_rows_free(&rows);
		return LC_ENOMEM;
	}
	for (i = 0; i < p.n; i++) {
		if ((k = row_of(&rows, p.ids[i])) == rows.nrows)
			continue;
		if ((e = load(core->db, &rows, k, out + *n * job_size, &skip)) != LC_OK)
			break;
		if (!skip)
			(*n)++;
	}
	db_rows_free(&rows);
	if (*n == 0) {
		free(out);
		return e;
	}
	*jobs = out;
	return LC_OK;
}
