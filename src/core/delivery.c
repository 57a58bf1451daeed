/* delivery.c: the worker's side of the outbox. Claims are short transactions with
 * FOR UPDATE SKIP LOCKED, a lease and a fencing token; every later write names the fence,
 * so a worker whose lease was taken over changes nothing. A message whose DATA phase had
 * begun when its worker vanished becomes "unknown" — never sent twice automatically. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/delivery.h"
#include "core/health.h"
#include "core/mailbox.h"
#include "core/notify.h"
#include "core/pacing.h"
#include "core/suppressions.h"
#include "db/store_credits.h"
#include "db/store_outbox.h"
#include "db/store_sending.h"
#include "db/store_batch.h"
#include "db/store_pacing.h"
#include "util/log.h"
#include "util/timefmt.h"

#define CLAIM_MAX STORE_BATCH_MAX /* one batch statement names them all */
_Static_assert(DELIVERY_RECORD_MAX == STORE_BATCH_MAX, "a record is one batch of statements");
#define DEFER_LIMIT_MS (INT64_C(5) * 86400 * 1000)

struct claim_ctx {
	const char *owner;
	unsigned lease_seconds, max;
	struct delivery_job *jobs;
	size_t n;
};

struct record_ctx {
	const struct delivery_job *jobs;
	const struct delivery_result *results;
	size_t n;
};

static char *dup_or_null(const char *);
static lc_err job_from(const struct out_message *, uint64_t, struct delivery_job *);
static lc_err claim_tx(struct db *, void *);
static lc_err stale_tx(struct db *, const struct out_message *, int64_t, const char *);
static lc_err pace_hold(
    struct db *, const struct out_message *, const struct pacing_verdict *, const char *);
static lc_err record_failure(
    struct db *, const struct out_message *, const struct delivery_result *, int64_t);
static lc_err record_sent(struct db *, struct out_message *const *, size_t, int64_t);
static lc_err record_tx(struct db *, void *);
static lc_err record_health(
    struct db *, const struct record_ctx *, struct out_message *const *, size_t);
static void sort_ids(int64_t *, unsigned *, size_t);
static lc_err reap_tx(struct db *, void *);
static lc_err return_tx(struct db *, void *);
static int64_t backoff_ms(unsigned);
static const char *outcome_name(enum delivery_outcome);

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static const char *
outcome_name(enum delivery_outcome o)
{
	switch (o) {
	case DELIVERY_SENT: return "sent";
	case DELIVERY_TEMPFAIL: return "temporary failure";
	case DELIVERY_PERMFAIL: return "permanent failure";
	case DELIVERY_UNKNOWN: return "unknown";
	}
	return "?";
}

static int64_t
backoff_ms(unsigned attempts)
{
	static const int64_t steps[] = {60, 300, 900, 3600, 7200, 14400, 21600};
	size_t i = attempts > 0 ? attempts - 1 : 0;

	if (i >= sizeof(steps) / sizeof(steps[0]))
		i = sizeof(steps) / sizeof(steps[0]) - 1;
	return steps[i] * 1000;
}

static lc_err
job_from(const struct out_message *m, uint64_t fence, struct delivery_job *j)
{
	memset(j, 0, sizeof(*j));
	j->id = m->id;
	j->fence = fence;
	snprintf(j->public_id, sizeof(j->public_id), "%s", m->public_id);
	j->from = dup_or_null(m->from);
	j->to = dup_or_null(m->to);
	j->to_name = dup_or_null(m->to_name);
	j->subject = dup_or_null(m->subject);
	j->body = dup_or_null(m->body);
	j->message_id = dup_or_null(m->message_id);
	j->in_reply_to = dup_or_null(m->in_reply_to);
	j->references = dup_or_null(m->references);
	j->unsubscribe_token = dup_or_null(m->unsubscribe_token);
	j->open_token = m->track_opens ? dup_or_null(m->open_token) : NULL;
	if (!j->from || !j->to || !j->to_name || !j->subject || !j->body || !j->message_id ||
	    !j->unsubscribe_token)
		return LC_ENOMEM;
	return LC_OK;
}

