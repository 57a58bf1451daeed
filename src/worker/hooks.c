/* worker/hooks.c: linkcamp-worker's two outbound-HTTP queues — the webhook sender and
 * the placement checker — as two lease_queues on the one loop (worker/lease_loop.c).
 * Wiring like the rest of the worker: the rules are in core/webhook_send.c and
 * core/placement_check.c, the HTTP in hook/. Each claims a few jobs at a time under a
 * lease; what it claimed and did not start when the worker stops goes back when its
 * lease expires. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "core/lease.h"
#include "core/placements.h"
#include "core/webhooks.h"
#include "hook/hook_http.h"
#include "hook/link_find.h"
#include "worker/links.h"
#include "util/log.h"
#include "worker/lease_loop.h"
#include "worker/metrics.h"
#include "worker/worker_int.h"

#define WEBHOOK_CLAIM 8   /* webhook deliveries claimed at a time */
#define PLACEMENT_CLAIM 4 /* placement checks claimed at a time */

/* One webhook delivery of a claimed batch: its job, what the receiver answered, and
 * whether it was sent (a batch cut short by a stop leaves the rest unsent). */
struct webhook_item {
	struct webhook_job job;
	struct hook_response res;
	int ran;
};
/* A batch's record, for lease_record. */
struct webhook_rec {
	const struct webhook_outcome *v;
	size_t n;
	unsigned scale_ms;
};
struct placement_rec {
	const struct placement_job *job;
	const struct placement_evidence *ev;
	const struct placement_timing *t;
	enum placement_verdict *v;
	int *lost;
};

static lc_err webhook_claim_jobs(struct lease_ctx *, unsigned, void **, size_t *);
static void send_webhook(struct lease_ctx *, void *);
static void record_webhooks(struct lease_ctx *, void *, size_t);
static lc_err record_webhook_batch(struct core *, void *);
static void webhook_clear(void *);
static lc_err placement_claim_jobs(struct lease_ctx *, unsigned, void **, size_t *);
static void check_placement(struct lease_ctx *, void *);
static lc_err record_placement(struct core *, void *);
static void placement_clear(void *);

const struct lease_queue webhook_lease_queue = {
    .name = "webhook sender",
    .threads = 1,
    .batch = WEBHOOK_CLAIM,
    .claim = webhook_claim_jobs,
    .job_size = sizeof(struct webhook_item),
    .run = send_webhook,
    .done = record_webhooks,
    .clear = webhook_clear,
};

const struct lease_queue placement_lease_queue = {
    .name = "placement checker",
    .threads = 1,
    .batch = PLACEMENT_CLAIM,
    .claim = placement_claim_jobs,
    .job_size = sizeof(struct placement_job),
    .run = check_placement,
    .clear = placement_clear,
};

/* webhook_claim_jobs claims a batch and moves each job into a webhook_item. */
static lc_err
webhook_claim_jobs(struct lease_ctx *c, unsigned max, void **jobs, size_t *n)
{
	struct webhook_job *j = NULL;
	struct webhook_item *items;
	size_t i;
	lc_err e = webhook_claim(c->core, c->cfg->worker_lease_seconds, max, &j, n);

	*jobs = NULL;
	if (e != LC_OK || *n == 0)
		return e;
	if ((items = calloc(*n, sizeof(*items))) == NULL) {
		/* the leases expire and the reaper returns the deliveries */
		for (i = 0; i < *n; i++)
			webhook_job_clear(&j[i]);
		free(j);
		*n = 0;
		return LC_ENOMEM;
	}
	for (i = 0; i < *n; i++)
		items[i].job = j[i]; /* the item owns what the job points to now */
	free(j);
	*jobs = items;
	return LC_OK;
}

static void
webhook_clear(void *item)
{
	webhook_job_clear(&((struct webhook_item *)item)->job);
}

