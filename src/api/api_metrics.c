/* api_metrics.c: GET /metrics (api_metrics.h). Process counters come from memory
 * (reqstats.c); the backlogs from a handful of index reads (core/ops.c), so a scrape costs
 * the same on a database with years of history as on an empty one. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/api_metrics.h"
#include "core/ops.h"
#include "core/sending.h"
#include "http/dispatch.h"
#include "http/reqstats.h"
#include "util/prom.h"
#include "util/scrape_auth.h"
#include "util/timefmt.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define METRICS_MAX (4 * 1024 * 1024) /* the route table bounds it far below this */

static struct scrape_auth access_rule;
static double started_s;

static lc_err write_backlog(struct buf *, struct core *);
static double age_s(int64_t);

lc_err
api_metrics_init(const struct config *cfg, char *why, size_t whylen)
{
	started_s = (double)now_ms() / 1000.0;
	return scrape_auth_init(&access_rule, cfg->metrics_token, cfg->metrics_allow, why, whylen);
}

/* age_s is how long ago (seconds, never negative) ms was; 0 for -1 (nothing waiting). */
static double
age_s(int64_t ms)
{
	int64_t d;

	if (ms < 0)
		return 0;
	d = now_ms() - ms;
	return d > 0 ? (double)d / 1000.0 : 0;
}

/* write_backlog appends the database's gauges, or linkcamp_database_up 0 alone. */
static lc_err
write_backlog(struct buf *out, struct core *core)
{
	struct ops_backlog b;
	char lbl[64];
	size_t k;
	lc_err e;

	e = ops_backlog_read(core, &b);
	if (e != LC_OK) {
		if ((e = prom_family(out, "linkcamp_database_up", "gauge",
		         "1 when the database answered this scrape's queries.")) != LC_OK)
			return e;
		return prom_sample(out, "linkcamp_database_up", NULL, 0);
	}
	if ((e = prom_family(out, "linkcamp_database_up", "gauge",
	         "1 when the database answered this scrape's queries.")) != LC_OK ||
	    (e = prom_sample(out, "linkcamp_database_up", NULL, 1)) != LC_OK)
		return e;
	if ((e = prom_family(out, "linkcamp_messages", "gauge",
	         "Outbound messages not yet settled, by state.")) != LC_OK)
		return e;
	for (k = 0; k < OPS_MSG_STATES; k++) {
		lbl[0] = '\0';
		prom_label(lbl, sizeof(lbl), "state", msg_status_name(ops_msg_status[k]));
		if ((e = prom_sample_u64(out, "linkcamp_messages", lbl, b.msg[k])) != LC_OK)
			return e;
	}
	if ((e = prom_family(out, "linkcamp_messages_oldest_due_age_seconds", "gauge",
	         "How long the earliest due message waiting for the worker has been due; 0 when "
	         "none is.")) != LC_OK ||
	    (e = prom_sample(out, "linkcamp_messages_oldest_due_age_seconds", NULL,
	         age_s(b.msg_oldest_due_ms))) != LC_OK)
		return e;
	if ((e = prom_family(out, "linkcamp_webhook_backlog", "gauge",
	         "Webhook deliveries not yet done, by state.")) != LC_OK ||
	    (e = prom_sample_u64(out, "linkcamp_webhook_backlog", "state=\"pending\"",
	         b.webhook_pending)) != LC_OK ||
	    (e = prom_sample_u64(
	         out, "linkcamp_webhook_backlog", "state=\"sending\"", b.webhook_sending)) != LC_OK)
		return e;
	if ((e = prom_family(out, "linkcamp_webhook_oldest_due_age_seconds", "gauge",
	         "How long the earliest due webhook delivery has been due; 0 when none is.")) !=
	        LC_OK ||
	    (e = prom_sample(out, "linkcamp_webhook_oldest_due_age_seconds", NULL,
	         age_s(b.webhook_oldest_due_ms))) != LC_OK)
		return e;
	if ((e = prom_family(out, "linkcamp_placement_backlog", "gauge",
	         "Link placements due for a check now (due) and being checked (checking).")) !=
	        LC_OK ||
	    (e = prom_sample_u64(
	         out, "linkcamp_placement_backlog", "state=\"due\"", b.placement_due)) != LC_OK)
		return e;
	return prom_sample_u64(
	    out, "linkcamp_placement_backlog", "state=\"checking\"", b.placement_checking);
}

void
api_metrics(void *arg)
{
	struct http_ctx *ctx = arg;
	const char *remote = ctx->req->fx ? FCGX_GetParam("REMOTE_ADDR", ctx->req->fx->envp) : NULL;
	struct buf out;
	lc_err e;

	switch (scrape_auth_check(&access_rule, ctx->req->authorization, remote)) {
	case LC_OK: break;
	case LC_EAUTH:
		http_problem(ctx->req, 401, "unauthorized",
		    "Scraping needs the bearer token of [metrics] token.", NULL, NULL,
		    "WWW-Authenticate: Bearer realm=\"metrics\"\r\n");
		return;
	case LC_EFORBIDDEN:
		http_problem(ctx->req, 403, "forbidden", "This address is not in [metrics] allow.",
		    NULL, NULL, NULL);
		return;
	default: /* off: as if the route did not exist */
		http_problem(ctx->req, 404, "route_not_found", "No such route.", NULL, NULL, NULL);
		return;
	}
	if (api_only_params(ctx, (const char *const[]){NULL}) != 0)
		return;
	buf_init(&out, METRICS_MAX);
	if ((e = prom_family(&out, "linkcamp_build_info", "gauge",
	         "Always 1; the version label names the running build.")) != LC_OK ||
	    (e = prom_sample(&out, "linkcamp_build_info",
	         "program=\"linkcamp-fcgi\",version=\"" PACKAGE_VERSION "\"", 1)) != LC_OK ||
	    (e = prom_family(&out, "process_start_time_seconds", "gauge",
	         "When linkcamp-fcgi started, in seconds since the epoch.")) != LC_OK ||
	    (e = prom_sample(&out, "process_start_time_seconds", NULL, started_s)) != LC_OK ||
	    (e = reqstats_write(&out)) != LC_OK || (e = http_cache_write_metrics(&out)) != LC_OK ||
	    (e = write_backlog(&out, ctx->core)) != LC_OK) {
		buf_free(&out);
		api_fail(ctx, LC_ENOMEM, NULL);
		return;
	}
	http_send(ctx->req, 200, "text/plain; version=0.0.4; charset=utf-8",
	    "Cache-Control: no-store\r\n", out.data, out.len);
	buf_free(&out);
}
