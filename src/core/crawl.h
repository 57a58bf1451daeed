/* crawl.h: the placement checker's manners per host (docs/placements.md, "A polite
 * checker"): at most one visit per host per interval, shared by every worker through the
 * database, and the host's robots.txt cached there. A visit is one check: the host's
 * robots.txt when the cache is stale, the page and its redirect hops. */
#ifndef LC_CRAWL_H
#define LC_CRAWL_H

#include <stddef.h>
#include "core/core.h"

/* crawl_take_slot takes host's next visit (borrowed; lowercase, no port) if it is free:
 * *wait_ms 0 and the next one is interval_ms away; else *wait_ms says how long until it
 * is free, and nothing changes. db errors. */
lc_err crawl_take_slot(struct core *core, const char *host, unsigned interval_ms, int64_t *wait_ms);
/* crawl_slot_wait is the rule crawl_take_slot applies to a host's stored next slot
 * (slot_ms, epoch ms; 0 for none) at now_ms: 0 when the slot is free to take, else the
 * milliseconds until it is. A slot more than interval_ms ahead counts as free: only a
 * clock that went back can have set it. */
int64_t crawl_slot_wait(int64_t slot_ms, int64_t now_ms, unsigned interval_ms);

/* A host's cached robots.txt. */
struct crawl_robots {
	int fresh;   /* fetched less than ttl ago */
	long status; /* its HTTP status; 0: it could not be fetched */
	char *body;  /* malloc'd (NUL-terminated after len bytes) or NULL */
	size_t len;
};
/* crawl_robots_get reads host's cached robots.txt into *out (free with
 * crawl_robots_free); out->fresh 0 when there is none or it is older than ttl_seconds.
 * db errors, LC_ENOMEM. */
lc_err crawl_robots_get(
    struct core *core, const char *host, unsigned ttl_seconds, struct crawl_robots *out);
/* crawl_robots_put caches host's robots.txt as just fetched (a visit made it, so the
 * host's row exists). db errors. */
lc_err crawl_robots_put(
    struct core *core, const char *host, long status, const char *body, size_t len);
/* crawl_robots_free frees r->body. */
void crawl_robots_free(struct crawl_robots *r);

#endif
