/* notify.c: approver notifications, gathered per workspace (docs/notifications.md). A
 * notification may, rarely, go out twice (a worker that dies after the relay accepted it
 * is retried): it is a reminder, not outreach, so it is not fenced like outbound mail.
 * The links only show the items; deciding is a POST. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/notify.h"
#include "core/notify_text.h"
#include "core/sending.h"
#include "db/store_notify.h"
#include "util/buf.h"
#include "util/timefmt.h"

#define NOTIFY_MAX_ATTEMPTS 5
#define NOTIFY_TEXT_MAX (64 * 1024)
#define NOTIFY_DUE_ROWS 16 /* due rows one claim looks at to find its workspaces */

struct claim_ctx {
	struct core *core;
	unsigned lease_seconds, interval, max;
	struct notify_job *jobs; /* max slots */
	size_t n;                /* slots holding a job */
	int64_t ws;              /* the workspace claim_tx decides */
	int got;                 /* claim_tx filled jobs[n] */
};

static lc_err compose(
    struct core *, const struct db_rows *, const struct db_rows *, struct notify_job *);
static lc_err claim_workspace(struct db *, struct claim_ctx *, int64_t, int64_t);
static lc_err claim_tx(struct db *, void *);
static void notify_jobs_free_one(struct notify_job *);

lc_err
notify_queue_tx(struct db *db, int64_t workspace_id, int64_t msg_id)
{
	char now[TIME_SQL_LEN];

	sqltime_format(now_ms(), now);
	return store_notify_insert(db, workspace_id, msg_id, now);
}

/* compose writes the subject, the text and the recipients of the email listing the live
 * rows of r (those still awaiting approval, in order) into j. */
static lc_err
compose(struct core *core, const struct db_rows *r, const struct db_rows *approvers,
    struct notify_job *j)
{
	struct notify_item *items;
	struct buf t;
	size_t i, n = 0;
	lc_err e;

	if ((items = calloc(r->nrows, sizeof(*items))) == NULL)
		return LC_ENOMEM;
	for (i = 0; i < r->nrows; i++) {
		if (db_i64(r, i, NT_COL_MSG_STATUS) != MS_AWAITING_APPROVAL)
			continue;
		items[n].kind = (unsigned)db_i64(r, i, NT_COL_KIND);
		items[n].to = db_str(r, i, NT_COL_TO);
		items[n].campaign = db_str(r, i, NT_COL_CAMPAIGN);
		items[n].subject = db_str(r, i, NT_COL_SUBJECT);
		items[n].body = db_str(r, i, NT_COL_BODY);
		items[n].msg_public = db_str(r, i, NT_COL_MSG_PUBLIC);
		n++;
	}
	buf_init(&t, NOTIFY_TEXT_MAX);
	e = notify_text_body(core->public_url, db_str(r, 0, NT_COL_WS_PUBLIC),
	    db_str(r, 0, NT_COL_WS_NAME), items, n, &t);
	if (e == LC_OK && (j->subject = malloc(NOTIFY_SUBJECT_MAX)) == NULL)
		e = LC_ENOMEM;
	if (e == LC_OK)
		notify_text_subject(db_str(r, 0, NT_COL_WS_NAME), items, n, j->subject);
	free(items);
	if (e != LC_OK) {
		buf_free(&t);
		return e;
	}
	j->text = t.data; /* the job owns it now */
	if ((j->rcpts = calloc(approvers->nrows, sizeof(*j->rcpts))) == NULL)
		return LC_ENOMEM;
	for (i = 0; i < approvers->nrows; i++) {
		if ((j->rcpts[i] = strdup(db_str(approvers, i, 0))) == NULL)
			return LC_ENOMEM;
		j->nrcpts++;
	}
	return LC_OK;
}

/* claim_workspace decides one workspace under its gate's lock: still in its interval,
 * its due items wait for the interval's end; else every due item still waiting goes
 * into one job (ctx->jobs[ctx->n]) and the next interval starts now. Items no longer
 * waiting are closed; when none is left, nothing is mailed and the gate stays open. */
