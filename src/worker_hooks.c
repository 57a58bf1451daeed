/* worker_hooks.c: linkcamp-worker's two outbound-HTTP threads — the webhook sender and
 * the placement checker. Wiring like the rest of the worker: the rules are in
 * core/webhook_send.c and core/placement_check.c, the HTTP in hook/. Each thread has its
 * own database connection, claims a few jobs at a time under a lease, and naps when
 * none is due; what it claimed and did not start when the worker stops goes back when
 * its lease expires. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "core/placements.h"
#include "core/webhooks.h"
#include "hook/hook_http.h"
#include "hook/link_find.h"
#include "worker_links.h"
#include "util/log.h"
#include "worker_metrics.h"
#include "worker_hooks.h"

#define RECORD_TRIES_DOWN 20 /* recording while the database is away: 500 ms apart */
#define WEBHOOK_CLAIM 8      /* webhook deliveries claimed at a time */
#define PLACEMENT_CLAIM 4    /* placement checks claimed at a time */

static void send_webhook(struct worker *, struct core *, const struct webhook_job *);
static void check_placement(struct worker *, struct core *, const struct placement_job *);

/* send_webhook signs and POSTs one claimed delivery, then records the attempt (retrying
 * the record while the database is away; if it never comes back, the lease expires and
 * the delivery is sent again with the same webhook-id: at least once). */
static void
send_webhook(struct worker *w, struct core *core, const struct webhook_job *job)
{
	const struct config *cfg = worker_cfg(w);
	struct hook_request req;
	struct hook_response res;
	struct webhook_result out;
	char sig[WHSIG_SIGNATURE_MAX], ts[32];
	int attempt;
	lc_err e;

	memset(&out, 0, sizeof(out));
	if (whsig_sign(job->secret, job->event_id, job->timestamp, job->body, job->body_len, sig) !=
	    LC_OK) {
		memset(&res, 0, sizeof(res));
		snprintf(res.error, sizeof(res.error), "the webhook's secret is unusable");
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
		if (hook_post(&req, &res) != LC_OK) {
			memset(&res, 0, sizeof(res));
			snprintf(res.error, sizeof(res.error), "out of memory");
		}
	}
	out.status = res.status;
	out.error = res.status ? NULL : res.error;
	out.excerpt = res.excerpt[0] ? res.excerpt : NULL;
	out.duration_ms = res.duration_ms;
	worker_metrics_webhook(res.status >= 200 && res.status <= 299 ? WM_WH_SUCCESS
	                       : res.status != 0                      ? WM_WH_HTTP_ERROR
	                                                              : WM_WH_NETWORK_ERROR);
	for (attempt = 1;; attempt++) {
		if ((e = webhook_record(core, job, &out, cfg->webhook_backoff_scale_ms)) == LC_OK)
			break;
		if (attempt >= RECORD_TRIES_DOWN || worker_stopping(w)) {
			log_msg(LOG_ERROR, "gave up recording webhook delivery %s (%s); its lease will "
			    "expire and it will be sent again", job->event_id, lc_strerror(e));
			return;
		}
		worker_nap(w, 500);
	}
	if (log_enabled(LOG_INFO)) {
		json_t *f = json_pack("{s:s,s:s,s:I,s:i,s:s}", "event", job->event_id, "type",
		    job->type, "webhook", (json_int_t)job->webhook_id, "status", (int)res.status,
		    "error", res.status ? "" : res.error);
		log_json(LOG_INFO, "webhook", f);
		json_decref(f);
	}
}

/* webhook_sender claims due webhook deliveries and sends them one at a time, with its
 * own database connection; it naps when none is due. What it claimed and did not start
 * when the worker stops goes back when its lease expires. */
void *
webhook_sender(void *arg)
{
	struct worker *w = arg;
	const struct config *cfg = worker_cfg(w);
	struct core core;
	struct webhook_job *jobs = NULL;
	size_t n = 0, i;
	lc_err e;

	db_thread_init();
	memset(&core, 0, sizeof(core));
	if ((core.db = db_new(cfg)) == NULL) {
		log_msg(LOG_ERROR, "webhook sender has no database handle: no webhooks will be sent");
		db_thread_end();
		return NULL;
	}
	while (!worker_stopping(w)) {
		if ((e = webhook_claim(&core, cfg->worker_lease_seconds, WEBHOOK_CLAIM, &jobs, &n)) !=
		    LC_OK) {
			log_msg(LOG_WARN, "webhook claim failed: %s", lc_strerror(e));
			worker_nap(w, 1000);
			continue;
		}
		for (i = 0; i < n; i++) {
			if (!worker_stopping(w))
				send_webhook(w, &core, &jobs[i]);
			webhook_job_clear(&jobs[i]);
		}
		free(jobs);
		jobs = NULL;
		if (n == 0)
			worker_nap(w, cfg->worker_poll_ms);
	}
	db_free(core.db);
	db_thread_end();
	return NULL;
}

