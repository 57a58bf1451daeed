/* linkcamp-worker: drains the outbox. Wiring only: configuration, threads and signals.
 * One claimer thread claims due messages in batches and queues them; mailer threads
 * take them one at a time and speak SMTP; one recorder thread writes their outcomes
 * down; the webhook sender and the placement checker (worker_hooks.c) drain their own
 * outboxes over HTTP; a settler finishes, in batches, what a campaign's state change left
 * for its messages (core/campaign_settle.c); a reaper returns expired leases of all of
 * them. Several workers
 * (on several hosts) may run at once: claims skip each other's locked rows and fences
 * keep a late worker from overwriting. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <sodium.h>

#include "core/delivery.h"
#include "core/mailbox.h"
#include "mailbox_run.h"
#include "mail/dkim_sign.h"
#include "worker_dkim.h"
#include "core/settle.h"
#include "worker_hooks.h"
#include "worker_metrics.h"
#include "core/placements.h"
#include "core/webhooks.h"
#include "hook/hook_http.h"
#include "hook/link_find.h"
#include "imap/imap_net.h"
#include "mail/mime.h"
#include "core/notify.h"
#include "core/reply_token.h"
#include "mail/compose.h"
#include "mail/smtp.h"
#include "util/buf.h"
#include "util/config.h"
#include "util/log.h"
#include "util/timefmt.h"

#define MESSAGE_MAX (2 * 1024 * 1024)
#define OUTCOMES_MAX 256 /* outcomes waiting for the recorder; mailers wait when full */
#define JOBS_MAX 192     /* claimed messages waiting for a mailer */
#define NOTIFY_EVERY_MS 1000 /* how often a busy mailer looks for approver notifications */
#define RECORD_TRIES_DOWN 20 /* recording while the database is away: 500 ms apart */
#define RECORD_TRIES_OTHER 3 /* one outcome failing for another reason: 100 ms apart */
#define WORKER_FIXED 8       /* recorder, reaper, claimer, webhook sender, placement checker,
                                mailbox tester, settler, IMAP sync (it runs its own pool) */

/* One delivery's outcome on its way to the recorder. Only the job's id, fence and
 * public id are kept; its strings belong to the mailer and are NULL here. */
struct outcome {
	struct delivery_job job;
	struct delivery_result res;
};

/* A claimed job waiting for a mailer, with when its lease ends by this process's
 * monotonic clock (counted from before the claim, so never later than the database's). */
struct queued_job {
	struct delivery_job job;
	int64_t lease_ends_ms;
};

struct worker {
	struct config cfg;
	struct smtp_config smtp;
	char owner[64];
	int stopping; /* set once by main on a signal; read through is_stopping() */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	/* Claimed jobs: the claimer keeps about one per mailer waiting, so that no mailer
	 * waits for a claim and no claimed message waits long for a mailer. */
	pthread_mutex_t jlock;
	pthread_cond_t job_ready, jobs_low;
	struct queued_job jobs[JOBS_MAX];
	size_t jhead, njobs;
	int jobs_closed; /* the worker is stopping: claim no more (set with stopping) */
	int claimer_done;
	/* Group commit: mailers queue outcomes as they learn them, and one recorder writes
	 * down everything queued in one transaction while the next ones queue up. */
	pthread_mutex_t olock;
	pthread_cond_t queued, room;
	struct outcome outcomes[OUTCOMES_MAX];
	size_t noutcomes;
	int mailers_done;
};

struct hook_ctx {
	struct core *core;
	const struct delivery_job *job;
};

static void *mailer(void *);
static void *reaper(void *);
static void *recorder(void *);
static void *claimer(void *);
static void *settler(void *);
static int job_pop(struct worker *, struct delivery_job *, int64_t *);
static int64_t monotonic_ms(void);
static void outcome_push(struct worker *, const struct delivery_job *,
    const struct delivery_result *);
static int mark_data(void *);
static void deliver_one(struct worker *, struct core *, const struct delivery_job *,
    struct delivery_result *);