static lc_err
record_webhook_batch(struct core *core, void *arg)
{
	struct webhook_rec *r = arg;

	return webhook_record_batch(core, r->v, r->n, r->scale_ms);
}

static lc_err
placement_claim_jobs(struct lease_ctx *c, unsigned max, void **jobs, size_t *n)
{
	struct placement_job *j = NULL;
	lc_err e = placement_claim(c->core, c->cfg->worker_lease_seconds, max, &j, n);

	*jobs = j;
	return e;
}

static void
placement_clear(void *job)
{
	placement_job_clear(job);
}

static lc_err
record_placement(struct core *core, void *arg)
{
	struct placement_rec *r = arg;

	return placement_record(core, r->job, r->ev, r->t, r->v, r->lost);
}

/* send_webhook signs and POSTs one claimed delivery and keeps the answer in the item;
 * record_webhooks writes it down with the rest of its batch. */
static void
send_webhook(struct lease_ctx *c, void *arg)
{
	struct webhook_item *item = arg;
	const struct webhook_job *job = &item->job;
	const struct config *cfg = c->cfg;
	struct hook_request req;
	struct hook_response *res = &item->res;
	char sig[WHSIG_SIGNATURE_MAX], ts[32];

	item->ran = 1;
	if (whsig_sign(job->secret, job->event_id, job->timestamp, job->body, job->body_len, sig) !=
	    LC_OK) {
		memset(res, 0, sizeof(*res));
		snprintf(res->error, sizeof(res->error), "the webhook's secret is unusable");
	} else {
		snprintf(ts, sizeof(ts), "%lld", (long long)job->timestamp);
		memset(&req, 0, sizeof(req));
		req.url = job->url;
		req.body = job->body;
		req.body_len = job->body_len;
		req.webhook_id = job->event_id;
		req.timestamp = ts;
		req.signature = sig;
		req.connect_timeout_ms = (long)cfg->webhook_connect_timeout_ms;
		req.timeout_ms = (long)cfg->webhook_timeout_ms;
		req.allow_private = cfg->webhook_allow_private;
		req.https_only = !cfg->webhook_allow_http;
		req.ca_file = cfg->webhook_ca_file[0] ? cfg->webhook_ca_file : NULL;
		if (hook_post(&req, res) != LC_OK) {
			memset(res, 0, sizeof(*res));
			snprintf(res->error, sizeof(res->error), "out of memory");
		}
	}
	worker_metrics_webhook(res->status >= 200 && res->status <= 299 ? WM_WH_SUCCESS
	                       : res->status != 0                       ? WM_WH_HTTP_ERROR
	                                                                : WM_WH_NETWORK_ERROR);
}

/* record_webhooks records the attempts of a batch that were made, in one transaction
 * (retried while the database is away; if it never comes back, the leases expire and the
 * deliveries are sent again with the same webhook-id: at least once). */
static void
record_webhooks(struct lease_ctx *c, void *jobs, size_t n)
{
	struct webhook_item *items = jobs;
	struct webhook_outcome v[LEASE_CLAIM_MAX];
	struct webhook_rec rec;
	size_t i, m = 0;
	lc_err e;

	for (i = 0; i < n && m < LEASE_CLAIM_MAX; i++) {
		const struct hook_response *res = &items[i].res;
		if (!items[i].ran)
			continue;
		v[m].job = &items[i].job;
		v[m].res.status = res->status;
		v[m].res.error = res->status ? NULL : res->error;
		v[m].res.excerpt = res->excerpt[0] ? res->excerpt : NULL;
		v[m].res.duration_ms = res->duration_ms;
		m++;
	}
	if (m == 0)
		return;
	rec.v = v;
	rec.n = m;
	rec.scale_ms = c->cfg->webhook_backoff_scale_ms;
	if ((e = lease_record(c, record_webhook_batch, &rec)) != LC_OK) {
		for (i = 0; i < m; i++)
			log_msg(LOG_ERROR,
			    "gave up recording webhook delivery %s (%s); its lease will "
			    "expire and it will be sent again",
			    v[i].job->event_id, lc_strerror(e));
		return;
	}
	for (i = 0; i < m && log_enabled(LOG_INFO); i++) {
		json_t *f = json_pack("{s:s,s:s,s:I,s:i,s:s}", "event", v[i].job->event_id, "type",
		    v[i].job->type, "webhook", (json_int_t)v[i].job->webhook_id, "status",
		    (int)v[i].res.status, "error", v[i].res.status ? "" : v[i].res.error);
		log_json(LOG_INFO, "webhook", f);
		json_decref(f);
	}
}

