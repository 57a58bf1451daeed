/* worker_links.c: one placement check's fetch and inspection (worker_links.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "core/webhooks.h"
#include "hook/link_find.h"
#include "util/regdomain.h"
#include "worker_links.h"

static void charset_of(const char *, char *, size_t);
static void fill_evidence(struct link_check *, const struct placement_job *);

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
	if (c->page.status != 0) {
		unsigned char h[crypto_hash_sha256_BYTES];
		crypto_hash_sha256(h, (const unsigned char *)(c->page.body ? c->page.body : ""),
		    c->page.len);
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

lc_err
link_check_run(const struct config *cfg, const struct placement_job *job, struct link_check *c)
{
	struct hook_get_request req;
	char charset[48];
	const char *why;
	unsigned hops = 0;

	memset(c, 0, sizeof(*c));
	memset(&req, 0, sizeof(req));
	req.connect_timeout_ms = (long)cfg->webhook_connect_timeout_ms;
	req.timeout_ms = (long)cfg->webhook_timeout_ms;
	req.max_bytes = PLACEMENT_PAGE_MAX;
	req.allow_private = cfg->webhook_allow_private;
	req.https_only = !cfg->webhook_allow_http;
	req.ca_file = cfg->webhook_ca_file[0] ? cfg->webhook_ca_file : NULL;
	req.user_agent = cfg->placement_user_agent[0] ? cfg->placement_user_agent : NULL;
	snprintf(c->final_url, sizeof(c->final_url), "%s", job->link_url);
	for (;;) {
		req.url = c->final_url;
		if (hook_get(&req, &c->page) != LC_OK)
			return LC_ENOMEM;
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
				    "the page redirects off the prospect's site, to %.200s", c->page.location);
			break;
		}
		hops++;
		snprintf(c->final_url, sizeof(c->final_url), "%s", c->page.location);
		hook_page_free(&c->page);
	}
	c->ev.redirects = hops;
	if (c->page.status >= 200 && c->page.status <= 299) {
		charset_of(c->page.content_type, charset, sizeof(charset));
		if (link_inspect(c->page.body ? c->page.body : "", c->page.len,
		        charset[0] ? charset : NULL, c->final_url, job->target_url, &c->facts) == 0)
			c->ev.parsed = 1;
		else
			c->ev.parse_failed = 1;
	}
	fill_evidence(c, job);
	return LC_OK;
}

void
link_check_free(struct link_check *c)
{
	if (c == NULL)
		return;
	hook_page_free(&c->page);
	page_facts_free(&c->facts);
	memset(c, 0, sizeof(*c));
}
