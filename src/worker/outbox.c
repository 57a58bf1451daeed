/* worker/outbox.c: the outbox pipeline. One claimer claims due messages in batches and
 * queues them; mailer threads take them one at a time and hand each to the delivery step
 * (worker/deliver.c); one recorder writes their outcomes down, many in one transaction.
 * Several workers (on several hosts) may run at once: claims skip each other's locked rows
 * and fences keep a late worker from overwriting. Not a lease_loop (worker/lease_loop.c):
 * its claim, its SMTP and its record run on different threads so that a slow relay never
 * holds a transaction open and the record is a group commit (docs/architecture.md). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "core/delivery.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "worker/deliver.h"
#include "worker/metrics.h"
#include "worker/worker.h"
#include "worker/worker_int.h"

#define NOTIFY_EVERY_MS 1000 /* how often busy mailers look for approver notifications */
#define RECORD_TRIES_DOWN 20 /* recording while the database is away: 500 ms apart */
#define RECORD_TRIES_OTHER 3 /* one outcome failing for another reason: 100 ms apart */

static int job_pop(struct worker *, struct delivery_job *, int64_t *);
static void outcome_push(
    struct worker *, const struct delivery_job *, const struct delivery_result *);
static void record_all(struct worker *, struct core *, const struct delivery_job *,
    const struct delivery_result *, size_t);

/* record_all writes the outcomes of a batch down. A database blip is retried for a while
 * (RECORD_TRIES_DOWN); if it never comes back the leases expire and the reaper marks the
 * messages unknown. A batch that fails for another reason is written again one outcome
 * at a time, so one outcome that cannot be recorded never takes the others with it; such
 * an outcome gets only RECORD_TRIES_OTHER tries (db_tx has already retried deadlocks),
 * because every outcome queued behind it waits, and their leases run. */
static void
record_all(struct worker *w, struct core *core, const struct delivery_job *jobs,
    const struct delivery_result *results, size_t n)
{
	size_t i;
	lc_err e = LC_EDB;
	int attempt;

	for (attempt = 1; !worker_stopping(w); attempt++) {
		if ((e = delivery_record(core, jobs, results, n)) == LC_OK)
			break;
		if (n > 1 && e != LC_EDBDOWN) {
			log_msg(LOG_WARN,
			    "recording %zu outcomes failed (%s); recording them one by one", n,
			    lc_strerror(e));
			for (i = 0; i < n; i++)
				record_all(w, core, &jobs[i], &results[i], 1);
			return;
		}
		if (attempt >= (e == LC_EDBDOWN ? RECORD_TRIES_DOWN : RECORD_TRIES_OTHER))
			break; /* logged as given up below */
		log_msg(
		    LOG_WARN, "recording %zu outcome(s) failed (%s); retrying", n, lc_strerror(e));
		worker_nap(w, e == LC_EDBDOWN ? 500 : 100);
	}
	if (e != LC_OK && worker_stopping(w))
		e = delivery_record(core, jobs, results, n); /* one more try while stopping */
	if (e != LC_OK)
		log_msg(LOG_ERROR, "gave up recording %zu outcome(s) (%s), first %s", n,
		    lc_strerror(e), jobs[0].public_id);
	for (i = 0; e == LC_OK && log_enabled(LOG_INFO) && i < n; i++) {
		json_t *f = json_pack("{s:s,s:i,s:i,s:s}", "message", jobs[i].public_id, "outcome",
		    (int)results[i].outcome, "code", results[i].code, "text", results[i].text);
		log_json(LOG_INFO, "delivery", f);
		json_decref(f);
	}
}

/* outcome_push queues the outcome of job for the recorder, waiting while the queue is
 * full (the database is slower than SMTP, or away). */
static void
outcome_push(struct worker *w, const struct delivery_job *job, const struct delivery_result *res)
{
	struct outcome *o;

	pthread_mutex_lock(&w->olock);
	while (w->noutcomes == OUTCOMES_MAX)
		pthread_cond_wait(&w->room, &w->olock);
	o = &w->outcomes[w->noutcomes++];
	memset(&o->job, 0, sizeof(o->job));
	o->job.id = job->id;
	o->job.fence = job->fence;
	memcpy(o->job.public_id, job->public_id, sizeof(o->job.public_id));
	o->res = *res;
	pthread_cond_signal(&w->queued);
	pthread_mutex_unlock(&w->olock);
}

