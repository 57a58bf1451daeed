/* notify.h: emailing approvers what starts waiting for them, gathered per workspace
 * (docs/notifications.md): the first item of a quiet workspace at once, the items that
 * follow within the interval together in one email when it ends. */
#ifndef LC_NOTIFY_H
#define LC_NOTIFY_H

#include "core/core.h"
#include "db/db.h"

/* notify_queue_tx records that msg_id now waits for approval (one statement, inside the
 * caller's transaction); the worker mails the workspace's approvers later. */
lc_err notify_queue_tx(struct db *db, int64_t workspace_id, int64_t msg_id);

/* One claimed email, composed: the notifications it answers for (every item it lists or
 * counts), an owned copy of the recipients, the subject and the text. */
struct notify_job {
	int64_t *ids;
	size_t nids;
	unsigned attempts; /* this attempt's number: the most any of its items had, plus one */
	char **rcpts;
	size_t nrcpts;
	char *subject, *text;
};

/* notify_claim claims, under a lease, the due notifications of up to max workspaces
 * whose interval has passed, one job per workspace with every due item of it (one item
 * per job when interval_seconds is 0), and makes the due items of workspaces still in
 * their interval due when it ends. Items already decided, or workspaces without
 * approvers, are closed without a job. *jobs is malloc'd (free with notify_jobs_free). */
lc_err notify_claim(struct core *core, unsigned lease_seconds, unsigned interval_seconds,
    unsigned max, struct notify_job **jobs, size_t *n);
void notify_jobs_free(struct notify_job *jobs, size_t n);

/* notify_done records the outcome of a job, for all its items in one statement:
 * delivered to every approver, or a failure that is retried with backoff (given up after
 * 5 attempts). */
lc_err notify_done(
    struct core *core, const struct notify_job *job, int delivered, const char *error);

/* notify_reap returns notifications whose worker vanished to pending. */
lc_err notify_reap(struct core *core);

#endif