static void record_all(struct worker *, struct core *, const struct delivery_job *,
    const struct delivery_result *, size_t);
static size_t notify_some(struct worker *, struct core *);
static void nap(struct worker *, unsigned);
static int is_stopping(struct worker *);

/* is_stopping tells whether the worker was asked to stop (under the lock main sets it
 * with, so every thread sees it without a data race). */
static int
is_stopping(struct worker *w)
{
	int stopping;

	pthread_mutex_lock(&w->lock);
	stopping = w->stopping;
	pthread_mutex_unlock(&w->lock);
	return stopping;
}

/* nap sleeps ms milliseconds or until shutdown. */
static void
nap(struct worker *w, unsigned ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->lock);
	if (!w->stopping)
		pthread_cond_timedwait(&w->wake, &w->lock, &until);
	pthread_mutex_unlock(&w->lock);
}

const struct config *
worker_cfg(struct worker *w)
{
	return &w->cfg;
}

int
worker_stopping(struct worker *w)
{
	return is_stopping(w);
}

void
worker_nap(struct worker *w, unsigned ms)
{
	nap(w, ms);
}

static int64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* mark_data runs inside libesmtp as DATA begins: the fenced, committed write that turns
 * a crash from "retry" into "unknown". */
static int
mark_data(void *arg)
{
	struct hook_ctx *h = arg;
	int held = 0;

	if (delivery_mark_data(h->core, h->job, &held) != LC_OK || !held) {
		log_msg(LOG_WARN, "not sending %s: lease lost or database unreachable",
		    h->job->public_id);
		return -1;
	}
	return 0;
}

/* deliver_one composes and sends one claimed message and writes its outcome to *res. */
static void
deliver_one(struct worker *w, struct core *core, const struct delivery_job *job,
    struct delivery_result *out_res)
{
	struct hook_ctx hook = {core, job};
	struct delivery_result res;
	struct smtp_outcome out;
	struct smtp_config mcfg;
	const struct smtp_config *scfg = &w->smtp;
	struct mailbox_send mb;
	struct mail_out m;
	char unsub[1024], pixel[1024];
	char plus_reply_to[400]; /* issue 16: the Reply-To with the reply token */
	const char *envelope_from = job->from;
	struct buf text;
	lc_err e;

