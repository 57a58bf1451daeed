/* worker/metrics.h: linkcamp-worker's own Prometheus metrics — what it did (deliveries,
 * webhook attempts, placement checks) since it started — served on a loopback port
 * ([metrics] worker_listen) by one small thread. The counters are C11 atomics; counting
 * never blocks a mailer. */
#ifndef LC_WORKER_METRICS_H
#define LC_WORKER_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "util/config.h"
#include "util/err.h"

enum wm_delivery { WM_SENT = 0, WM_DEFERRED, WM_FAILED, WM_UNKNOWN, WM_NDELIVERY };
enum wm_webhook { WM_WH_SUCCESS = 0, WM_WH_HTTP_ERROR, WM_WH_NETWORK_ERROR, WM_NWEBHOOK };
/* a check's verdict (core/placements.h, docs/placements.md) */
enum wm_placement {
	WM_PL_LIVE = 0,
	WM_PL_LIVE_ISSUES,
	WM_PL_MISSING,
	WM_PL_UNVERIFIABLE,
	WM_NPLACEMENT
};

/* worker_metrics_delivery counts one SMTP delivery attempt's outcome and its duration. */
void worker_metrics_delivery(enum wm_delivery outcome, uint64_t us);
/* worker_metrics_webhook counts one webhook delivery attempt. */
void worker_metrics_webhook(enum wm_webhook outcome);
/* worker_metrics_placement counts one placement check. */
void worker_metrics_placement(enum wm_placement outcome);

/* worker_metrics_start starts the listener when cfg's [metrics] worker_listen is set
 * (host:port, or [v6]:port; the host must be a loopback address; port 0 lets the kernel
 * choose, and the log's "metrics listening" record names the port). Scrapes obey
 * [metrics] token and allow as /metrics of linkcamp-fcgi does; with neither set, any
 * local process may scrape. LC_EINVAL or LC_EIO with a reason in why (size whylen) when
 * the address is not loopback, does not parse, or cannot be bound. LC_OK without a
 * listener when worker_listen is empty. */
lc_err worker_metrics_start(const struct config *cfg, char *why, size_t whylen);

/* worker_metrics_stop ends the listener thread (when started) and closes its socket. */
void worker_metrics_stop(void);

#endif
