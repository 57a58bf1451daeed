/* counts.h: the counts linkcamp keeps instead of counting rows on every request (list
 * totals, the CRM's, the campaign funnel, the approval queue) and the credits kept beside
 * their ledger, checked against the rows they count and, when asked, set to what the rows say
 * (docs/architecture.md, "Kept counts repaired"). */
#ifndef LC_COUNTS_H
#define LC_COUNTS_H

#include <stdint.h>

#include "core/core.h"

/* One kept count that differs from its rows. */
struct count_drift {
	const char *workspace; /* the workspace's public id */
	char where[64];        /* the campaign's public id; "" for the workspace's own */
	char what[64];         /* the count, e.g. "sent_count", "campaigns serp/active" */
	int64_t kept, counted;
};

typedef void (*count_drift_fn)(void *arg, const struct count_drift *d);

/* counts_check compares every kept count of the workspace ws_public (NULL: every
 * workspace) with its rows, each workspace in one transaction, so that counts and rows
 * are read at one moment and a write in progress is never taken for a difference. With
 * repair != 0 it sets the counts that differ to what the rows say in that transaction,
 * their rows locked first, and moves the workspace's data version (no cached answer
 * keeps an old count); safe while the programs run: a writer that would move a count
 * waits until the repair commits, and moves it from the repaired value. fn (may be NULL)
 * is called for each difference after its workspace's transaction ended; *nws and
 * *ndrift receive how many workspaces were read and how many counts differed.
 * Errors: LC_ENOTFOUND (no workspace ws_public), the store's. */
lc_err counts_check(struct core *core, const char *ws_public, int repair, count_drift_fn fn,
    void *arg, unsigned *nws, unsigned *ndrift);

#endif