	memset(&res, 0, sizeof(res));
	memset(&mb, 0, sizeof(mb));
	memset(&mcfg, 0, sizeof(mcfg));
	res.mailbox_id = job->mailbox_id;
	if (job->mailbox_id != 0) {
		/* a sender mailbox: its server, its credentials (decrypted just now), its From */
		if ((e = mailbox_send_load(core, job->mailbox_id, &mb)) != LC_OK) {
			res.outcome = DELIVERY_TEMPFAIL;
			snprintf(res.text, sizeof(res.text), "mailbox unavailable: %s", lc_strerror(e));
			*out_res = res;
			return;
		}
		if (mailbox_smtp_config(&w->smtp, &mb, &mcfg, res.text, sizeof(res.text)) != 0) {
			/* the mailbox cannot be used as it is: it pauses like after an AUTH failure */
			res.outcome = DELIVERY_TEMPFAIL;
			res.mailbox_auth_failed = 1;
			sodium_memzero(&mcfg, sizeof(mcfg));
			mailbox_send_clear(&mb);
			*out_res = res;
			return;
		}
		scfg = &mcfg;
		envelope_from = mb.from_address;
	}
	buf_init(&text, MESSAGE_MAX);
	snprintf(unsub, sizeof(unsub), "%s/u/%s", w->cfg.public_url, job->unsubscribe_token);
	memset(&m, 0, sizeof(m));
	m.from_email = job->from;
	m.to_email = job->to;
	m.to_name = job->to_name[0] ? job->to_name : NULL;
	m.subject = job->subject;
	m.body = job->body;
	m.message_id = job->message_id;
	m.in_reply_to = job->in_reply_to;
	m.references = job->references;
	m.list_unsubscribe_url = unsub;
	if (job->open_token) {
		snprintf(pixel, sizeof(pixel), "%s/t/o/%s.gif", w->cfg.public_url, job->open_token);
		m.open_pixel_url = pixel;
	}
	m.date_ms = now_ms();
	if (job->mailbox_id != 0) {
		m.from_email = mb.from_address;
		m.from_name = mb.from_name[0] ? mb.from_name : NULL;
		m.reply_to = mb.reply_to;
		/* issue 16: replies to local+<reply token>@domain find this message again */
		if (mb.plus_reply_to &&
		    reply_token_address(mb.reply_to ? mb.reply_to : mb.from_address, job->message_id,
		        plus_reply_to, sizeof(plus_reply_to)))
			m.reply_to = plus_reply_to;
	}
	if ((e = mail_compose(&m, &text)) != LC_OK) {
		/* nothing can ever send this message as it is: fail it, release its credits */
		res.outcome = DELIVERY_PERMFAIL;
		snprintf(res.text, sizeof(res.text), "cannot compose: %s", lc_strerror(e));
	} else if ((e = worker_dkim_sign(core, job->id, m.from_email, &text, res.text,
	                sizeof(res.text))) != LC_OK) {
		/* a domain that signs must not send unsigned: try again later */
		res.outcome = DELIVERY_TEMPFAIL;
	} else if ((e = smtp_deliver(scfg, envelope_from, job->to, text.data, text.len, mark_data,
	                &hook, &out)) != LC_OK) {
		res.outcome = DELIVERY_TEMPFAIL;
		snprintf(res.text, sizeof(res.text), "smtp setup: %s", lc_strerror(e));
	} else {
		res.outcome = out.verdict == SMTP_ACCEPTED    ? DELIVERY_SENT
		            : out.verdict == SMTP_TEMPORARY   ? DELIVERY_TEMPFAIL
		            : out.verdict == SMTP_PERMANENT   ? DELIVERY_PERMFAIL
		                                              : DELIVERY_UNKNOWN;
		res.code = out.code;
		res.enh_class = out.enh_class;
		res.enh_subject = out.enh_subject;
		res.enh_detail = out.enh_detail;
		res.mailbox_auth_failed = out.auth_failed && job->mailbox_id != 0;
		snprintf(res.text, sizeof(res.text), "%s", out.text);
	}
	sodium_memzero(&mcfg, sizeof(mcfg));
	mailbox_send_clear(&mb);
	buf_free(&text);
	*out_res = res;
}

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

	for (attempt = 1; !is_stopping(w); attempt++) {
		if ((e = delivery_record(core, jobs, results, n)) == LC_OK)
			break;
		if (n > 1 && e != LC_EDBDOWN) {
			log_msg(LOG_WARN, "recording %zu outcomes failed (%s); recording them one by one",
			    n, lc_strerror(e));
			for (i = 0; i < n; i++)
				record_all(w, core, &jobs[i], &results[i], 1);
			return;
		}
		if (attempt >= (e == LC_EDBDOWN ? RECORD_TRIES_DOWN : RECORD_TRIES_OTHER))
			break; /* logged as given up below */
		log_msg(LOG_WARN, "recording %zu outcome(s) failed (%s); retrying", n, lc_strerror(e));
		nap(w, e == LC_EDBDOWN ? 500 : 100);
	}
	if (e != LC_OK && is_stopping(w))
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
static void *
recorder(void *arg)
{
	struct delivery_job jobs[DELIVERY_RECORD_MAX];
	struct delivery_result results[DELIVERY_RECORD_MAX];
	struct worker *w = arg;
	struct core core;
	size_t n, i;

	db_thread_init();
	memset(&core, 0, sizeof(core));
	core.no_response_days = w->cfg.no_response_days;
	core.public_url = w->cfg.public_url;
	if ((core.db = db_new(&w->cfg)) == NULL)
		log_msg(LOG_ERROR, "recorder has no database handle: outcomes will be reaped as unknown");
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
	db_free(core.db);
	db_thread_end();
	return NULL;
}