/* recorder writes down the queued outcomes, up to a batch at a time, until the mailers
 * have stopped and the queue is empty. Under load each transaction takes every outcome
 * that arrived while the previous one ran; alone, an outcome is written at once. */
void *
outbox_recorder(void *arg)
{
	struct delivery_job jobs[DELIVERY_RECORD_MAX];
	struct delivery_result results[DELIVERY_RECORD_MAX];
	struct worker *w = arg;
	struct core core;
	size_t n, i;

	if (worker_core_open(w, &core) != LC_OK)
		log_msg(LOG_ERROR,
		    "recorder has no database handle: outcomes will be reaped as unknown");
	for (;;) {
		pthread_mutex_lock(&w->olock);
		while (w->noutcomes == 0 && !w->mailers_done)
			pthread_cond_wait(&w->queued, &w->olock);
		if (w->noutcomes == 0) {
			pthread_mutex_unlock(&w->olock);
			break;
		}
		n = w->noutcomes < DELIVERY_RECORD_MAX ? w->noutcomes : DELIVERY_RECORD_MAX;
		for (i = 0; i < n; i++) {
			jobs[i] = w->outcomes[i].job;
			results[i] = w->outcomes[i].res;
		}
		memmove(w->outcomes, w->outcomes + n, (w->noutcomes - n) * sizeof(w->outcomes[0]));
		w->noutcomes -= n;
		pthread_cond_broadcast(&w->room);
		pthread_mutex_unlock(&w->olock);
		if (core.db)
			record_all(w, &core, jobs, results, n);
	}
	worker_core_close(&core);
	return NULL;
}

/* claimer claims due messages for the mailers: a batch whenever fewer jobs wait than
 * there are mailers, and a nap when nothing is due. */
void *
outbox_claimer(void *arg)
{
	struct worker *w = arg;
	struct core core;
	struct delivery_job *claimed = NULL;
	size_t n = 0, i, room;
	unsigned want;
	int closed;
	int64_t lease_ends;
	lc_err e;

	if (worker_core_open(w, &core) != LC_OK)
		log_msg(LOG_ERROR, "claimer has no database handle: nothing will be delivered");
	while (core.db) {
		pthread_mutex_lock(&w->jlock);
		while (!w->jobs_closed && w->njobs >= w->cfg->worker_threads)
			pthread_cond_wait(&w->jobs_low, &w->jlock);
		closed = w->jobs_closed;
		room = JOBS_MAX - w->njobs;
		pthread_mutex_unlock(&w->jlock);
		if (closed)
			break;
		want = w->cfg->worker_batch < room ? w->cfg->worker_batch : (unsigned)room;
		lease_ends = worker_monotonic_ms() + (int64_t)w->cfg->worker_lease_seconds * 1000;
		if ((e = delivery_claim(&core, w->owner, w->cfg->worker_lease_seconds, want,
		         &claimed, &n)) != LC_OK) {
			log_msg(LOG_WARN, "claim failed: %s", lc_strerror(e));
			worker_nap(w, 1000);
			continue;
		}
		pthread_mutex_lock(&w->jlock);
		for (i = 0; i < n; i++) { /* moves each job's strings to the queue */
			struct queued_job *q = &w->jobs[(w->jhead + w->njobs++) % JOBS_MAX];
			q->job = claimed[i];
			q->lease_ends_ms = lease_ends;
		}
		pthread_cond_broadcast(&w->job_ready);
		pthread_mutex_unlock(&w->jlock);
		free(claimed);
		claimed = NULL;
		if (n == 0)
			worker_nap(w, w->cfg->worker_poll_ms);
	}
	pthread_mutex_lock(&w->jlock);
	w->claimer_done = 1;
	pthread_cond_broadcast(&w->job_ready);
	pthread_mutex_unlock(&w->jlock);
	worker_core_close(&core);
	return NULL;
}

/* job_pop takes the next claimed job into *job (the caller then owns its strings) and
 * when its lease ends into *lease_ends_ms, waiting up to the poll interval; 0 when there
 * is none. */