void
delivery_job_clear(struct delivery_job *job)
{
	free(job->from);
	free(job->to);
	free(job->to_name);
	free(job->subject);
	free(job->body);
	free(job->message_id);
	free(job->in_reply_to);
	free(job->references);
	free(job->unsubscribe_token);
	free(job->open_token);
	memset(job, 0, sizeof(*job));
}

void
delivery_jobs_free(struct delivery_job *jobs, size_t n)
{
	size_t i;

	for (i = 0; jobs && i < n; i++)
		delivery_job_clear(&jobs[i]);
	free(jobs);
}

static lc_err
claim_tx(struct db *db, void *arg)
{
	const unsigned ended_prospect = (1u << REL_REPLIED) | (1u << REL_LINK_PLACED) |
	                                (1u << REL_BOUNCED) | (1u << REL_UNSUBSCRIBED) |
	                                (1u << REL_DECLINED);
	struct claim_ctx *ctx = arg;
	char now[TIME_SQL_LEN], lease[TIME_SQL_LEN];
	int64_t t = now_ms(), due[CLAIM_MAX], claim[CLAIM_MAX], claim_mailbox[CLAIM_MAX];
	struct mailbox_route route;
	struct pacing_verdict pace;
	size_t claim_row[CLAIM_MAX], ndue, nclaim = 0, i;
	struct db_rows ids, r;
	struct out_message m;
	uint64_t n = 0;
	int changed;
	lc_err e;

	delivery_jobs_free(ctx->jobs, ctx->n); /* a retried transaction starts over */
	ctx->jobs = NULL;
	ctx->n = 0;
	sqltime_format(t, now);
	sqltime_format(t + (int64_t)ctx->lease_seconds * 1000, lease);
	if ((e = store_msg_due(db, now, ctx->max, &ids)) != LC_OK)
		return e;
	for (ndue = 0; ndue < ids.nrows && ndue < CLAIM_MAX; ndue++)
		due[ndue] = db_i64(&ids, ndue, 0);
	db_rows_free(&ids);
	if (ndue == 0)
		return LC_OK;
	/* the due query locked these rows: one read of them all, one claim of the sendable */
	if ((e = store_msg_read_for_claim(db, due, ndue, &r)) != LC_OK)
		return e;
	for (i = 0; i < r.nrows && e == LC_OK; i++) {
		out_message_from_row(&r, i, &m);
		if (m.campaign_status == CSTATUS_PAUSED) {
			/* held without a pacing reason: only the campaign's resume releases it */
			e = store_msg_hold(db, m.id, 0, NULL, NULL, now, &n);
		} else if (m.campaign_status == CSTATUS_CANCELLED ||
		           m.campaign_status == CSTATUS_COMPLETED) {
			e = outbox_release_tx(db, &m, MS_CANCELLED, "campaign ended", 0, &changed);
		} else if (m.suppressed) {
			e = suppression_claim_tx(db, &m, &changed);
		} else if (m.kind == MSG_FOLLOW_UP &&
		           ((1u << m.relationship_status) & ended_prospect) != 0) {
			e = outbox_release_tx(
			    db, &m, MS_CANCELLED, "the prospect answered or left", 0, &changed);
		} else if (m.attempts == 0 && m.status != MS_HELD &&
		           m.schedule_ms < t - (int64_t)m.max_lateness_hours * 3600 * 1000) {
			/* (a message pacing held was on time when it fell due: it never goes stale)
			 */
			e = stale_tx(db, &m, t, now);
		} else if ((e = mailbox_route_tx(db, &m, t, &route)) != LC_OK) {
			break;
		} else if (route.kind == ROUTE_HELD) {
			/* its mailbox is paused: held until the mailbox is resumed */
			e = store_msg_hold(
			    db, m.id, PACE_MAILBOX_PAUSED, NULL, route.held_reason, now, &n);
		} else if (route.kind == ROUTE_MAILBOX &&
		           (e = pacing_claim_tx(db, &m, route.mailbox_id, t, &pace)) != LC_OK) {
			break;
		} else if (route.kind == ROUTE_MAILBOX && pace.reason != PACE_OK) {
			e = pace_hold(db, &m, &pace, now);
		} else {
			claim_mailbox[nclaim] = route.mailbox_id;
			claim[nclaim] = m.id;
			claim_row[nclaim++] = i;
		}
	}
	if (e == LC_OK && nclaim > 0 &&
	    (e = store_msg_claim_batch(db, claim, nclaim, ctx->owner, lease, now, &n)) == LC_OK &&
	    n != nclaim)
		e = LC_ERETRY; /* another Galera node claimed one first (locks are node-local) */
	if (e == LC_OK && nclaim > 0 && (ctx->jobs = calloc(nclaim, sizeof(*ctx->jobs))) == NULL)
		e = LC_ENOMEM;
	for (i = 0; e == LC_OK && i < nclaim; i++) {
		out_message_from_row(&r, claim_row[i], &m);
		e = job_from(&m, m.fence + 1, &ctx->jobs[ctx->n]); /* the claim moved the fence */
		ctx->jobs[ctx->n].mailbox_id = claim_mailbox[i];
		ctx->n++;
	}
	db_rows_free(&r);
	return e;
}