/* notify_some mails approvers about items that started waiting; returns how many it took. */
static size_t
notify_some(struct worker *w, struct core *core)
{
	struct notify_job *jobs = NULL;
	struct smtp_outcome out;
	struct mail_out m;
	char msgid[MAIL_MSGID_MAX], why[256];
	const char *domain;
	struct buf text;
	size_t n = 0, i, k;
	int ok;

	if (notify_claim(core, w->cfg.worker_lease_seconds, 4, &jobs, &n) != LC_OK)
		return 0;
	domain = strrchr(w->cfg.notify_from, '@');
	for (i = 0; i < n; i++) {
		ok = 1;
		why[0] = '\0';
		for (k = 0; k < jobs[i].nrcpts && ok; k++) {
			buf_init(&text, MESSAGE_MAX);
			memset(&m, 0, sizeof(m));
			m.from_email = w->cfg.notify_from;
			m.from_name = "linkcamp";
			m.to_email = jobs[i].rcpts[k];
			m.subject = jobs[i].subject;
			m.body = jobs[i].text;
			m.message_id = msgid;
			m.date_ms = now_ms();
			if (mail_message_id_new(domain ? domain + 1 : "linkcamp.invalid", msgid) != LC_OK ||
			    mail_compose(&m, &text) != LC_OK) {
				snprintf(why, sizeof(why), "cannot compose the notification");
				ok = 0;
			} else if (smtp_deliver(&w->smtp, m.from_email, m.to_email, text.data, text.len,
			               NULL, NULL, &out) != LC_OK ||
			           out.verdict != SMTP_ACCEPTED) {
				snprintf(why, sizeof(why), "%d %s", out.code, out.text);
				ok = 0;
			}
			buf_free(&text);
		}
		if (notify_done(core, &jobs[i], ok, ok ? NULL : why) != LC_OK)
			log_msg(LOG_WARN, "recording a notification failed");
	}
	notify_jobs_free(jobs, n);
	return n;
}

/* claimer claims due messages for the mailers: a batch whenever fewer jobs wait than
 * there are mailers, and a nap when nothing is due. */
