/* campaign_settle.c: a campaign's messages follow its status in batches.
 *
 * Cancelling a campaign with 50,000 held messages in one transaction took 13-22 s and
 * held the workspace row (credits, data version) the whole time, so every other write of
 * the workspace waited. Now the state change settles SETTLE_ANSWER messages in its own
 * transaction and leaves a marker row (sql/030) for the rest; the worker settles SETTLE_BATCH
 * messages a transaction until none is left. Each batch writes the workspace row last (one credit
 * update for the batch, then the events that need it), so another writer waits at most
 * for the end of one batch. What may not happen meanwhile cannot: the claim reads the
 * campaign's status and cancels (or holds) instead of sending (delivery.c), so a message
 * of a cancelled campaign is never sent while it waits for its batch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/settle.h"
#include "db/store_outbox.h"
#include "db/store_settle.h"
#include "util/log.h"
#include "util/timefmt.h"

/* An awaiting-approval message cancelled in the batch: its approval_rejected event is
 * recorded after the workspace's credits move. */
struct rejected {
	int64_t relationship_id;
	char public_id[ID_MAX];
};

struct release {
	int64_t workspace_id, campaign_id, credits;
	size_t n;
	struct rejected rej[SETTLE_BATCH_EVENTS];
	unsigned nrej;
};

struct step_ctx {
	int did;
};

static lc_err release_ids(struct db *, struct release *, const int64_t *, size_t, const char *);
static lc_err release_batch(struct db *, int64_t, int64_t, unsigned, int *);
static lc_err move_batch(struct db *, int64_t, const unsigned *, size_t, unsigned, unsigned, int *);
static lc_err step_tx(struct db *, void *);

/* release_ids cancels the (locked) messages ids[0..n) that are still open, writes a
 * ledger row for each reservation, moves each invocation, and notes the ones that were
 * awaiting approval. */
static lc_err
release_ids(struct db *db, struct release *rl, const int64_t *ids, size_t n, const char *now)
{
	const unsigned open = (1u << MS_AWAITING_APPROVAL) | (1u << MS_SCHEDULED) |
	                      (1u << MS_HELD) | (1u << MS_DEFERRED);
	struct db_rows r;
	struct out_message m;
	uint64_t changed;
	size_t i;
	lc_err e;

	if ((e = store_msg_get_batch(db, ids, n, &r)) != LC_OK)
		return e;
	for (i = 0; i < r.nrows && e == LC_OK; i++) {
		out_message_from_row(&r, i, &m);
		changed = 0;
		if ((e = store_msg_set_status(db, m.id, open, MS_CANCELLED, NULL, "campaign ended",
		         now, &changed)) != LC_OK ||
		    changed != 1)
			continue;
		rl->n++;
		if (m.credits_reserved > 0 && m.credits_charged == 0) {
			if ((e = store_credit_release_row(
			         db, m.workspace_id, m.credits_reserved, m.id, now)) != LC_OK)
				break;
			rl->credits += m.credits_reserved;
		}
		if (m.status == MS_AWAITING_APPROVAL && rl->nrej < SETTLE_BATCH_EVENTS) {
			rl->rej[rl->nrej].relationship_id = m.relationship_id;
			snprintf(rl->rej[rl->nrej].public_id, ID_MAX, "%s", m.public_id);
			rl->nrej++;
		}
		e = outbox_inv_set(db, &m, inv_status_of(MS_CANCELLED), 0, NULL, now);
	}
	db_rows_free(&r);
	return e;
}

/* release_batch cancels up to batch open messages of an ended campaign (held first, then
 * scheduled, deferred, and at most SETTLE_BATCH_EVENTS awaiting approval). */
static lc_err
release_batch(struct db *db, int64_t campaign_id, int64_t workspace_id, unsigned batch, int *more)
{
	static const unsigned order[] = {MS_HELD, MS_SCHEDULED, MS_DEFERRED, MS_AWAITING_APPROVAL};
	struct release *rl;
	char now[TIME_SQL_LEN];
	int64_t ids[STORE_BATCH_MAX];
	size_t k, i, j, room = batch;
	int ok = 0;
	lc_err e = LC_OK;

	*more = 0;
	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return LC_ENOMEM;
	rl->workspace_id = workspace_id;
	rl->campaign_id = campaign_id;
	sqltime_format(now_ms(), now);
	for (k = 0; k < sizeof(order) / sizeof(order[0]) && e == LC_OK && room > 0; k++) {
		unsigned limit = order[k] == MS_AWAITING_APPROVAL && room > SETTLE_BATCH_EVENTS
		                     ? SETTLE_BATCH_EVENTS
		                     : (unsigned)room;
		struct db_rows r;

		if ((e = store_msg_open_batch(db, campaign_id, order[k], limit + 1, &r)) != LC_OK)
			break;
		if (r.nrows > limit)
			*more = 1; /* one more than the batch takes is waiting */
		for (i = 0; i < r.nrows && i < limit && e == LC_OK; i += j) {
			for (j = 0; j < STORE_BATCH_MAX && i + j < r.nrows && i + j < limit; j++)
				ids[j] = db_i64(&r, i + j, 0);
			e = release_ids(db, rl, ids, j, now);
		}
		room -= r.nrows < limit ? r.nrows : limit;
		db_rows_free(&r);
		if (room == 0 && k + 1 < sizeof(order) / sizeof(order[0]))
			*more = 1;
	}
	/* the workspace row last: one credit move for the batch, then the events */
	if (e == LC_OK && rl->credits > 0) {
		if ((e = store_credit_release_sum(db, workspace_id, rl->credits, &ok)) == LC_OK &&
		    !ok) {
			log_msg(LOG_ERROR, "credit release of a settle batch found no workspace");
			e = LC_EDB;
		}
	}
	for (i = 0; e == LC_OK && i < rl->nrej; i++) {
		struct event_in ev;

		memset(&ev, 0, sizeof(ev));
		ev.type = EV_APPROVAL_REJECTED;
		ev.workspace_id = workspace_id;
		ev.campaign_id = campaign_id;
		ev.relationship_id = rl->rej[i].relationship_id;
		ev.message_id = rl->rej[i].public_id;
		ev.at_ms = now_ms();
		e = events_record(db, &ev, NULL);
	}
	free(rl);
	return e;
}

