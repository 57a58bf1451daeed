/* lease.h: the parts every leased queue's claim shares in core (the webhook outbox, the
 * placement checks): the claim's clock — now and when the lease ends, as the store's
 * time text — and loading the rows a claim took into owned jobs. The claim's own
 * transaction (which rows, in which order) stays with its queue. */
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

#endif