/* pace_hold holds m until its mailbox's next slot (docs/mailboxes.md, "Pacing"); a
 * verdict without a slot (a window of no days, a zone that cannot be read) holds it
 * until the mailbox changes or is resumed. */
static lc_err
pace_hold(
    struct db *db, const struct out_message *m, const struct pacing_verdict *v, const char *now)
{
	char slot[TIME_SQL_LEN], why[120];
	uint64_t n = 0;
	unsigned reason = v->reason;

	if (v->next_slot_ms < 0) {
		/* not claimable again by itself: a pacing reason without a slot would be claimed
		 * at every poll */
		reason = PACE_MAILBOX_ERROR;
		snprintf(why, sizeof(why), "held: its mailbox has no send slot (%s)",
		    pacing_reason_name(v->reason));
		return store_msg_hold(db, m->id, reason, NULL, why, now, &n);
	}
	sqltime_format(v->next_slot_ms, slot);
	snprintf(why, sizeof(why), "held: %s", pacing_reason_name(reason));
	return store_msg_hold(db, m->id, reason, slot, why, now, &n);
}

/* stale_tx sends a message approved long ago for a time long past back to approval:
 * a person must look again (SPEC §4). */
static lc_err
stale_tx(struct db *db, const struct out_message *m, int64_t t, const char *now)
{
	struct event_in ev;
	uint64_t n = 0;
	lc_err e;

	if ((e = store_msg_set_status(db, m->id, 1u << MS_SCHEDULED, MS_AWAITING_APPROVAL, NULL,
	         "schedule is stale; approve again", now, &n)) != LC_OK ||
	    (e = store_decision_insert(db, m->id, m->workspace_id, 2, "system",
	         "scheduleAt is more than maxLatenessHours in the past", NULL, NULL, now)) !=
	        LC_OK ||
	    (e = outbox_inv_set(db, m, INV_AWAITING_APPROVAL, 0, NULL, now)) != LC_OK)
		return e;
	message_event(m, EV_APPROVAL_REQUESTED, t, &ev);
	if ((e = events_record(db, &ev, NULL)) != LC_OK)
		return e;
	return notify_queue_tx(db, m->workspace_id, m->id);
}

lc_err
delivery_claim(struct core *core, const char *owner, unsigned lease_seconds, unsigned max,
    struct delivery_job **jobs, size_t *n)
{
	struct claim_ctx ctx = {owner, lease_seconds, max > CLAIM_MAX ? CLAIM_MAX : max, NULL, 0};
	lc_err e;

	*jobs = NULL;
	*n = 0;
	e = db_tx(core->db, claim_tx, &ctx);
	if (e != LC_OK) {
		delivery_jobs_free(ctx.jobs, ctx.n);
		return e;
	}
	*jobs = ctx.jobs;
	*n = ctx.n;
	return LC_OK;
}

struct return_arg {
	const struct delivery_job *job;
	const char *why;
};

static lc_err
return_tx(struct db *db, void *arg)
{
	const struct return_arg *r = arg;
	char now[TIME_SQL_LEN];
	uint64_t n = 0;

	sqltime_format(now_ms(), now);
	return store_msg_result(db, r->job->id, r->job->fence, MS_SCHEDULED, now, r->why, now, &n);
}

