/* webhooks.h: webhooks (SPEC §7, docs/webhooks.md). The API's rules (webhooks.c), the
 * fan-out of events into the webhook outbox inside the transaction that records them
 * (called by events.c), and the worker's side: claim, payload, signature and the outcome
 * of an attempt (webhook_send.c). No HTTP client here: the worker passes what it got. */
#ifndef LC_WEBHOOKS_H
#define LC_WEBHOOKS_H

#include <stddef.h>
#include <stdint.h>
#include "core/core.h"
#include "core/sending.h"
#include "db/store_batch.h"
#include "util/whsig.h"

#define WEBHOOKS_MAX_PER_WORKSPACE 20
#define WEBHOOK_URL_MAX 2000
#define WEBHOOK_DESCRIPTION_MAX 500
#define WEBHOOK_TEST_EVENT "link_building.webhook.test"

/* The events a webhook subscribes to; bit i of a webhook's mask is event i. */
enum webhook_event {
	WHE_LINK_PLACED = 0,
	WHE_LINK_LOST,
	WHE_EMAIL_SENT,
	WHE_EMAIL_BOUNCED,
	WHE_REPLY_RECEIVED,
	WHE_APPROVAL_REQUESTED,
	WHE_APPROVAL_DECIDED,
	WHE_CAMPAIGN_PAUSED,
	WHE_CAMPAIGN_RESUMED,
	WHE_MAILBOX_PAUSED,
	WHE_N
};

/* webhook_event_name is the public name of event i (static), NULL when out of range. */
const char *webhook_event_name(unsigned i);
/* webhook_event_from_name is the event named s, -1 when none. */
int webhook_event_from_name(const char *s);

/* webhook_url_check validates a target URL: absolute https (or http when allow_http),
 * at most WEBHOOK_URL_MAX bytes of printable ASCII, a host, an optional numeric port, no
 * user:password@. 0 when valid; -1 with a static reason in *why. */
int webhook_url_check(const char *url, int allow_http, const char **why);

/* One webhook as the API shows it: the item of the struct page (core/paging.h) its reads
 * return; strings borrow from the page. */
struct webhook_view {
	const char *id, *url, *description, *disabled_reason;
	unsigned events_mask;
	int disabled;
	int64_t created_ms, updated_ms;
};

/* webhooks_create validates and stores a webhook for the principal's workspace. events
 * are n names (borrowed). On success v (one struct webhook_view; page_free in any case)
 * is the new webhook and secret its secret, shown once. LC_EINVAL with fail set
 * (validation_failed + param, or webhook_limit_reached) for bad input. */
lc_err webhooks_create(struct core *core, const struct principal *who, const char *url,
    const char *const *events, size_t n, const char *description, int allow_http, struct page *v,
    char secret[WHSIG_SECRET_MAX], struct core_fail *fail);

/* webhooks_list reads the workspace's webhooks (not deleted), newest first, all of them
 * (one page without a next; items: struct webhook_view); page_free out in every case. */
lc_err webhooks_list(struct core *core, const struct principal *who, struct page *out);

/* webhooks_delete deletes a webhook and cancels its pending deliveries. LC_ENOTFOUND. */
lc_err webhooks_delete(struct core *core, const struct principal *who, const char *public_id);

/* webhooks_test queues a WEBHOOK_TEST_EVENT for that webhook only; event_id receives its
 * id. LC_ENOTFOUND; LC_ECONFLICT when the webhook is disabled. */
lc_err webhooks_test(
    struct core *core, const struct principal *who, const char *public_id, char event_id[ID_MAX]);

/* One recorded attempt; strings borrow from the page's rows. */
struct webhook_attempt {
	int64_t id;
	const char *event_id, *type, *error;
	unsigned attempt;
	long status_code; /* 0: none */
	int64_t at_ms;
	long duration_ms;
};

struct webhook_attempts {
	struct db_rows rows;
	struct webhook_attempt *items;
	size_t n;
	int64_t total;
	int has_next;
	char next_cursor[CURSOR_MAX];
};

