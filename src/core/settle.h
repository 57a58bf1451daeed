/* settle.h: bringing a campaign's messages in line with its status after a state change,
 * in batches (docs/sending.md, "Ending or pausing a big campaign"). */
#ifndef LC_SETTLE_H
#define LC_SETTLE_H

#include "core/sending.h"

/* Messages a worker's transaction settles; messages the state change's own transaction
 * settles (a bulk pause runs up to 50 transitions in one request); awaiting-approval
 * messages a transaction takes (each is an approval_rejected event with its counters). */
#define SETTLE_BATCH 500
#define SETTLE_ANSWER 100
#define SETTLE_BATCH_EVENTS 50

/* campaign_settle_tx settles up to batch (1..SETTLE_BATCH) messages of the campaign
 * (locked by the caller, in the caller's transaction) to status: cancelled or completed cancel
 * messages that were never handed to SMTP (awaiting approval, scheduled, held, deferred) and
 * release their credits (one ledger row each, the workspace's reserved credits moved once,
 * after the messages); paused holds scheduled and deferred ones; active schedules held
 * ones again. The workspace row is written last. *more is 1 when messages may be left. */
lc_err campaign_settle_tx(struct db *db, int64_t campaign_id, int64_t workspace_id, unsigned status,
    unsigned batch, int *more);

/* campaign_settle_arm_tx leaves a marker for the worker to settle the rest. */
lc_err campaign_settle_arm_tx(struct db *db, int64_t campaign_id, int64_t workspace_id);

/* campaign_settle_step runs one batch of the campaign that has waited longest, in its own
 * transaction (the worker's settler loop). *did is 1 when a batch ran, 0 when nothing was
 * due or another worker holds it. A batch cut short rolls back and is run again. */
lc_err campaign_settle_step(struct core *core, int *did);

#endif