lc_err
delivery_return(struct core *core, const struct delivery_job *job, const char *why)
{
	struct return_arg r = {job, why};

	return db_tx(core->db, return_tx, &r);
}

lc_err
delivery_mark_data(struct core *core, const struct delivery_job *job, int *held)
{
	return store_msg_phase(core->db, job->id, job->fence, 1, held);
}

/* record_failure stores an outcome other than "sent" of m, locked and still held under
 * its fence, inside the caller's transaction. */
static lc_err
record_failure(
    struct db *db, const struct out_message *m, const struct delivery_result *res, int64_t t)
{
	char now[TIME_SQL_LEN], due[TIME_SQL_LEN], why[300];
	struct event_in ev;
	uint64_t n = 0;
	int changed = 0;
	lc_err e;

	sqltime_format(t, now);
	/* the server's reply code and enhanced code when there were any ("451 4.3.0 ..."),
	 * else the text alone (no connection, no STARTTLS: nothing came to number it) */
	if (res->code == 0)
		snprintf(why, sizeof(why), "%s", res->text);
	else if (res->enh_class == 0)
		snprintf(why, sizeof(why), "%d %s", res->code, res->text);
	else
		snprintf(why, sizeof(why), "%d %d.%d.%d %s", res->code, res->enh_class,
		    res->enh_subject, res->enh_detail, res->text);
	switch (res->outcome) {
	case DELIVERY_TEMPFAIL:
		if (res->mailbox_auth_failed && res->mailbox_id != 0) {
			/* the mailbox's credentials are wrong: pause it, hold its message */
			snprintf(why, sizeof(why), "held: its mailbox was paused: %s", res->text);
			if ((e = mailbox_auth_failed_tx(db, res->mailbox_id, res->text, t)) !=
			        LC_OK ||
			    (e = store_msg_result(
			         db, m->id, m->fence, MS_HELD, NULL, why, now, &n)) != LC_OK)
				return e;
			return store_msg_hold(db, m->id, PACE_MAILBOX_ERROR, NULL, NULL, now, &n);
		}
		if (t - m->created_ms < DEFER_LIMIT_MS) {
			sqltime_format(t + backoff_ms(m->attempts), due);
			return store_msg_result(
			    db, m->id, m->fence, MS_DEFERRED, due, why, now, &n);
		}
		return outbox_release_tx(db, m, MS_FAILED, why, 1, &changed);
	case DELIVERY_PERMFAIL:
		if ((e = outbox_release_tx(db, m, MS_FAILED, why, 1, &changed)) != LC_OK)
			return e;
		if (res->mailbox_id != 0 && health_policy_refusal(res) &&
		    (e = health_mailbox_refused_tx(db, res->mailbox_id, why, t)) != LC_OK)
			return e; /* 5.7.x: a policy refusal of the mailbox, not of the address */
		if (!health_hard_bounce(res->enh_class, res->enh_subject))
			return health_campaign_outcomes_tx(db, m->campaign_id, 1, 0);
		/* 5.1.x: the address does not exist; never try it again */
		if ((e = store_suppress(db, m->workspace_id, m->to, "hard_bounce", now)) != LC_OK)
			return e;
		message_event(m, EV_EMAIL_BOUNCED, t, &ev);
		if ((e = events_record(db, &ev, NULL)) != LC_OK)
			return e;
		return health_campaign_outcomes_tx(db, m->campaign_id, 1, 1);
	case DELIVERY_UNKNOWN: return outbox_release_tx(db, m, MS_UNKNOWN, why, 1, &changed);
	case DELIVERY_SENT: break;
	}
	return LC_EINVAL;
}

/* record_sent stores the sending of n messages, locked and still held under their
 * fences, in one pass of batch statements: the messages, their invocations, their
 * follow-ups, their events and the capture of their credits. Every sender of a campaign
 * waits for the rows the events and the captures change (the campaign's day aggregate,
 * the workspace's data version and balance), so those come last, just before COMMIT. */