/* check_placement fetches one claimed placement's page (worker/links.c), and records
 * the evidence and its verdict (retrying the record while the database is away; if it
 * never comes back, the lease expires and the check runs again). */
static void
check_placement(struct lease_ctx *lc, void *arg)
{
	const struct placement_job *job = arg;
	const struct config *cfg = lc->cfg;
	struct core *core = lc->core;
	struct link_check c;
	struct placement_timing t;
	struct placement_rec rec;
	enum placement_verdict v = PV_UNVERIFIABLE;
	int lost = 0;
	json_t *f;
	lc_err e = LC_OK;

	if ((e = link_check_run(core, cfg, job, &c)) != LC_OK) {
		/* no evidence could be made: the lease expires and the check runs again */
		link_check_free(&c);
		log_msg(LOG_ERROR,
		    "placement check %lld could not run (%s); its lease will expire "
		    "and it runs again",
		    (long long)job->id, lc_strerror(e));
		return;
	}
	if (c.defer_ms > 0) {
		/* the host had a visit within the interval: back to the queue until it may */
		if ((e = placement_defer(core, job, c.defer_ms)) != LC_OK)
			log_msg(LOG_WARN,
			    "placement check %lld not deferred (%s); its lease will expire",
			    (long long)job->id, lc_strerror(e));
		link_check_free(&c);
		return;
	}
	t.recheck_seconds = cfg->placement_recheck_seconds;
	t.backoff_scale_ms = cfg->placement_backoff_scale_ms;
	t.lost_after = cfg->placement_lost_after;
	t.lost_confirm_seconds = cfg->placement_lost_confirm_seconds;
	t.lost_recheck_seconds = cfg->placement_lost_recheck_seconds;
	rec.job = job;
	rec.ev = &c.ev;
	rec.t = &t;
	rec.v = &v;
	rec.lost = &lost;
	e = lease_record(lc, record_placement, &rec);
	if (e == LC_OK)
		worker_metrics_placement(v == PV_LIVE          ? WM_PL_LIVE
		                         : v == PV_LIVE_ISSUES ? WM_PL_LIVE_ISSUES
		                         : v == PV_MISSING     ? WM_PL_MISSING
		                                               : WM_PL_UNVERIFIABLE);
	if (e != LC_OK)
		log_msg(LOG_ERROR,
		    "gave up recording placement check %lld (%s); its lease will "
		    "expire and it is checked again",
		    (long long)job->id, lc_strerror(e));
	else if (lost) {
		int queued = 0;
		if ((e = placement_reclaim(core, job, &queued)) != LC_OK)
			log_msg(LOG_ERROR,
			    "placement %lld: the guarantee's reclaim was not queued (%s)",
			    (long long)job->id, lc_strerror(e));
	}
	f = json_pack("{s:I,s:s,s:i,s:s?,s:b,s:i}", "placement", (json_int_t)job->id, "verdict",
	    placement_verdict_name(v), "status", (int)c.page.status, "error", c.ev.fetch_error,
	    "truncated", c.page.truncated, "redirects", (int)c.ev.redirects);
	if (f) {
		log_json(LOG_INFO, "placement_check", f);
		json_decref(f);
	}
	link_check_free(&c);
}
