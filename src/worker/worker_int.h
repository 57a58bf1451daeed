/* worker/worker_int.h: the worker's state, shared by the files of src/worker/ only (the
 * program sees struct worker as opaque, worker/worker.h). */
#ifndef LC_WORKER_INT_H
#define LC_WORKER_INT_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "core/delivery.h"
#include "mail/smtp.h"
#include "util/config.h"
#include "worker/lease_loop.h"

#define OUTCOMES_MAX 256 /* outcomes waiting for the recorder; mailers wait when full */
#define JOBS_MAX 192     /* claimed messages waiting for a mailer */

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
	const struct config *cfg;
	struct smtp_config smtp;
	char owner[64];
	int stopping; /* set once by worker_stop; read through worker_stopping() */
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
	/* The threads: [0] the recorder (it outlives the mailers), then the rest. */
	pthread_t *threads;
	unsigned nthreads;
	/* The leased queues on the one loop (worker/lease_loop.c). */
	struct lease_loop *webhooks, *placements, *mailbox_tests;
	/* When a mailer last looked for approver notifications (worker_monotonic_ms; atomic):
	 * the mailers take turns (outbox.c, notify_turn). */
	int64_t notify_last_ms;
};

/* Thread bodies of worker/outbox.c (arg: the struct worker): the claimer claims due
 * messages for the mailers, each mailer delivers them one at a time (worker/deliver.c)
 * and mails approver notifications between them, the recorder writes their outcomes down
 * in batches until the mailers have stopped. */
void *outbox_claimer(void *arg);
void *outbox_mailer(void *arg);
void *outbox_recorder(void *arg);

/* The leased queues' descriptions (worker/hooks.c, worker/mailbox_test.c). */
extern const struct lease_queue webhook_lease_queue;
extern const struct lease_queue placement_lease_queue;
extern const struct lease_queue mailbox_test_lease_queue;

/* worker_deadline writes into *until the CLOCK_REALTIME instant ms milliseconds from now,
 * for pthread_cond_timedwait (condition variables wait on that clock by default). */
void worker_deadline(unsigned ms, struct timespec *until);
/* worker_monotonic_ms is this process's monotonic clock in milliseconds. */
int64_t worker_monotonic_ms(void);

#endif