/* move_batch moves up to batch messages from the statuses from[] to status to. */
static lc_err
move_batch(struct db *db, int64_t campaign_id, const unsigned *from, size_t nfrom, unsigned to,
    unsigned batch, int *more)
{
	char now[TIME_SQL_LEN];
	uint64_t n, room = batch;
	size_t k;
	lc_err e;

	*more = 0;
	sqltime_format(now_ms(), now);
	for (k = 0; k < nfrom && room > 0; k++) {
		n = 0;
		if ((e = store_msg_move_batch(
		         db, campaign_id, from[k], to, (unsigned)room, now, &n)) != LC_OK)
			return e;
		room -= n < room ? n : room;
	}
	*more = room == 0; /* a full batch: look again */
	return LC_OK;
}

lc_err
campaign_settle_tx(struct db *db, int64_t campaign_id, int64_t workspace_id, unsigned status,
    unsigned batch, int *more)
{
	static const unsigned to_hold[] = {MS_SCHEDULED, MS_DEFERRED};
	static const unsigned to_release[] = {MS_HELD};

	*more = 0;
	if (batch == 0 || batch > SETTLE_BATCH)
		return LC_EINVAL;
	switch (status) {
	case CSTATUS_CANCELLED:
	case CSTATUS_COMPLETED: return release_batch(db, campaign_id, workspace_id, batch, more);
	case CSTATUS_PAUSED: return move_batch(db, campaign_id, to_hold, 2, MS_HELD, batch, more);
	case CSTATUS_ACTIVE:
	case CSTATUS_DRAFT: /* a paused draft resumes as a draft (it holds nothing it drafted) */
		return move_batch(db, campaign_id, to_release, 1, MS_SCHEDULED, batch, more);
	default: *more = 0; return LC_OK;
	}
}

lc_err
campaign_settle_arm_tx(struct db *db, int64_t campaign_id, int64_t workspace_id)
{
	char now[TIME_SQL_LEN];

	sqltime_format(now_ms(), now);
	return store_settle_arm(db, campaign_id, workspace_id, now);
}

/* step_tx: the campaign first, then its marker (the order a state change takes them in),
 * then one batch; the marker goes when nothing is left, else it moves behind the others. */
static lc_err
step_tx(struct db *db, void *arg)
{
	struct step_ctx *ctx = arg;
	char now[TIME_SQL_LEN];
	struct db_rows r;
	int64_t campaign_id, workspace_id;
	unsigned status;
	int more = 0;
	lc_err e;

	ctx->did = 0;
	sqltime_format(now_ms(), now);
	if ((e = store_settle_next(db, now, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_OK;
	}
	campaign_id = db_i64(&r, 0, 0);
	workspace_id = db_i64(&r, 0, 1);
	db_rows_free(&r);
	if ((e = store_campaign_status_lock(db, campaign_id, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		ctx->did = 1;
		return store_settle_done(db, campaign_id); /* the campaign is gone */
	}
	status = (unsigned)db_i64(&r, 0, 0);
	db_rows_free(&r);
	if ((e = store_settle_lock(db, campaign_id, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_OK; /* another worker holds it, or it was just finished */
	}
	db_rows_free(&r);
	ctx->did = 1;
	if ((e = campaign_settle_tx(db, campaign_id, workspace_id, status, SETTLE_BATCH, &more)) !=
	    LC_OK)
		return e;
	return more ? store_settle_again(db, campaign_id, now) : store_settle_done(db, campaign_id);
}

lc_err
campaign_settle_step(struct core *core, int *did)
{
	struct step_ctx ctx = {0};
	lc_err e;

	*did = 0;
	e = db_tx(core->db, step_tx, &ctx);
	if (e == LC_OK)
		*did = ctx.did;
	return e;
}
