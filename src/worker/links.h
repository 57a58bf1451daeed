/* worker/links.h: one placement check as the worker runs it — fetch the page (redirects
 * followed only on the prospect's site, a bounded number of hops), inspect it, and lay
 * out the evidence for core's verdict (placement_record). The wiring between src/hook/
 * (libcurl, libxml2) and src/core/. */
#ifndef LC_WORKER_LINKS_H
#define LC_WORKER_LINKS_H

#include "core/placements.h"
#include "hook/hook_http.h"
#include "hook/link_inspect.h"
#include "util/config.h"

#define LINK_REDIRECTS_MAX 5 /* hops followed; one more is unverifiable */

/* What one check fetched; owns the memory ev's strings point into. */
struct link_check {
	struct hook_page page;
	struct page_facts facts;
	char sha256[65];
	char final_url[HOOK_URL_MAX];
	char error[HOOK_ERROR_MAX + 64];
	struct placement_evidence ev;
	char *hops;       /* the hop chain as JSON text (malloc'd; ev.hops points here) */
	int64_t defer_ms; /* > 0: the host's visit slot is taken; nothing was fetched */
};

/* link_check_run makes one visit to job's host under cfg's switches, when the host's slot
 * is free (else c->defer_ms says when it is, and nothing is fetched): robots.txt (cached
 * in the database), then the page unless robots.txt forbids it, inspected, and fills *c
 * (free with link_check_free) with the evidence (a failure is evidence too). Errors:
 * db errors and LC_ENOMEM, when no evidence could be made. */
lc_err link_check_run(struct core *core, const struct config *cfg, const struct placement_job *job,
    struct link_check *c);
/* link_check_free frees what link_check_run kept. */
void link_check_free(struct link_check *c);

#endif
