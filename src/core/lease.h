/* lease.h: what every leased queue's claim shares in core (the webhook outbox, the
 * placement checks): the claim's clock — now and when the lease ends, as the store's
 * time text —, leasing the due rows a queue picked in one statement, and reading the rows
 * a claim took in one statement into owned jobs. Which rows are due, and in which order,
 * stays with each queue: its pick transaction. */
#ifndef LC_LEASE_H
#define LC_LEASE_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

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
 * reads its due rows (FOR UPDATE SKIP LOCKED) and passes them to lease_take_batch. */
typedef lc_err (*lease_pick_fn)(struct db *db, void *pick);

/* A queue's store call that puts the n rows of ids under a lease ending at until in one
 * statement; LC_ERETRY when one of them is no longer free (the pick transaction is then
 * run again, as db_tx does with a retry). */
typedef lc_err (*lease_mark_batch_fn)(
    struct db *db, const int64_t *ids, size_t n, const char *until);

/* lease_take_batch takes up to p->max ids of due (its first column is the row id) into p
 * and leases them with mark in one statement; it frees due. Errors: mark's, with p->n 0
 * (the caller's transaction rolls back). */
lc_err lease_take_batch(
    struct db *db, struct db_rows *due, lease_mark_batch_fn mark, struct lease_pick *p);

/* A queue's store call that reads the claimed rows of ids (n of them) in one statement: one
 * row each that still exists, in any order, the row id its first column. */
typedef lc_err (*lease_get_fn)(struct db *db, const int64_t *ids, size_t n, struct db_rows *out);

/* A queue's loader: reads row k of rows (a claimed row) into *job (job_size bytes, zeroed)
 * and owns what it puts there; *skip = 1 when the row is no longer to be run (the loader
 * closes it then, as its queue's rules say), with job left empty. */
typedef lc_err (*lease_row_fn)(
    struct db *db, const struct db_rows *rows, size_t k, void *job, int *skip);

/* lease_claim runs a queue's claim: pick (in one transaction) takes up to max rows
 * (capped at LEASE_CLAIM_MAX) under a lease of lease_seconds from now, get reads them in
 * one statement and load makes each a job, in the order claimed, into a malloc'd array of
 * job_size jobs: *jobs (NULL when none) and *n, owned by the caller. A row gone since its
 * claim is skipped. A load that fails ends the batch there: what was loaded is kept and
 * LC_OK returned (the rest's leases expire and the reaper returns them). Errors: the
 * transaction's (nothing claimed); get's, LC_ENOMEM, or the first load's (the leases
 * expire likewise). */
lc_err lease_claim(struct core *core, unsigned lease_seconds, unsigned max, lease_pick_fn pick,
    lease_get_fn get, size_t job_size, lease_row_fn load, void **jobs, size_t *n);

#endif
