/* worker/lease_loop.c: the leased queues' one loop (worker/lease_loop.h). Each thread
 * claims, runs and clears its own batch: a job is on one thread from its claim to its
 * record, so a queue needs no locks of its own beyond what its claim shares. Naps wait on
 * the loop's condition variable, so that lease_loop_wake and lease_loop_stop end them at
 * once; a generation counter keeps a wake that comes between a claim and its nap. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"
#include "worker/lease_loop.h"
#include "worker/worker.h"
#include "worker/worker_int.h"

#define CLAIM_BACKOFF_MS 1000 /* after a failed claim (the database is away, most often) */
#define RECORD_TRIES 20       /* a record while the database is away: ... */
#define RECORD_NAP_MS 500     /* ... this far apart */

struct lease_loop {
	struct worker *w;
	const struct lease_queue *q;
	void *arg;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	unsigned long gen; /* lease_loop_wake's count */
	int stop;
	pthread_t *threads;
	unsigned nthreads;
};

static void *loop_thread(void *);
static void loop_nap(struct lease_loop *, unsigned, const unsigned long *);
static int loop_stopping(struct lease_loop *);

static int
loop_stopping(struct lease_loop *l)
{
	int stop;

	pthread_mutex_lock(&l->lock);
	stop = l->stop;
	pthread_mutex_unlock(&l->lock);
	return stop || worker_stopping(l->w);
}

/* loop_nap sleeps ms milliseconds, or less when the loop is stopped or (gen not NULL)
 * woken since the claim that saw generation *gen. */
static void
loop_nap(struct lease_loop *l, unsigned ms, const unsigned long *gen)
{
	struct timespec until;

	worker_deadline(ms, &until);
	pthread_mutex_lock(&l->lock);
	while (!l->stop && (gen == NULL || l->gen == *gen) &&
	       pthread_cond_timedwait(&l->wake, &l->lock, &until) == 0)
		;
	pthread_mutex_unlock(&l->lock);
}

/* loop_thread is one thread of the pool: claim, run each, done, clear, nap when nothing was
 * due, until the loop or the worker stops. */
static void *
loop_thread(void *arg)
{
	struct lease_loop *l = arg;
	const struct lease_queue *q = l->q;
	const struct config *cfg = worker_cfg(l->w);
	struct lease_ctx c;
	struct core core;
	unsigned batch = q->batch ? q->batch : 1;
	unsigned idle = q->idle_ms ? q->idle_ms : cfg->worker_poll_ms;
	unsigned long gen;
	void *jobs;
	size_t n, i;
	lc_err e;

	if (worker_core_open(l->w, &core) != LC_OK) {
		log_msg(LOG_ERROR, "%s has no database handle: it does nothing", q->name);
		worker_core_close(&core);
		return NULL;
	}
	c.loop = l;
	c.core = &core;
	c.cfg = cfg;
	c.arg = l->arg;
	while (!loop_stopping(l)) {
		pthread_mutex_lock(&l->lock);
		gen = l->gen;
		pthread_mutex_unlock(&l->lock);
		jobs = NULL;
		n = 0;
		if ((e = q->claim(&c, batch, &jobs, &n)) != LC_OK)
			log_msg(LOG_WARN, "%s: claim failed: %s", q->name, lc_strerror(e));
		for (i = 0; jobs != NULL && i < n; i++) {
			void *job = (char *)jobs + i * q->job_size;
			/* a failed claim's jobs (none, by the contract) are only cleared */
			if (e == LC_OK && (q->run_claimed || !loop_stopping(l)))
				q->run(&c, job);
		}
		if (e == LC_OK && jobs != NULL && q->done)
			q->done(&c, jobs, n);
		for (i = 0; jobs != NULL && i < n; i++)
			q->clear((char *)jobs + i * q->job_size);
		free(jobs);
		if (e != LC_OK)
			loop_nap(l, CLAIM_BACKOFF_MS, NULL);
		else if (n == 0)
			loop_nap(l, idle, &gen);
	}
	worker_core_close(&core);
	return NULL;
}

struct lease_loop *
lease_loop_start(struct worker *w, const struct lease_queue *q, void *arg)
{
	struct lease_loop *l;
	unsigned i, want = q->threads ? q->threads : 1;

	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->threads = calloc(want, sizeof(*l->threads))) == NULL) {
		free(l);
		log_msg(LOG_ERROR, "%s cannot start: out of memory", q->name);
		return NULL;
	}
	l->w = w;
	l->q = q;
	l->arg = arg;
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->wake, NULL);
	for (i = 0; i < want; i++)
		if (pthread_create(&l->threads[l->nthreads], NULL, loop_thread, l) == 0)
			l->nthreads++;
	if (l->nthreads == 0) {
		log_msg(LOG_ERROR, "%s cannot start: no thread", q->name);
		lease_loop_stop(l);
		return NULL;
	}
	return l;
}

void
lease_loop_stop(struct lease_loop *l)
{
	unsigned i;

	if (l == NULL)
		return;
	pthread_mutex_lock(&l->lock);
	l->stop = 1;
	pthread_cond_broadcast(&l->wake);
	pthread_mutex_unlock(&l->lock);
	for (i = 0; i < l->nthreads; i++)
		pthread_join(l->threads[i], NULL);
	pthread_cond_destroy(&l->wake);
	pthread_mutex_destroy(&l->lock);
	free(l->threads);
	free(l);
}

void
lease_loop_wake(struct lease_loop *l)
{
	pthread_mutex_lock(&l->lock);
	l->gen++;
	pthread_cond_broadcast(&l->wake);
	pthread_mutex_unlock(&l->lock);
}

int
lease_stopping(struct lease_ctx *c)
{
	return loop_stopping(c->loop);
}

lc_err
lease_record(struct lease_ctx *c, lc_err (*record)(struct core *, void *), void *arg)
{
	unsigned tries;
	lc_err e;

	for (tries = 1;; tries++) {
		if ((e = record(c->core, arg)) == LC_OK || tries >= RECORD_TRIES ||
		    loop_stopping(c->loop))
			return e;
		loop_nap(c->loop, RECORD_NAP_MS, NULL);
	}
}