static int
job_pop(struct worker *w, struct delivery_job *job, int64_t *lease_ends_ms)
{
	struct timespec until;
	int got = 0;

	worker_deadline(w->cfg->worker_poll_ms, &until);
	pthread_mutex_lock(&w->jlock);
	while (w->njobs == 0 && !w->claimer_done &&
	       pthread_cond_timedwait(&w->job_ready, &w->jlock, &until) == 0)
		;
	if (w->njobs > 0) {
		*job = w->jobs[w->jhead].job;
		*lease_ends_ms = w->jobs[w->jhead].lease_ends_ms;
		w->jhead = (w->jhead + 1) % JOBS_MAX;
		w->njobs--;
		got = 1;
		if (w->njobs < w->cfg->worker_threads)
			pthread_cond_signal(&w->jobs_low);
	}
	pthread_mutex_unlock(&w->jlock);
	return got;
}

/* mailer delivers claimed jobs until the claimer has stopped and none are left (once the
 * worker is stopping, it returns them unsent instead); between them (at least once a
 * second, and whenever idle) it mails approver notifications. A job that waited in the
 * queue until the last quarter of its lease (a slow relay held the mailers) is returned
 * unstarted too: its SMTP transaction would likely outlive the lease, and the fenced
 * DATA mark would then make the mailer drop it halfway, after MAIL and RCPT. */
/* notify_turn is 1 for the one mailer whose turn it is to look for approver notifications:
 * the worker looks about once every every_ms whichever mailers ask, not once per mailer
 * (four idle mailers each looking every poll_ms were 60 of an idle worker's 105 statements
 * a second). The monotonic clock, not now_ms: a test's frozen clock must not stop it. */
static int
notify_turn(struct worker *w, int64_t every_ms)
{
	int64_t now = worker_monotonic_ms();
	int64_t last = __atomic_load_n(&w->notify_last_ms, __ATOMIC_RELAXED);

	if (last != 0 && now - last < every_ms)
		return 0;
	return __atomic_compare_exchange_n(
	    &w->notify_last_ms, &last, now, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

void *
outbox_mailer(void *arg)
{
	struct worker *w = arg;
	struct core core;
	struct delivery_job job;
	struct delivery_result result;
	int64_t lease_ends, margin_ms = (int64_t)w->cfg->worker_lease_seconds * 250;
	int64_t started_us, idle_every = w->cfg->worker_poll_ms / 2;
	int done, late, busy;

	if (worker_core_open(w, &core) != LC_OK) {
		worker_core_close(&core);
		return NULL;
	}
	for (;;) {
		busy = 0;
		if (job_pop(w, &job, &lease_ends)) {
			late = worker_monotonic_ms() >= lease_ends - margin_ms;
			if (late)
				log_msg(LOG_WARN,
				    "not starting %s: it waited in this worker's queue until "
				    "its lease was nearly over; it goes back to the queue",
				    job.public_id);
			if (late || worker_stopping(w)) {
				/* not started: back to the queue now, not when its lease expires (a
				 * lease already lost changes nothing) */
				if (delivery_return(&core, &job,
				        late ? "returned unsent: its lease was nearly "
				               "over when a mailer was free"
				             : "returned unsent when its worker "
				               "stopped") != LC_OK)
					log_msg(LOG_WARN,
					    "could not return %s; its lease will expire",
					    job.public_id);
				delivery_job_clear(&job);
				continue;
			}
			/* the outcome goes to the recorder as soon as it is known: a crash leaves
			 * "unknown" only what was delivered and not yet written down */
			started_us = worker_monotonic_ms() * 1000;
			deliver_one(w, &core, &job, &result);
			worker_metrics_delivery(result.outcome == DELIVERY_SENT       ? WM_SENT
			                        : result.outcome == DELIVERY_TEMPFAIL ? WM_DEFERRED
			                        : result.outcome == DELIVERY_PERMFAIL ? WM_FAILED
			                                                              : WM_UNKNOWN,
			    (uint64_t)(worker_monotonic_ms() * 1000 - started_us));
			outcome_push(w, &job, &result);
			delivery_job_clear(&job);
			busy = 1;
		} else {
			pthread_mutex_lock(&w->jlock);
			done = w->claimer_done && w->njobs == 0;
			pthread_mutex_unlock(&w->jlock);
			if (done)
				break;
		}
		/* idle, a mailer waited poll_ms for a job: the turns come each half of it */
		if (!worker_stopping(w) && notify_turn(w, busy ? NOTIFY_EVERY_MS : idle_every))
			notify_some(w, &core);
	}
	worker_core_close(&core);
	return NULL;
}