static lc_err
record_sent(struct db *db, struct out_message *const *msgs, size_t n, int64_t t)
{
	char now[TIME_SQL_LEN], event_ids[STORE_BATCH_MAX][ID_MAX];
	struct event_in evs[STORE_BATCH_MAX];
	struct store_inv_done inv[STORE_BATCH_MAX];
	int64_t ids[STORE_BATCH_MAX], ws[STORE_BATCH_MAX], amounts[STORE_BATCH_MAX];
	size_t i, k, ninv = 0, nws = 0;
	uint64_t changed = 0;
	lc_err e;

	sqltime_format(t, now);
	for (i = 0; i < n; i++)
		ids[i] = msgs[i]->id;
	if ((e = store_msg_sent_batch(db, ids, n, now, &changed)) != LC_OK)
		return e;
	if (changed != n)
		return LC_EDB; /* they were checked under lock: cannot happen */
	for (i = 0; i < n; i++) {
		struct out_message *m = msgs[i];

		id_new("evt_", event_ids[i]);
		message_event(m, EV_EMAIL_SENT, t, &evs[i]);
		evs[i].public_id = event_ids[i];
		if (m->invocation_id != 0) {
			inv[ninv].inv_id = m->invocation_id;
			inv[ninv].charged = m->credits_reserved;
			inv[ninv].event_public_id = event_ids[i];
			ninv++;
		}
		m->status = MS_SENT;
		if ((e = drafts_follow_up_tx(db, m, t)) != LC_OK)
			return e;
	}
	if ((ninv > 0 && (e = store_inv_done_batch(db, inv, ninv, INV_COMPLETED, now)) != LC_OK) ||
	    (e = events_record_sent(db, evs, n)) != LC_OK)
		return e;

	/* one capture per workspace (a batch is almost always one), in id order */
	for (i = 0; i < n; i++) {
		for (k = 0; k < nws && ws[k] != msgs[i]->workspace_id; k++)
			;
		if (k == nws)
			ws[nws++] = msgs[i]->workspace_id;
	}
	for (k = 0; k < nws; k++) {
		size_t lowest = k, j, nm = 0;
		int ok = 0;
		int64_t tmp;

		for (j = k + 1; j < nws; j++)
			if (ws[j] < ws[lowest])
				lowest = j;
		tmp = ws[k];
		ws[k] = ws[lowest];
		ws[lowest] = tmp;
		for (i = 0; i < n; i++)
			if (msgs[i]->workspace_id == ws[k] && msgs[i]->credits_reserved > 0) {
				ids[nm] = msgs[i]->id;
				amounts[nm++] = msgs[i]->credits_reserved;
			}
		if (nm == 0)
			continue;
		if ((e = store_credit_capture_batch(db, ws[k], ids, amounts, nm, now, &ok)) !=
		    LC_OK)
			return e;
		if (!ok)
			return LC_EDB;
	}
	return LC_OK;
}

/* record_tx stores the outcomes of a batch: it locks the messages in one statement,
 * keeps those still held under their fences, and records the sent ones together. */
static lc_err
record_tx(struct db *db, void *arg)
{
	struct record_ctx *ctx = arg;
	struct out_message msgs[STORE_BATCH_MAX], *sent[STORE_BATCH_MAX];
	int64_t ids[STORE_BATCH_MAX], t = now_ms();
	struct db_rows r;
	size_t i, j, nsent = 0;
	lc_err e = LC_OK;

	if (ctx->n == 0)
		return LC_OK;
	if (ctx->n > STORE_BATCH_MAX)
		return LC_EINVAL;
	for (i = 0; i < ctx->n; i++)
		ids[i] = ctx->jobs[i].id;
	if ((e = store_msg_lock_batch(db, ids, ctx->n)) != LC_OK ||
	    (e = store_msg_get_batch(db, ids, ctx->n, &r)) != LC_OK)
		return e;
	for (i = 0; i < ctx->n && e == LC_OK; i++) {
		const struct delivery_job *job = &ctx->jobs[i];
		struct out_message *m = &msgs[i];

		for (j = 0; j < r.nrows && db_i64(&r, j, MSG_COL_ID) != job->id; j++)
			;
		if (j == r.nrows)
			continue; /* gone: nothing to record */
		out_message_from_row(&r, j, m);
		if (m->status != MS_SENDING || m->fence != job->fence) {
			log_msg(LOG_WARN,
			    "lease of %s was lost; its outcome (%s, SMTP %d) was not recorded",
			    job->public_id, outcome_name(ctx->results[i].outcome),
			    ctx->results[i].code);
			continue;
		}
		if (ctx->results[i].outcome == DELIVERY_SENT)
			sent[nsent++] = m;
		else
			e = record_failure(db, m, &ctx->results[i], t);
	}
	if (e == LC_OK && nsent > 0)
		e = record_sent(db, sent, nsent, t);
	if (e == LC_OK && nsent > 0)
		e = record_health(db, ctx, sent, nsent);
	db_rows_free(&r);
	return e;
}