static void *
claimer(void *arg)
{
	struct worker *w = arg;
	struct core core;
	struct delivery_job *claimed = NULL;
	size_t n = 0, i, room;
	unsigned want;
	int closed;
	int64_t lease_ends;
	lc_err e;

	db_thread_init();
	memset(&core, 0, sizeof(core));
	core.no_response_days = w->cfg.no_response_days;
	core.public_url = w->cfg.public_url;
	if ((core.db = db_new(&w->cfg)) == NULL)
		log_msg(LOG_ERROR, "claimer has no database handle: nothing will be delivered");
	while (core.db) {
		pthread_mutex_lock(&w->jlock);
		while (!w->jobs_closed && w->njobs >= w->cfg.worker_threads)
			pthread_cond_wait(&w->jobs_low, &w->jlock);
		closed = w->jobs_closed;
		room = JOBS_MAX - w->njobs;
		pthread_mutex_unlock(&w->jlock);
		if (closed)
			break;
		want = w->cfg.worker_batch < room ? w->cfg.worker_batch : (unsigned)room;
		lease_ends = monotonic_ms() + (int64_t)w->cfg.worker_lease_seconds * 1000;
		if ((e = delivery_claim(&core, w->owner, w->cfg.worker_lease_seconds, want, &claimed,
		         &n)) != LC_OK) {
			log_msg(LOG_WARN, "claim failed: %s", lc_strerror(e));
			nap(w, 1000);
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
			nap(w, w->cfg.worker_poll_ms);
	}
	pthread_mutex_lock(&w->jlock);
	w->claimer_done = 1;
	pthread_cond_broadcast(&w->job_ready);
	pthread_mutex_unlock(&w->jlock);
	db_free(core.db);
	db_thread_end();
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

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += w->cfg.worker_poll_ms / 1000;
	until.tv_nsec += (long)(w->cfg.worker_poll_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
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
		if (w->njobs < w->cfg.worker_threads)
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
static void *
mailer(void *arg)
{
	struct worker *w = arg;
	struct core core;
	struct delivery_job job;
	struct delivery_result result;
	int64_t notified = 0, lease_ends, margin_ms = (int64_t)w->cfg.worker_lease_seconds * 250;
	int64_t started_us;
	int done, late;

	db_thread_init();
	memset(&core, 0, sizeof(core));
	core.no_response_days = w->cfg.no_response_days;
	core.public_url = w->cfg.public_url;
	if ((core.db = db_new(&w->cfg)) == NULL) {
		db_thread_end();
		return NULL;
	}
	for (;;) {
		if (job_pop(w, &job, &lease_ends)) {
			late = monotonic_ms() >= lease_ends - margin_ms;
			if (late)
				log_msg(LOG_WARN, "not starting %s: it waited in this worker's queue until "
				    "its lease was nearly over; it goes back to the queue", job.public_id);
			if (late || is_stopping(w)) {
				/* not started: back to the queue now, not when its lease expires (a
				 * lease already lost changes nothing) */
				if (delivery_return(&core, &job, late ? "returned unsent: its lease was nearly "
				        "over when a mailer was free" : "returned unsent when its worker "
				        "stopped") != LC_OK)
					log_msg(LOG_WARN, "could not return %s; its lease will expire",
					    job.public_id);
				delivery_job_clear(&job);
				continue;
			}
			/* the outcome goes to the recorder as soon as it is known: a crash leaves
			 * "unknown" only what was delivered and not yet written down */
			started_us = monotonic_ms() * 1000;
			deliver_one(w, &core, &job, &result);
			worker_metrics_delivery(result.outcome == DELIVERY_SENT       ? WM_SENT
			                        : result.outcome == DELIVERY_TEMPFAIL ? WM_DEFERRED
			                        : result.outcome == DELIVERY_PERMFAIL ? WM_FAILED
			                                                              : WM_UNKNOWN,
			    (uint64_t)(monotonic_ms() * 1000 - started_us));
			outcome_push(w, &job, &result);
			delivery_job_clear(&job);
			if (now_ms() - notified < NOTIFY_EVERY_MS)
				continue;
		} else {
			pthread_mutex_lock(&w->jlock);
			done = w->claimer_done && w->njobs == 0;
			pthread_mutex_unlock(&w->jlock);
			if (done)
				break;
		}
		if (!is_stopping(w))
			notify_some(w, &core);
		notified = now_ms();
	}
	db_free(core.db);
	db_thread_end();
	return NULL;
}

static void *
reaper(void *arg)
{
	struct worker *w = arg;
	struct core core;
	unsigned reaped, period = w->cfg.worker_lease_seconds * 1000 / 4;

	if (period > 10000)
		period = 10000;
	db_thread_init();
	memset(&core, 0, sizeof(core));
	if ((core.db = db_new(&w->cfg)) == NULL) {
		db_thread_end();
		return NULL;
	}
	while (!is_stopping(w)) {
		reaped = 0;
		if (delivery_reap(&core, &reaped) == LC_OK && reaped > 0)
			log_msg(LOG_WARN, "returned %u expired lease(s)", reaped);
		if (notify_reap(&core) != LC_OK)
			log_msg(LOG_WARN, "returning expired notification leases failed");
		if (webhook_reap(&core, &reaped) == LC_OK && reaped > 0)
			log_msg(LOG_WARN, "returned %u expired webhook lease(s)", reaped);
		if (placement_reap(&core, &reaped) == LC_OK && reaped > 0)
			log_msg(LOG_WARN, "returned %u expired placement check lease(s)", reaped);
		nap(w, period);
	}
	db_free(core.db);
	db_thread_end();
	return NULL;
}

/* settler runs campaign settle batches back to back while there are any, and looks again
 * every poll interval otherwise. Each batch is its own transaction, so other writers of
 * the workspace get the rows between two batches. */
static void *
settler(void *arg)
{
	struct worker *w = arg;
	struct core core;
	int did;
	lc_err e;

	db_thread_init();
	memset(&core, 0, sizeof(core));
	if ((core.db = db_new(&w->cfg)) == NULL) {
		db_thread_end();
		return NULL;
	}
	while (!is_stopping(w)) {
		did = 0;
		if ((e = campaign_settle_step(&core, &did)) != LC_OK)
			log_msg(LOG_WARN, "settling a campaign's messages failed: %s", lc_strerror(e));
		if (!did || e != LC_OK)
			nap(w, e != LC_OK ? 1000 : w->cfg.worker_poll_ms);
	}
	db_free(core.db);
	db_thread_end();
	return NULL;
}

int
main(int argc, char **argv)
{
	static struct worker w;
	const char *config_path = NULL;
	pthread_t *threads;
	sigset_t set;
	enum log_level level;
	enum log_format format;
	char why[256], host[64];
	unsigned i, started = 0;
	int opt, sig = 0;

	/* Blocked first thing: a SIGTERM that arrives while starting up waits for sigwait
	 * and ends the process cleanly (status 0) instead of killing it half started.
	 * Threads inherit this mask; only the main thread takes the signals, via sigwait. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	while ((opt = getopt(argc, argv, "c:")) != -1) {
		if (opt == 'c') {
			config_path = optarg;
		} else {
			fprintf(stderr, "usage: linkcamp-worker [-c config]\n");
			return 64;
		}
	}
	if (config_load(&w.cfg, config_path, why, sizeof(why)) != LC_OK) {
		fprintf(stderr, "linkcamp-worker: %s\n", why);
		return 78;
	}
	if (log_level_parse(w.cfg.log_level, &level) == 0) /* config_load checked it */
		log_set_level(level);
	if (log_format_parse(w.cfg.log_format, &format) == 0)
		log_set_format(format);
	/* a ca_file that cannot be read would fail every https delivery one by one: say so
	 * once, at start-up */
	if (w.cfg.webhook_ca_file[0] && access(w.cfg.webhook_ca_file, R_OK) != 0) {
		fprintf(stderr, "linkcamp-worker: [webhooks] ca_file %s: %s\n", w.cfg.webhook_ca_file,
		    strerror(errno));
		return 78;
	}
	if (sodium_init() < 0 || db_library_init() != 0)
		return 70;
	/* never against a schema older than sql/ (core_schema_check says why) */
	if (core_schema_check(&w.cfg, why, sizeof(why)) != LC_OK) {
		fprintf(stderr, "linkcamp-worker: refusing to start: %s\n", why);
		db_library_end();
		return 75;
	}
	if (why[0] != '\0')
		log_msg(LOG_WARN, "%s", why);
	json_object_seed(0);
	smtp_global_init();
	if (mailbox_settings_load(&w.cfg, why, sizeof(why)) != LC_OK) {
		fprintf(stderr, "linkcamp-worker: %s\n", why);
		return 78;
	}
	if (smtp_set_trust(mailbox_ca_file()) != LC_OK) {
		fprintf(stderr, "linkcamp-worker: [mailboxes] ca_file %s cannot be read\n",
		    mailbox_ca_file());
		return 78;
	}
	if (dkim_sign_global_init() != LC_OK) {
		fprintf(stderr, "linkcamp-worker: libopendkim cannot start\n");
		return 70;
	}
	/* the IMAP fetchers parse mail (inbound_ingest): GMime is set up before any thread */
	mime_global_init();
	if (imap_net_init(mailbox_ca_file()) != LC_OK) {
		fprintf(stderr, "linkcamp-worker: [mailboxes] ca_file %s cannot be read (IMAP)\n",
		    mailbox_ca_file());
		return 78;
	}
	if (hook_global_init() != LC_OK)
		return 70;
	link_find_init();
	if (worker_metrics_start(&w.cfg, why, sizeof(why)) != LC_OK) {
		fprintf(stderr, "linkcamp-worker: %s\n", why);
		return 78;
	}
	snprintf(w.smtp.hostport, sizeof(w.smtp.hostport), "%s:%u", w.cfg.smtp_host,
	    w.cfg.smtp_port);
	snprintf(w.smtp.helo, sizeof(w.smtp.helo), "%s", w.cfg.smtp_helo);
	snprintf(w.smtp.user, sizeof(w.smtp.user), "%s", w.cfg.smtp_user);
	snprintf(w.smtp.password, sizeof(w.smtp.password), "%s", w.cfg.smtp_password);
	w.smtp.starttls = strcmp(w.cfg.smtp_starttls, "required") == 0 ? SMTP_TLS_REQUIRED
	                : strcmp(w.cfg.smtp_starttls, "no") == 0       ? SMTP_TLS_NO
	                                                               : SMTP_TLS_OPTIONAL;
	w.smtp.timeout_ms = (long)w.cfg.smtp_timeout_ms;
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "worker");
	host[sizeof(host) - 1] = '\0';
	snprintf(w.owner, sizeof(w.owner), "%.40s:%ld", host, (long)getpid());
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.wake, NULL);
	pthread_mutex_init(&w.jlock, NULL);
	pthread_cond_init(&w.job_ready, NULL);
	pthread_cond_init(&w.jobs_low, NULL);
	pthread_mutex_init(&w.olock, NULL);
	pthread_cond_init(&w.queued, NULL);
	pthread_cond_init(&w.room, NULL);

	/* threads[0] is the recorder (it outlives the mailers), [1] the reaper, [2] the
	 * claimer, [3] the webhook sender, [4] the placement checker, [5] the mailbox tester,
	 * [6] the settler, [7] the IMAP sync, the rest mailers */
	if ((threads = calloc(w.cfg.worker_threads + WORKER_FIXED, sizeof(*threads))) == NULL)
		return 70;
	for (i = 0; i < w.cfg.worker_threads + WORKER_FIXED; i++) {
		void *(*run)(void *) = i == 0 ? recorder : i == 1 ? reaper : i == 2 ? claimer
		                     : i == 3 ? webhook_sender : i == 4 ? placement_checker
		                     : i == 5 ? mailbox_tester : i == 6 ? settler
		                     : i == 7 ? imap_syncer : mailer;
		if (pthread_create(&threads[i], NULL, run, &w) != 0)
			break;
		started++;
	}
	log_msg(LOG_INFO, "linkcamp-worker %s delivering through %s with %u mailer(s)", w.owner,
	    w.smtp.hostport, started > WORKER_FIXED ? started - WORKER_FIXED : 0);
	while (started > 0 && sigwait(&set, &sig) == 0 && sig == SIGHUP)
		;
	log_msg(LOG_INFO, "shutting down on signal %d", sig);
	pthread_mutex_lock(&w.lock);
	w.stopping = 1;
	pthread_cond_broadcast(&w.wake);
	pthread_mutex_unlock(&w.lock);
	pthread_mutex_lock(&w.jlock);
	w.jobs_closed = 1;
	pthread_cond_broadcast(&w.jobs_low);
	pthread_mutex_unlock(&w.jlock);
	for (i = 1; i < started; i++)
		pthread_join(threads[i], NULL);
	/* the mailers are gone: the recorder writes down what they left and ends */
	pthread_mutex_lock(&w.olock);
	w.mailers_done = 1;
	pthread_cond_signal(&w.queued);
	pthread_mutex_unlock(&w.olock);
	if (started > 0)
		pthread_join(threads[0], NULL);
	free(threads);
	worker_metrics_stop();
	link_find_cleanup();
	hook_global_cleanup();
	dkim_sign_global_end();
	imap_net_end();
	mailbox_settings_free();
	db_library_end();
	log_msg(LOG_INFO, "stopped");
	return 0;
}