static lc_err
claim_workspace(struct db *db, struct claim_ctx *ctx, int64_t ws, int64_t now)
{
	char now_sql[TIME_SQL_LEN], lease[TIME_SQL_LEN], next[TIME_SQL_LEN];
	struct db_rows gate, r, approvers;
	int64_t *live = NULL, *dead = NULL;
	size_t i, nlive = 0, ndead = 0;
	unsigned attempts = 0;
	lc_err e;

	sqltime_format(now, now_sql);
	sqltime_format(now + (int64_t)ctx->lease_seconds * 1000, lease);
	sqltime_format(now + (int64_t)ctx->interval * 1000, next);
	if ((e = store_notify_gate_lock(db, ws, now_sql, &gate)) != LC_OK)
		return e;
	if (gate.nrows == 1 && db_i64(&gate, 0, NG_COL_CLOSED) == 1) {
		/* moved once per look, not read again until the interval ends */
		e = store_notify_postpone(db, ws, db_str(&gate, 0, NG_COL_NEXT));
		db_rows_free(&gate);
		return e;
	}
	db_rows_free(&gate);
	if ((e = store_notify_pending(
	         db, ws, now_sql, ctx->interval ? STORE_NOTIFY_BATCH_MAX : 1, &r)) != LC_OK)
		return e;
	if (r.nrows == 0) {
		db_rows_free(&r);
		return LC_OK;
	}
	live = calloc(r.nrows, sizeof(*live));
	dead = calloc(r.nrows, sizeof(*dead));
	if (live == NULL || dead == NULL) {
		e = LC_ENOMEM;
		goto out;
	}
	for (i = 0; i < r.nrows; i++) {
		if (db_i64(&r, i, NT_COL_MSG_STATUS) == MS_AWAITING_APPROVAL) {
			unsigned a = (unsigned)db_i64(&r, i, NT_COL_ATTEMPTS);
			live[nlive++] = db_i64(&r, i, NT_COL_ID);
			attempts = a > attempts ? a : attempts;
		} else {
			dead[ndead++] = db_i64(&r, i, NT_COL_ID);
		}
	}
	/* decided (or gone) before anyone had to be told */
	if (ndead > 0 && (e = store_notify_done(
	                      db, dead, ndead, 2, NULL, "no longer waiting", now_sql)) != LC_OK)
		goto out;
	if (nlive == 0)
		goto out;
	if ((e = store_notify_approvers(db, ws, &approvers)) != LC_OK)
		goto out;
	if (approvers.nrows == 0) {
		e = store_notify_done(
		    db, live, nlive, 4, NULL, "the workspace has no approvers", now_sql);
	} else if ((e = store_notify_claim(db, live, nlive, lease)) == LC_OK &&
	           (e = store_notify_gate_set(db, ws, next, now_sql)) == LC_OK) {
		struct notify_job *j = &ctx->jobs[ctx->n];

		ctx->got = 1;
		j->ids = live;
		j->nids = nlive;
		live = NULL;
		j->attempts = attempts + 1;
		e = compose(ctx->core, &r, &approvers, j);
	}
	db_rows_free(&approvers);
out:
	free(live);
	free(dead);
	db_rows_free(&r);
	return e;
}

/* claim_tx decides one workspace (ctx->ws) in a transaction of its own, whose first
 * statement locks the workspace's gate: what it reads next is read after every claim
 * another worker made of the workspace (REPEATABLE READ takes its snapshot at the first
 * plain read, which comes after the lock). Its job, if any, is ctx->jobs[ctx->n]. */
static lc_err
claim_tx(struct db *db, void *arg)
{
	struct claim_ctx *ctx = arg;
	struct notify_job *slot = &ctx->jobs[ctx->n];

	/* a retried transaction starts from an empty slot */
	notify_jobs_free_one(slot);
	ctx->got = 0;
	return claim_workspace(db, ctx, ctx->ws, now_ms());
}