/* record_health counts the sends of the batch on their campaigns' last 20 and clears the
 * policy refusals of the mailboxes that sent (core/health.c); campaigns and mailboxes in
 * id order, after everything else, like the captures. */
static lc_err
record_health(
    struct db *db, const struct record_ctx *ctx, struct out_message *const *sent, size_t nsent)
{
	int64_t ids[STORE_BATCH_MAX];
	unsigned counts[STORE_BATCH_MAX];
	size_t i, k, n = 0;
	lc_err e;

	for (i = 0; i < nsent; i++) {
		for (k = 0; k < n && ids[k] != sent[i]->campaign_id; k++)
			;
		if (k == n) {
			ids[n] = sent[i]->campaign_id;
			counts[n++] = 0;
		}
		counts[k]++;
	}
	sort_ids(ids, counts, n);
	for (k = 0; k < n; k++)
		if ((e = health_campaign_outcomes_tx(db, ids[k], counts[k], 0)) != LC_OK)
			return e;
	n = 0;
	for (i = 0; i < ctx->n; i++) {
		if (ctx->results[i].outcome != DELIVERY_SENT || ctx->jobs[i].mailbox_id == 0)
			continue;
		for (k = 0; k < n && ids[k] != ctx->jobs[i].mailbox_id; k++)
			;
		if (k == n) {
			counts[n] = 0;
			ids[n++] = ctx->jobs[i].mailbox_id;
		}
	}
	sort_ids(ids, counts, n);
	for (k = 0; k < n; k++)
		if ((e = health_mailbox_sent_tx(db, ids[k])) != LC_OK)
			return e;
	return LC_OK;
}

/* sort_ids sorts ids (and counts with them) ascending: rows are locked in one order. */
static void
sort_ids(int64_t *ids, unsigned *counts, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
			int64_t t = ids[j];
			unsigned c = counts[j];

			ids[j] = ids[j - 1];
			counts[j] = counts[j - 1];
			ids[j - 1] = t;
			counts[j - 1] = c;
		}
}

lc_err
delivery_record(struct core *core, const struct delivery_job *jobs,
    const struct delivery_result *results, size_t n)
{
	struct record_ctx ctx = {jobs, results, n};

	return db_tx(core->db, record_tx, &ctx);
}

static lc_err
reap_tx(struct db *db, void *arg)
{
	unsigned *reaped = arg;
	char now[TIME_SQL_LEN];
	struct db_rows ids, r;
	struct out_message m;
	size_t i;
	uint64_t n;
	int changed;
	lc_err e = LC_OK;

	*reaped = 0;
	sqltime_format(now_ms(), now);
	if ((e = store_msg_expired(db, now, 100, &ids)) != LC_OK)
		return e;
	for (i = 0; i < ids.nrows && e == LC_OK; i++) {
		if ((e = store_msg_get_locked(db, db_i64(&ids, i, 0), &r)) != LC_OK)
			break;
		if (r.nrows == 1) {
			out_message_from_row(&r, 0, &m);
			if (m.smtp_phase >= 1)
				e = outbox_release_tx(db, &m, MS_UNKNOWN,
				    "worker lost during DATA; outcome unknown", 1, &changed);
			else
				e = store_msg_result(db, m.id, m.fence, MS_SCHEDULED, now,
				    "worker lost before SMTP DATA; retrying", now, &n);
			(*reaped)++;
		}
		db_rows_free(&r);
	}
	db_rows_free(&ids);
	return e;
}

lc_err
delivery_reap(struct core *core, unsigned *reaped)
{
	return db_tx(core->db, reap_tx, reaped);
}
