/* lease.h: what every leased queue's claim shares in core (the webhook outbox, the
 * placement checks): the claim's clock — now and when the lease ends, as the store's
 * time text —, taking the due rows a queue picked, and loading the rows a claim took into
 * owned jobs. Which rows are due, and in which order, stays with each queue: its pick
 * transaction. */
#ifndef LC_LEASE_H
#define LC_LEASE_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "util/timefmt.h"

/* A claim's instants, as sqltime text. */
struct lease_clock {
	char now[TIME_SQL_LEN];
	char until[TIME_SQL_LEN]; /* now + the lease */
};

/* lease_clock_at fills *c for a lease of lease_seconds from now_ms. */
void lease_clock_at(struct lease_clock *c, int64_t now_ms, unsigned lease_seconds);

/* The most rows one claim takes. */
#define LEASE_CLAIM_MAX 32

/* A claim in progress, handed to the queue's pick transaction: the clock and how many it
 * may take in; the ids it took (leased, committed with the transaction) out. */
struct lease_pick {
	const char *now, *until; /* the claim's clock, sqltime text */
	unsigned max;            /* 1..LEASE_CLAIM_MAX */
	int64_t ids[LEASE_CLAIM_MAX];
	size_t n;
};

/* A queue's pick: a db_tx function given the struct lease_pick * as its argument; it
 * reads its due rows (FOR UPDATE SKIP LOCKED) and passes them to lease_take. */
typedef lc_err (*lease_pick_fn)(struct db *db, void *pick);

/* A queue's store call that puts row id under a lease ending at until (sqltime). */
typedef lc_err (*lease_mark_fn)(struct db *db, int64_t id, const char *until);

/* lease_take leases, with mark, each row of due (its first column is the row id) while p
 * has room, adding the ids to p; it frees due. Errors: mark's, with the rows before it
 * taken (the caller's transaction rolls them back). */
lc_err lease_take(struct db *db, struct db_rows *due, lease_mark_fn mark, struct lease_pick *p);

/* A queue's store call that puts the n rows of ids under a lease ending at until in one
 * statement; LC_ERETRY when one of them is no longer free (the pick transaction is then
 * run again, as db_tx does with a retry). */
typedef lc_err (*lease_mark_batch_fn)(
    struct db *db, const int64_t *ids, size_t n, const char *until);

/* lease_take_batch is lease_take with one statement for all the rows taken: up to p->max
 * ids of due (first column) into p, leased with mark; it frees due. Errors: mark's, with
 * p->n 0 (the caller's transaction rolls back). */
lc_err lease_take_batch(
    struct db *db, struct db_rows *due, lease_mark_batch_fn mark, struct lease_pick *p);

/* lease_pick_run runs a queue's pick in one transaction with the clock of a lease of
 * lease_seconds from now (*clock, which p points into: keep it while p is used): p->ids
 * and p->n receive the rows taken, up to max (capped at LEASE_CLAIM_MAX). Errors: the
 * transaction's, nothing taken. */
lc_err lease_pick_run(struct core *core, unsigned lease_seconds, unsigned max, lease_pick_fn pick,
    struct lease_clock *clock, struct lease_pick *p);

/* A queue's loader: reads claimed row id into *job (job_size bytes, zeroed by it) and
 * owns what it puts there; *skip = 1 when the row is gone or no longer to be run (the
 * loader closes it then, as its queue's rules say), with job left empty. */
typedef lc_err (*lease_load_fn)(struct db *db, int64_t id, void *job, int *skip);

/* lease_load loads the nids claimed ids with load into a malloc'd array of job_size jobs:
 * *jobs (NULL when none was loaded) and *n. A load that fails stops there: what was loaded
 * is kept and LC_OK returned (the rest's leases expire and the reaper returns them);
 * the error is returned only when nothing was loaded. LC_ENOMEM without the array (the
 * leases expire likewise). */
lc_err lease_load(struct db *db, const int64_t *ids, size_t nids, size_t job_size,
    lease_load_fn load, void **jobs, size_t *n);

/* lease_claim runs a queue's claim: pick (in one transaction) takes up to max rows
 * (capped at LEASE_CLAIM_MAX) under a lease of lease_seconds from now, then load reads each
 * into a malloc'd array of job_size jobs: *jobs (NULL when none) and *n, owned by the
 * caller. Errors: the transaction's (nothing claimed), or lease_load's. */
lc_err lease_claim(struct core *core, unsigned lease_seconds, unsigned max, lease_pick_fn pick,
    size_t job_size, lease_load_fn load, void **jobs, size_t *n);

#endif
