/* delivery.h: what the worker asks of the core — claim due messages, mark the DATA phase,
 * record outcomes, reap expired leases. */
#ifndef LC_DELIVERY_H
#define LC_DELIVERY_H

#include "core/sending.h"

/* One claimed message: an owned copy of what composing and sending need. */
struct delivery_job {
	int64_t id;
	uint64_t fence;
	char public_id[ID_MAX];
	char *from, *to, *to_name, *subject, *body, *message_id, *in_reply_to, *references;
	char *unsubscribe_token;
	char *open_token;   /* NULL unless the workspace tracks opens */
	int64_t mailbox_id; /* the sender mailbox it leaves from (mailbox_route_tx); 0: the relay */
};

#define DELIVERY_RECORD_MAX 64 /* the most outcomes one delivery_record takes */

enum delivery_outcome { DELIVERY_SENT, DELIVERY_TEMPFAIL, DELIVERY_PERMFAIL, DELIVERY_UNKNOWN };

struct delivery_result {
	enum delivery_outcome outcome;
	int code;                               /* SMTP reply code, 0 when none */
	int enh_class, enh_subject, enh_detail; /* RFC 3463, 0 when none */
	char text[200];
	int64_t mailbox_id;      /* the job's mailbox */
	int mailbox_auth_failed; /* its server refused AUTH (or the mailbox cannot be used as
	                            set up): the mailbox pauses, the message is held (not
	                            failed) until the mailbox is resumed */
};

/* delivery_claim claims up to max due messages for owner in one short transaction,
 * applying the claim-time rules (paused campaign: held; ended campaign or suppressed
 * address: cancelled; follow-up to a prospect who answered: cancelled; stale schedule:
 * back to approval). *jobs is malloc'd (free with delivery_jobs_free). */
lc_err delivery_claim(struct core *core, const char *owner, unsigned lease_seconds, unsigned max,
    struct delivery_job **jobs, size_t *n);
void delivery_jobs_free(struct delivery_job *jobs, size_t n);
/* delivery_job_clear frees the strings of one job (not the job itself) and zeroes it. */
void delivery_job_clear(struct delivery_job *job);

/* delivery_return gives a claimed job that was never started back to the queue, due
 * now (a stopping worker's unsent jobs need not wait for their leases to expire), with
 * why as its last error (borrowed). A lost lease changes nothing. */
lc_err delivery_return(struct core *core, const struct delivery_job *job, const char *why);

/* delivery_mark_data records that the SMTP DATA phase has begun; *held is 0 when the
 * lease was lost (the caller must then not send). */
lc_err delivery_mark_data(struct core *core, const struct delivery_job *job, int *held);

/* delivery_record stores the outcomes of n (0..DELIVERY_RECORD_MAX) attempts (results[i]
 * for jobs[i]) in one transaction, each under its job's fence: sent (credits captured, event,
 * invocation completed, next follow-up queued), deferred with backoff (failed after 5 days), failed
 * (credits released; 5.1.x suppresses the address) or unknown (released, never retried).
 * A lost lease records nothing for that job. */
lc_err delivery_record(struct core *core, const struct delivery_job *jobs,
    const struct delivery_result *results, size_t n);

/* delivery_reap returns expired leases: before DATA to scheduled, during or after DATA
 * to unknown. *reaped counts them. */
lc_err delivery_reap(struct core *core, unsigned *reaped);

#endif
