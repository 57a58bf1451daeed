/* notify.h: emailing approvers a link to each item that starts waiting for them. */
#ifndef LC_NOTIFY_H
#define LC_NOTIFY_H

#include "core/core.h"
#include "db/db.h"

/* notify_queue_tx records that msg_id now waits for approval (inside the caller's
 * transaction); the worker mails the workspace's approvers later. */
lc_err notify_queue_tx(struct db *db, int64_t workspace_id, int64_t msg_id);

/* One claimed notification, composed: an owned copy of the recipients and the text. */
struct notify_job {
	int64_t id;
	unsigned attempts;
	char **rcpts;
	size_t nrcpts;
	char *subject, *text;
};

/* notify_claim claims up to max due notifications under a lease and composes them. Items
 * already decided, or workspaces without approvers, are closed without a job. *jobs is
 * malloc'd (free with notify_jobs_free). */
lc_err notify_claim(
    struct core *core, unsigned lease_seconds, unsigned max, struct notify_job **jobs, size_t *n);
void notify_jobs_free(struct notify_job *jobs, size_t n);

/* notify_done records the outcome: delivered to every approver, or a failure that is
 * retried with backoff (given up after 5 attempts). */
lc_err notify_done(
    struct core *core, const struct notify_job *job, int delivered, const char *error);

/* notify_reap returns notifications whose worker vanished to pending. */
lc_err notify_reap(struct core *core);

#endif