/* webhooks_deliveries reads one page of a webhook's attempts, newest first; before_id 0
 * starts at the newest. Free with webhook_attempts_free. LC_ENOTFOUND. */
lc_err webhooks_deliveries(struct core *core, const struct principal *who, const char *public_id,
    unsigned limit, int64_t before_id, struct webhook_attempts *out);
void webhook_attempts_free(struct webhook_attempts *a);

/* ---- fan-out (events.c calls these inside its transaction) ---- */

/* webhooks_fanout queues event ev (recorded as event_id at at_sql) for the workspace's
 * webhooks that subscribe to it; nothing for internal events no webhook can subscribe
 * to. One indexed INSERT ... SELECT that writes nothing when there are none. */
lc_err webhooks_fanout(
    struct db *db, const struct event_in *ev, const char *event_id, const char *at_sql);
/* webhooks_emit_mailbox_paused queues link_building.mailbox.paused for the workspace's
 * webhooks that subscribe to it (inside the caller's transaction): mailbox_public_id is
 * the payload's mailboxId, reason its reason (both borrowed). */
lc_err webhooks_emit_mailbox_paused(struct db *db, int64_t workspace_id,
    const char *mailbox_public_id, const char *reason, const char *at_sql);
/* webhooks_fanout_sent is webhooks_fanout for a batch of n (1..64) email_sent events,
 * given as the rows events_record_sent inserts (borrowed), in one statement. */
lc_err webhooks_fanout_sent(
    struct db *db, const struct store_event_row *rows, size_t n, const char *at_sql);

/* ---- the worker's side (webhook_send.c) ---- */

/* One claimed delivery, owning its strings. */
struct webhook_job {
	int64_t outbox_id, fence, webhook_id;
	unsigned attempts; /* made before this one */
	char *url, *secret, *event_id, *type;
	char *body; /* the JSON payload */
	size_t body_len;
	int64_t timestamp; /* unix seconds, fixed per attempt */
};

/* webhook_claim leases up to max due deliveries for lease_seconds in one transaction and
 * loads them into *jobs (calloc'd, *n of them; free each with webhook_job_clear, then the
 * array). Deliveries of a webhook no longer active are cancelled instead. */
lc_err webhook_claim(
    struct core *core, unsigned lease_seconds, unsigned max, struct webhook_job **jobs, size_t *n);
void webhook_job_clear(struct webhook_job *j);

/* The outcome of one attempt, as the HTTP client saw it. */
struct webhook_result {
	long status;         /* 0: no HTTP answer */
	const char *error;   /* why not (NULL when a status arrived); UTF-8, under 300 bytes */
	const char *excerpt; /* NULL or the answer's start: UTF-8, under 200 bytes */
	long duration_ms;
};

/* webhook_backoff_seconds is the wait before retry number attempts (1-based: after the
 * first failure 1), or -1 when no retry is left (≈ 3 days in all). */
long webhook_backoff_seconds(unsigned attempts);

/* One attempt made: its job (borrowed) and what the HTTP client saw. */
struct webhook_outcome {
	const struct webhook_job *job;
	struct webhook_result res;
};

/* webhook_record_batch writes n (0..LEASE_CLAIM_MAX) attempts down in one transaction: a
 * deliveries row each, and each outbox row delivered (2xx), failed for good (410 also
 * disables its webhook; or no retry left), or due again after the backoff times scale_ms
 * per second. A lost lease still records its attempt. The texts are the HTTP client's,
 * which makes them UTF-8 (hook_http.h). Errors: the transaction's (nothing written; the
 * caller retries, or the leases expire and the deliveries are sent again), LC_EINVAL over
 * the maximum or for a text that is not UTF-8. */
lc_err webhook_record_batch(
    struct core *core, const struct webhook_outcome *v, size_t n, unsigned scale_ms);

/* webhook_reap returns expired leases; *n receives how many. */
lc_err webhook_reap(struct core *core, unsigned *n);

#endif