/* check_placement fetches one claimed placement's page (worker_links.c), and records
 * the evidence and its verdict (retrying the record while the database is away; if it
 * never comes back, the lease expires and the check runs again). */
static void
check_placement(struct worker *w, struct core *core, const struct placement_job *job)
{
	const struct config *cfg = worker_cfg(w);
	struct link_check c;
	struct placement_timing t;
	enum placement_verdict v = PV_UNVERIFIABLE;
	int lost = 0;
	json_t *f;
	unsigned tries;
	lc_err e = LC_OK;

	if ((e = link_check_run(core, cfg, job, &c)) != LC_OK) {
		/* no evidence could be made: the lease expires and the check runs again */
		link_check_free(&c);
		log_msg(LOG_ERROR, "placement check %lld could not run (%s); its lease will expire "
		                   "and it runs again",
		    (long long)job->id, lc_strerror(e));
		return;
	}
	if (c.defer_ms > 0) {
		/* the host had a visit within the interval: back to the queue until it may */
		if ((e = placement_defer(core, job, c.defer_ms)) != LC_OK)
			log_msg(LOG_WARN, "placement check %lld not deferred (%s); its lease will expire",
			    (long long)job->id, lc_strerror(e));
		link_check_free(&c);
		return;
	}
	t.recheck_seconds = cfg->placement_recheck_seconds;
	t.backoff_scale_ms = cfg->placement_backoff_scale_ms;
	t.lost_after = cfg->placement_lost_after;
	t.lost_confirm_seconds = cfg->placement_lost_confirm_seconds;
	t.lost_recheck_seconds = cfg->placement_lost_recheck_seconds;
	for (tries = 0; tries < RECORD_TRIES_DOWN && !worker_stopping(w); tries++) {
		if ((e = placement_record(core, job, &c.ev, &t, &v, &lost)) == LC_OK)
			break;
		worker_nap(w, 500);
	}
	if (e == LC_OK)
		worker_metrics_placement(v == PV_LIVE          ? WM_PL_LIVE
		                         : v == PV_LIVE_ISSUES ? WM_PL_LIVE_ISSUES
		                         : v == PV_MISSING     ? WM_PL_MISSING
		                                               : WM_PL_UNVERIFIABLE);
	if (e != LC_OK)
		log_msg(LOG_ERROR, "gave up recording placement check %lld (%s); its lease will "
		                   "expire and it is checked again",
		    (long long)job->id, lc_strerror(e));
	else if (lost) {
		int queued = 0;
		if ((e = placement_reclaim(core, job, &queued)) != LC_OK)
			log_msg(LOG_ERROR, "placement %lld: the guarantee's reclaim was not queued (%s)",
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

/* placement_checker claims due placement checks and runs them one at a time, with its own
 * database connection; it naps when none is due. */
void *
placement_checker(void *arg)
{
	struct worker *w = arg;
	const struct config *cfg = worker_cfg(w);
	struct core core;
	struct placement_job *jobs = NULL;
	size_t n = 0, i;
	lc_err e;

	db_thread_init();
	memset(&core, 0, sizeof(core));
	if ((core.db = db_new(cfg)) == NULL) {
		log_msg(LOG_ERROR, "placement checker has no database handle: no links will be checked");
		db_thread_end();
		return NULL;
	}
	while (!worker_stopping(w)) {
		if ((e = placement_claim(&core, cfg->worker_lease_seconds, PLACEMENT_CLAIM, &jobs,
		         &n)) != LC_OK) {
			log_msg(LOG_WARN, "placement claim failed: %s", lc_strerror(e));
			worker_nap(w, 1000);
			continue;
		}
		for (i = 0; i < n; i++) {
			if (!worker_stopping(w))
				check_placement(w, &core, &jobs[i]);
			placement_job_clear(&jobs[i]);
		}
		free(jobs);
		jobs = NULL;
		if (n == 0)
			worker_nap(w, cfg->worker_poll_ms);
	}
	db_free(core.db);
	db_thread_end();
	return NULL;
}
