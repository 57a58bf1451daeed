/* reqstats.h: the FastCGI server's request counters for /metrics — requests by route,
 * method and status, and a latency histogram per route and method. The labels are the
 * router's static strings (a route's pattern, never the path a client sent), so their
 * number is bounded by the route table. */
#ifndef LC_REQSTATS_H
#define LC_REQSTATS_H

#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

/* The route label of a request no route matched (404, 405): one series for all of them,
 * so that a client probing random paths cannot grow the exposition. */
#define REQSTATS_UNMATCHED "unmatched"

/* reqstats_method returns a static label for a client's method: the method itself when it
 * is one HTTP defines (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS), else "other".
 * method may be NULL ("other"). */
const char *reqstats_method(const char *method);

/* reqstats_observe counts one answered request. route and method must be static strings
 * (their addresses key the series); status outside 100..599 counts as 599; us is the time
 * from the request's start to its answer. Thread-safe and lock-free; when the table of
 * series is full the request counts under REQSTATS_UNMATCHED. */
void reqstats_observe(const char *route, const char *method, int status, uint64_t us);

/* reqstats_write appends the linkcamp_http_requests_total and
 * linkcamp_http_request_duration_seconds families to out. LC_ENOMEM when out is full. */
lc_err reqstats_write(struct buf *out);

#endif
