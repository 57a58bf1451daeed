/* worker/worker.c: the worker's threads started and stopped in order (worker/worker.h),
 * the stop flag and naps every thread shares, and the two small loops that are neither
 * the outbox pipeline nor a leased queue: the reaper and the settler. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "core/delivery.h"
#include "core/notify.h"
#include "core/placements.h"
#include "core/settle.h"
#include "core/webhooks.h"
#include "util/log.h"
#include "worker/lease_loop.h"
#include "worker/worker.h"
#include "worker/worker_int.h"

/* recorder, reaper, claimer, settler, IMAP watcher (it runs its own pool of fetchers);
 * the leased queues run their own pools (worker/lease_loop.c) */
#define WORKER_FIXED 5

static void *reaper(void *);
static void *settler(void *);

int
worker_stopping(struct worker *w)
{
	int stopping;

	/* under the lock worker_stop sets it with, so every thread sees it without a race */
	pthread_mutex_lock(&w->lock);
	stopping = w->stopping;
	pthread_mutex_unlock(&w->lock);
	return stopping;
}

void
worker_nap(struct worker *w, unsigned ms)
{
	struct timespec until;

	worker_deadline(ms, &until);
	pthread_mutex_lock(&w->lock);
	if (!w->stopping)
		pthread_cond_timedwait(&w->wake, &w->lock, &until);
	pthread_mutex_unlock(&w->lock);
}

const struct config *
worker_cfg(struct worker *w)
{
	return w->cfg;
}

const struct smtp_config *
worker_smtp(struct worker *w)
{
	return &w->smtp;
}

const char *
worker_owner(struct worker *w)
{
	return w->owner;
}

void
worker_deadline(unsigned ms, struct timespec *until)
{
	clock_gettime(CLOCK_REALTIME, until);
	until->tv_sec += ms / 1000;
	until->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until->tv_nsec >= 1000000000L) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000L;
	}
}

int64_t
worker_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

lc_err
worker_core_open(struct worker *w, struct core *core)
{
	db_thread_init();
	memset(core, 0, sizeof(*core));
	core->no_response_days = w->cfg->no_response_days;
	core->public_url = w->cfg->public_url;
	core->webhook_allow_http = w->cfg->webhook_allow_http;
	if ((core->db = db_new(w->cfg)) == NULL)
		return LC_EDBDOWN;
	return LC_OK;
}

void
worker_core_close(struct core *core)
{
	db_free(core->db);
	core->db = NULL;
	db_thread_end();
}

/* reaper returns expired leases of every queue, a quarter lease apart (10 s at most). */
static void *
reaper(void *arg)
{
	struct worker *w = arg;
	struct core core;
	unsigned reaped, period = w->cfg->worker_lease_seconds * 1000 / 4;

	if (period > 10000)
		period = 10000;
	if (worker_core_open(w, &core) != LC_OK) {
		worker_core_close(&core);
		return NULL;
	}
	while (!worker_stopping(w)) {
		reaped = 0;
		if (delivery_reap(&core, &reaped) == LC_OK && reaped > 0)
			log_msg(LOG_WARN, "returned %u expired lease(s)", reaped);
		if (notify_reap(&core) != LC_OK)
			log_msg(LOG_WARN, "returning expired notification leases failed");
		if (webhook_reap(&core, &reaped) == LC_OK && reaped > 0)
			log_msg(LOG_WARN, "returned %u expired webhook lease(s)", reaped);
		if (placement_reap(&core, &reaped) == LC_OK && reaped > 0)
			log_msg(LOG_WARN, "returned %u expired placement check lease(s)", reaped);
		worker_nap(w, period);
	}
	worker_core_close(&core);
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

	if (worker_core_open(w, &core) != LC_OK) {
		worker_core_close(&core);
		return NULL;
	}
	while (!worker_stopping(w)) {
		did = 0;
		if ((e = campaign_settle_step(&core, &did)) != LC_OK)
			log_msg(
			    LOG_WARN, "settling a campaign's messages failed: %s", lc_strerror(e));
		if (!did || e != LC_OK)
			worker_nap(w, e != LC_OK ? 1000 : w->cfg->worker_poll_ms);
	}
	worker_core_close(&core);
	return NULL;
}

