/* worker/lease_loop.h: the one loop of the worker's leased queues — claim a few due jobs
 * under a lease (core's claim loads them too), run each, record what happened — with its
 * thread pool (a database connection per thread), its stop flag, its naps when nothing is
 * due and its backoff after a failed claim. A queue is a struct lease_queue of callbacks;
 * the webhook sender, the placement checker, the mailbox tester and the IMAP fetchers are
 * four of them (docs/architecture.md, "How to add a loop"). A job claimed and not started
 * when the loop stops goes back when its lease expires (the reaper, or the queue's own
 * expiry). */
#ifndef LC_WORKER_LEASE_LOOP_H
#define LC_WORKER_LEASE_LOOP_H

#include <stddef.h>

#include "core/core.h"
#include "util/config.h"

struct worker;
struct lease_loop;

/* What a callback gets: the loop (for lease_record and lease_stopping), the calling
 * thread's core, the configuration and the queue's arg. */
struct lease_ctx {
	struct lease_loop *loop;
	struct core *core;
	const struct config *cfg;
	void *arg;
};

struct lease_queue {
	const char *name; /* in log lines: "webhook sender" */
	unsigned threads; /* the pool's size (1 when 0) */
	unsigned batch;   /* jobs claimed at a time (1 when 0) */
	unsigned idle_ms; /* the nap when nothing is due; 0: [worker] poll_ms */
	/* claim claims up to max due jobs under a lease and loads them: *jobs a malloc'd array
	 * of *n jobs (NULL when none), each job_size bytes. An error naps a second (backoff)
	 * before the next claim. */
	lc_err (*claim)(struct lease_ctx *c, unsigned max, void **jobs, size_t *n);
	size_t job_size;
	/* run does one job's work and records it (lease_record retries a record while the
	 * database is away), or leaves the record to done. Not called for the jobs left once the
	 * loop is stopping, unless run_claimed is set: a queue whose claim has no lease to expire
	 * (a mailbox test) runs every job it claimed. */
	void (*run)(struct lease_ctx *c, void *job);
	int run_claimed;
	/* done, when set, is called once after the runs of a claim with every job it claimed
	 * (run or not: each job says), so that a queue can record a whole batch in one
	 * transaction; it is called when the loop is stopping too, so that what ran is
	 * recorded. */
	void (*done)(struct lease_ctx *c, void *jobs, size_t n);
	/* clear frees what one job owns (not the job itself); every claimed job is cleared. */
	void (*clear)(void *job);
};

/* lease_loop_start starts q's threads for the worker w, with arg handed to every callback
 * (q and arg are borrowed: they outlive the loop). NULL when no thread could start (out
 * of memory, or pthread_create failed for all): logged, and the caller runs without it. */
struct lease_loop *lease_loop_start(struct worker *w, const struct lease_queue *q, void *arg);
/* lease_loop_stop asks the loop's threads to stop, waits for them and frees the loop
 * (NULL: nothing). A run under way ends first. */
void lease_loop_stop(struct lease_loop *l);
/* lease_loop_wake ends the naps of the loop's idle threads now, and keeps a thread that
 * is between a claim that found nothing and its nap from sleeping: a producer calls it
 * after making a job due (the IMAP watcher queues a mailbox). */
void lease_loop_wake(struct lease_loop *l);

/* lease_stopping is 1 once the loop or its worker is stopping. */
int lease_stopping(struct lease_ctx *c);
/* lease_record calls record(c->core, arg) until it succeeds, a nap of 500 ms between
 * tries while the database is away, 20 tries at most, fewer when the loop is stopping;
 * returns its last status. When it gives up, the job's lease expires and the job runs
 * again: a record must therefore be fenced (a late one changes nothing). */
lc_err lease_record(struct lease_ctx *c, lc_err (*record)(struct core *core, void *arg), void *arg);

#endif
