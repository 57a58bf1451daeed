/* worker/links.c: one placement check's fetch and inspection (worker/links.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include <sodium.h>

#include "core/crawl.h"
#include "core/webhooks.h"
#include "hook/link_find.h"
#include "util/regdomain.h"
#include "util/robots.h"
#include "worker/links.h"

static void charset_of(const char *, char *, size_t);
static void fill_evidence(struct link_check *, const struct placement_job *);
static void base_request(const struct config *, struct hook_get_request *);
static lc_err robots_for(
    struct core *, const struct config *, const char *, const char *, struct crawl_robots *);
static void judge_robots(
    const struct config *, const struct crawl_robots *, const char *, struct link_check *);

/* charset_of copies the charset parameter of a Content-Type value into out (a name of
 * letters, digits and ._:- only, else ""). */
static void
charset_of(const char *ctype, char *out, size_t outlen)
{
	const char *p = strcasestr(ctype, "charset=");
	size_t n = 0;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += 8;
	if (*p == '"' || *p == '\'')
		p++;
	while (p[n] && (isalnum((unsigned char)p[n]) || strchr("._:-", p[n])) && n + 1 < outlen)
		n++;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* fill_evidence lays out what c fetched and inspected as core's evidence. */
static void
fill_evidence(struct link_check *c, const struct placement_job *job)
{
	struct placement_evidence *ev = &c->ev;
	struct page_facts *f = &c->facts;
	size_t i;

	(void)job;
	ev->http_status = c->page.status;
	ev->fetch_error = c->error[0] ? c->error : c->page.status == 0 ? c->page.error : NULL;
	ev->final_url = c->final_url[0] ? c->final_url : NULL;
	ev->content_type = c->page.content_type;
	ev->x_robots_tag = c->page.x_robots_tag;
	ev->last_modified = c->page.last_modified;
	ev->truncated = c->page.truncated;
	if (c->page.status != 0 && !ev->not_fetched) {
		unsigned char h[crypto_hash_sha256_BYTES];
		crypto_hash_sha256(
		    h, (const unsigned char *)(c->page.body ? c->page.body : ""), c->page.len);
		sodium_bin2hex(c->sha256, sizeof(c->sha256), h, sizeof(h));
		ev->body_sha256 = c->sha256;
		ev->body_size = c->page.len;
	}
	ev->anchors = f->anchors;
	ev->scripts = f->scripts;
	ev->text_bytes = f->text_bytes;
	ev->challenge = f->challenge;
	ev->meta_noindex = f->meta_noindex;
	ev->meta_robots = f->meta_robots;
	ev->canonical = f->canonical;
	ev->canonical_elsewhere = f->canonical != NULL && ev->final_url != NULL &&
	                          !link_url_same(ev->final_url, f->canonical);
	ev->hits_total = f->hits_total;
	ev->nhits = f->nhits;
	for (i = 0; i < f->nhits; i++) {
		ev->hits[i].href = f->hits[i].href;
		ev->hits[i].anchor = f->hits[i].anchor;
		ev->hits[i].rel = f->hits[i].rel;
		ev->hits[i].context = f->hits[i].context;
		ev->hits[i].nofollow = (f->hits[i].rel_bits & LINK_REL_NOFOLLOW) != 0;
		ev->hits[i].sponsored = (f->hits[i].rel_bits & LINK_REL_SPONSORED) != 0;
		ev->hits[i].ugc = (f->hits[i].rel_bits & LINK_REL_UGC) != 0;
	}
}

/* base_request: what every request of the checker is held to (cfg's switches). */
static void
base_request(const struct config *cfg, struct hook_get_request *req)
{
	memset(req, 0, sizeof(*req));
	req->connect_timeout_ms = (long)cfg->webhook_connect_timeout_ms;
	req->timeout_ms = (long)cfg->webhook_timeout_ms;
	req->max_bytes = PLACEMENT_PAGE_MAX;
	req->allow_private = cfg->webhook_allow_private;
	req->https_only = !cfg->webhook_allow_http;
	req->ca_file = cfg->webhook_ca_file[0] ? cfg->webhook_ca_file : NULL;
	req->user_agent = cfg->placement_user_agent[0] ? cfg->placement_user_agent : NULL;
}

/* robots_for reads host's robots.txt from the cache, or fetches it (from the origin of
 * url: its scheme and authority) and caches it when the cache is stale. Redirects of
 * robots.txt are not followed: a 3xx counts as no robots.txt (RFC 9309 lets a crawler
 * treat it as unavailable). */
static lc_err
robots_for(struct core *core, const struct config *cfg, const char *host, const char *url,
    struct crawl_robots *out)
{
	struct hook_get_request req;
	struct hook_page page;
	char origin[HOOK_URL_MAX];
	const char *auth = strstr(url, "://");
	size_t n;
	lc_err e;

	if ((e = crawl_robots_get(core, host, cfg->placement_robots_ttl_seconds, out)) != LC_OK ||
	    out->fresh)
		return e;
	n = auth ? (size_t)(auth + 3 - url) + strcspn(auth + 3, "/?#") : 0;
	if (n == 0 || n + sizeof("/robots.txt") > sizeof(origin))
		return LC_EINVAL; /* a validated URL always has an origin */
	memcpy(origin, url, n);
	memcpy(origin + n, "/robots.txt", sizeof("/robots.txt"));
	base_request(cfg, &req);
	req.url = origin;
	req.max_bytes = ROBOTS_MAX_BYTES;
	if (hook_get(&req, &page) != LC_OK)
		return LC_ENOMEM;
	out->fresh = 1;
	out->status = page.status;
	if (page.status >= 200 && page.status <= 299) {
		out->body = page.body; /* taken over */
		out->len = page.len;
		page.body = NULL;
	}
	hook_page_free(&page);
	/* no answer at all (refused, timeout, DNS) is not cached: the page's own fetch will
	 * say what went wrong, and the next visit asks again */
	if (out->status == 0)
		return LC_OK;
	return crawl_robots_put(core, host, out->status, out->body, out->len);
}

/* judge_robots applies RFC 9309 to the page's path: a 2xx file is read; a 4xx (or an
 * unfollowed 3xx) means no rules; a 5xx means "disallow everything" until it can be read;
 * no answer at all leaves the page's fetch to say why. Our own token decides whether we fetch;
 * Googlebot's whether search engines may crawl the page (an issue of a live link). */
static void
judge_robots(
    const struct config *cfg, const struct crawl_robots *r, const char *url, struct link_check *c)
{
	char token[64];
	const char *path = strstr(url, "://");
	char p[HOOK_URL_MAX];
	size_t n;

	robots_agent_token(cfg->placement_user_agent, token, sizeof(token));
	c->ev.robots_blocks_search = 0; /* the last hop's host decides */
	path = path ? path + 3 + strcspn(path + 3, "/?#") : url;
	n = strcspn(path, "#");
	if (n == 0 || path[0] != '/') { /* "https://host?q" asks for "/?q" */
		snprintf(p, sizeof(p), "/%.*s", (int)(n < sizeof(p) - 2 ? n : sizeof(p) - 2), path);
	} else {
		snprintf(p, sizeof(p), "%.*s", (int)(n < sizeof(p) - 1 ? n : sizeof(p) - 1), path);
	}
	if (r->status >= 500) {
		c->ev.not_fetched = 1;
		snprintf(c->error, sizeof(c->error),
		    "robots.txt answered HTTP %ld: the site is "
		    "treated as disallowing everything until it reads",
		    r->status);
		return;
	}
	if (r->status < 200 || r->status > 299)
		return;
	if (!robots_allowed(r->body, r->len, token, p)) {
		c->ev.not_fetched = 1;
		if (c->ev.redirects == 0 && strcmp(url, c->final_url) == 0 && c->page.status == 0)
			snprintf(c->error, sizeof(c->error),
			    "robots.txt disallows linkcamp's checker (%s) this page: it was not "
			    "fetched",
			    token);
		else /* a redirect's target: its own host's robots.txt has the say */
			snprintf(c->error, sizeof(c->error),
			    "robots.txt disallows linkcamp's checker (%s) the page the redirect "
			    "leads to "
			    "(%.*s): it was not fetched",
			    token, (int)(strlen(url) < 150 ? strlen(url) : 150), url);
		return;
	}
	c->ev.robots_blocks_search = !robots_allowed(r->body, r->len, "Googlebot", p);
}

/* hop_add appends one visited URL to the check's hop chain (status 0: not asked; robots:
 * the host's robots.txt forbade it). Out of memory leaves the chain shorter: the verdict
 * does not depend on it. */
static void
hop_add(json_t *hops, const char *url, long status, int robots)
{
	json_t *h = json_pack("{s:s,s:o,s:b}", "url", url, "httpStatus",
	    status ? json_integer(status) : json_null(), "robotsDisallowed", robots);

	if (h != NULL)
		json_array_append_new(hops, h);
}

/* A host a check's chain reached: its slot is taken and its robots.txt read once per
 * check (a chain that loops on a host whose robots.txt gave no answer asks it once). */
struct visited {
	char host[REGDOMAIN_HOST_MAX];
	struct crawl_robots robots;
};

/* visit_host is the first step of a visit to url's host: its slot (once per host per
 * check: the interval applies to every host the chain visits) and its robots.txt, then
 * that file judged for url. *defer_ms > 0: the host's slot is taken. */
static lc_err
visit_host(struct core *core, const struct config *cfg, const char *url, struct visited *seen,
    unsigned *nseen, struct link_check *c)
{
	char host[REGDOMAIN_HOST_MAX];
	unsigned i;
	lc_err e;

	if (url_host(url, host, sizeof(host)) != 0)
		return LC_EINVAL; /* validated when it was recorded, or by webhook_url_check */
	for (i = 0; i < *nseen && strcmp(seen[i].host, host) != 0; i++)
		;
	if (i == *nseen) {
		if ((e = crawl_take_slot(
		         core, host, cfg->placement_host_interval_ms, &c->defer_ms)) != LC_OK ||
		    c->defer_ms > 0)
			return e;
		memcpy(seen[i].host, host, sizeof(host));
		memset(&seen[i].robots, 0, sizeof(seen[i].robots));
		(*nseen)++;
		if ((e = robots_for(core, cfg, host, url, &seen[i].robots)) != LC_OK)
			return e;
	}
	judge_robots(cfg, &seen[i].robots, url, c);
	return LC_OK;
}

lc_err
link_check_run(struct core *core, const struct config *cfg, const struct placement_job *job,
    struct link_check *c)
{
	struct hook_get_request req;
	char charset[48];
	struct visited seen[LINK_REDIRECTS_MAX + 1];
	const char *why;
	unsigned hops = 0, nseen = 0, i;
	json_t *chain;
	lc_err e = LC_OK;

	memset(c, 0, sizeof(*c));
	if ((chain = json_array()) == NULL)
		return LC_ENOMEM;
	snprintf(c->final_url, sizeof(c->final_url), "%s", job->link_url);
	base_request(cfg, &req);
	/* every hop is a visit to its host: the host's slot (when the chain first reaches it)
	 * and its robots.txt, before the request */
	for (;;) {
		if ((e = visit_host(core, cfg, c->final_url, seen, &nseen, c)) != LC_OK ||
		    c->defer_ms > 0)
			goto out; /* a taken slot mid-chain: the whole check waits for it */
		if (c->ev.not_fetched) {
			hop_add(chain, c->final_url, 0, 1);
			break;
		}
		hook_page_free(&c->page);
		req.url = c->final_url;
		if (hook_get(&req, &c->page) != LC_OK) {
			e = LC_ENOMEM;
			goto out;
		}
		hop_add(chain, c->final_url, c->page.status, 0);
		if (c->page.status < 300 || c->page.status > 399 || c->page.location[0] == '\0')
			break;
		/* a redirect: followed only on the prospect's site, under the same URL rules */
		if (hops == LINK_REDIRECTS_MAX ||
		    webhook_url_check(c->page.location, cfg->webhook_allow_http, &why) != 0 ||
		    !regdomain_url_on(c->page.location, job->domain)) {
			c->ev.offsite_redirect = 1;
			if (hops == LINK_REDIRECTS_MAX)
				snprintf(c->error, sizeof(c->error), "more than %d redirects",
				    LINK_REDIRECTS_MAX);
			else
				snprintf(c->error, sizeof(c->error),
				    "the page redirects off the prospect's site, to %.200s",
				    c->page.location);
			break;
		}
		hops++;
		snprintf(c->final_url, sizeof(c->final_url), "%s", c->page.location);
	}
	c->ev.redirects = hops;
	if ((c->hops = json_dumps(chain, JSON_COMPACT)) == NULL) {
		e = LC_ENOMEM;
		goto out;
	}
	c->ev.hops = c->hops;
	if (!c->ev.not_fetched && c->page.status >= 200 && c->page.status <= 299) {
		charset_of(c->page.content_type, charset, sizeof(charset));
		if (link_inspect(c->page.body ? c->page.body : "", c->page.len,
		        charset[0] ? charset : NULL, c->final_url, job->target_url, &c->facts) == 0)
			c->ev.parsed = 1;
		else
			c->ev.parse_failed = 1;
	}
	fill_evidence(c, job);
out:
	for (i = 0; i < nseen; i++)
		crawl_robots_free(&seen[i].robots);
	json_decref(chain);
	return e;
}

void
link_check_free(struct link_check *c)
{
	if (c == NULL)
		return;
	hook_page_free(&c->page);
	page_facts_free(&c->facts);
	free(c->hops);
	memset(c, 0, sizeof(*c));
}