lc_err
worker_start(const struct config *cfg, struct worker **out)
{
	struct worker *w;
	char host[64];
	unsigned i;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return LC_ENOMEM;
	w->cfg = cfg;
	snprintf(
	    w->smtp.hostport, sizeof(w->smtp.hostport), "%s:%u", cfg->smtp_host, cfg->smtp_port);
	snprintf(w->smtp.helo, sizeof(w->smtp.helo), "%s", cfg->smtp_helo);
	snprintf(w->smtp.user, sizeof(w->smtp.user), "%s", cfg->smtp_user);
	snprintf(w->smtp.password, sizeof(w->smtp.password), "%s", cfg->smtp_password);
	w->smtp.starttls = strcmp(cfg->smtp_starttls, "required") == 0 ? SMTP_TLS_REQUIRED
	                   : strcmp(cfg->smtp_starttls, "no") == 0     ? SMTP_TLS_NO
	                                                               : SMTP_TLS_OPTIONAL;
	w->smtp.timeout_ms = (long)cfg->smtp_timeout_ms;
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "worker");
	host[sizeof(host) - 1] = '\0';
	snprintf(w->owner, sizeof(w->owner), "%.40s:%ld", host, (long)getpid());
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	pthread_mutex_init(&w->jlock, NULL);
	pthread_cond_init(&w->job_ready, NULL);
	pthread_cond_init(&w->jobs_low, NULL);
	pthread_mutex_init(&w->olock, NULL);
	pthread_cond_init(&w->queued, NULL);
	pthread_cond_init(&w->room, NULL);

	/* threads[0] is the recorder (it outlives the mailers), [1] the reaper, [2] the
	 * claimer, [3] the settler, [4] the IMAP watcher, the rest mailers */
	if ((w->threads = calloc(cfg->worker_threads + WORKER_FIXED, sizeof(*w->threads))) ==
	    NULL) {
		worker_stop(w);
		return LC_ENOMEM;
	}
	for (i = 0; i < cfg->worker_threads + WORKER_FIXED; i++) {
		void *(*run)(void *) = i == 0   ? outbox_recorder
		                       : i == 1 ? reaper
		                       : i == 2 ? outbox_claimer
		                       : i == 3 ? settler
		                       : i == 4 ? imap_syncer
		                                : outbox_mailer;
		if (pthread_create(&w->threads[i], NULL, run, w) != 0)
			break;
		w->nthreads++;
	}
	if (w->nthreads == 0) {
		worker_stop(w);
		return LC_EIO;
	}
	w->webhooks = lease_loop_start(w, &webhook_lease_queue, NULL);
	w->placements = lease_loop_start(w, &placement_lease_queue, NULL);
	w->mailbox_tests = lease_loop_start(w, &mailbox_test_lease_queue, NULL);
	log_msg(LOG_INFO, "linkcamp-worker %s delivering through %s with %u mailer(s)", w->owner,
	    w->smtp.hostport, w->nthreads > WORKER_FIXED ? w->nthreads - WORKER_FIXED : 0);
	*out = w;
	return LC_OK;
}

void
worker_stop(struct worker *w)
{
	unsigned i;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_mutex_lock(&w->jlock);
	w->jobs_closed = 1;
	pthread_cond_broadcast(&w->jobs_low);
	pthread_mutex_unlock(&w->jlock);
	lease_loop_stop(w->webhooks);
	lease_loop_stop(w->placements);
	lease_loop_stop(w->mailbox_tests);
	for (i = 1; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	/* the mailers are gone: the recorder writes down what they left and ends */
	pthread_mutex_lock(&w->olock);
	w->mailers_done = 1;
	pthread_cond_signal(&w->queued);
	pthread_mutex_unlock(&w->olock);
	if (w->nthreads > 0)
		pthread_join(w->threads[0], NULL);
	free(w->threads);
	pthread_cond_destroy(&w->room);
	pthread_cond_destroy(&w->queued);
	pthread_mutex_destroy(&w->olock);
	pthread_cond_destroy(&w->jobs_low);
	pthread_cond_destroy(&w->job_ready);
	pthread_mutex_destroy(&w->jlock);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	sodium_memzero(w->smtp.password, sizeof(w->smtp.password));
	free(w);
}