lc_err
notify_claim(struct core *core, unsigned lease_seconds, unsigned interval_seconds, unsigned max,
    struct notify_job **jobs, size_t *n)
{
	struct claim_ctx ctx = {core, lease_seconds, interval_seconds, max, NULL, 0, 0, 0};
	char now_sql[TIME_SQL_LEN];
	struct db_rows ws;
	size_t i, k;
	lc_err e;

	*jobs = NULL;
	*n = 0;
	sqltime_format(now_ms(), now_sql);
	if ((e = store_notify_due_workspaces(core->db, now_sql, NOTIFY_DUE_ROWS, &ws)) != LC_OK)
		return e;
	if (ws.nrows == 0 || max == 0) {
		db_rows_free(&ws);
		return LC_OK;
	}
	if ((ctx.jobs = calloc(max, sizeof(*ctx.jobs))) == NULL) {
		db_rows_free(&ws);
		return LC_ENOMEM;
	}
	for (i = 0; i < ws.nrows && ctx.n < max; i++) {
		ctx.ws = db_i64(&ws, i, ND_COL_WS);
		/* gathering: one look per workspace takes all its due items at once; one item
		 * per email (interval 0): the workspace's next item is the next job */
		for (k = 0; ctx.interval > 0 && k < i; k++)
			if (db_i64(&ws, k, ND_COL_WS) == ctx.ws)
				break;
		if (ctx.interval > 0 && k < i)
			continue;
		if (db_i64(&ws, i, ND_COL_CLOSED) == 1) {
			/* still in its interval: its items wait for the end, and are not looked at
			 * again before; no lock is needed to move them there, nothing may mail
			 * them sooner */
			if ((e = store_notify_postpone(
			         core->db, ctx.ws, db_str(&ws, i, ND_COL_NEXT))) != LC_OK)
				break;
			continue;
		}
		if ((e = db_tx(core->db, claim_tx, &ctx)) != LC_OK) {
			/* this workspace's claim was rolled back; the jobs already claimed (and
			 * committed) are still to be sent */
			notify_jobs_free_one(&ctx.jobs[ctx.n]);
			break;
		}
		if (ctx.got)
			ctx.n++;
	}
	db_rows_free(&ws);
	if (e != LC_OK && ctx.n == 0) {
		free(ctx.jobs);
		return e;
	}
	*jobs = ctx.jobs;
	*n = ctx.n;
	return LC_OK;
}

/* notify_jobs_free_one frees what one job holds and leaves it empty. */
static void
notify_jobs_free_one(struct notify_job *j)
{
	size_t k;

	for (k = 0; k < j->nrcpts; k++)
		free(j->rcpts[k]);
	free(j->rcpts);
	free(j->ids);
	free(j->subject);
	free(j->text);
	memset(j, 0, sizeof(*j));
}

void
notify_jobs_free(struct notify_job *jobs, size_t n)
{
	size_t i;

	for (i = 0; jobs && i < n; i++)
		notify_jobs_free_one(&jobs[i]);
	free(jobs);
}

lc_err
notify_done(struct core *core, const struct notify_job *job, int delivered, const char *error)
{
	char now[TIME_SQL_LEN], due[TIME_SQL_LEN];

	sqltime_format(now_ms(), now);
	if (delivered)
		return store_notify_done(core->db, job->ids, job->nids, 2, NULL, NULL, now);
	if (job->attempts >= NOTIFY_MAX_ATTEMPTS)
		return store_notify_done(core->db, job->ids, job->nids, 3, NULL, error, now);
	sqltime_format(now_ms() + (int64_t)job->attempts * 5 * 60 * 1000, due);
	return store_notify_done(core->db, job->ids, job->nids, 0, due, error, now);
}

lc_err
notify_reap(struct core *core)
{
	char now[TIME_SQL_LEN];

	sqltime_format(now_ms(), now);
	return store_notify_reap(core->db, now);
}
