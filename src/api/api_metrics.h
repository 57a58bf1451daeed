/* api_metrics.h: GET /metrics, Prometheus's text exposition of linkcamp-fcgi (docs/metrics.md). */
#ifndef LC_API_METRICS_H
#define LC_API_METRICS_H

#include <stddef.h>

#include "util/config.h"
#include "util/err.h"

/* api_metrics_init reads [metrics] token and allow from cfg (borrowed; read now only).
 * Call once in main before the threads start. LC_EINVAL with a reason in why (size
 * whylen) when they do not parse. Without it, /metrics answers 404. */
lc_err api_metrics_init(const struct config *cfg, char *why, size_t whylen);

/* api_metrics answers GET /metrics (a route handler; ctx is a struct http_ctx): 404
 * route_not_found while metrics are off, 401 without the configured bearer token, 403 from
 * an address outside the allow list, else 200 text/plain; version=0.0.4. The database's
 * gauges are left out, and linkcamp_database_up is 0, when it does not answer. */
void api_metrics(void *ctx);

#endif
