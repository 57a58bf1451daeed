/* placement_verdict.c: the verdict of one placement check from its evidence — the one
 * place where "live", "live_with_issues", "missing" and "unverifiable" are decided
 * (docs/placements.md explains each with its evidence). The principle: a link is only
 * called missing when the page was fetched fine and is a real page without it; anything
 * that stops us from seeing the page as a reader would (a bot check, an error, a block,
 * a JavaScript shell) is unverifiable, and unverifiable never counts toward lost. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>

#include "core/placements.h"

/* A 2xx page with no visible text beyond this and no links, but scripts, is a shell
 * that JavaScript fills in: we do not run it, so we cannot say the link is absent. */
#define SHELL_TEXT_BYTES 200

static const char *const verdict_names[PV_N] = {
    "live", "live_with_issues", "missing", "unverifiable"};
static const char *const issue_names[PI_N] = {"not_followed", "rel_differs", "anchor_differs",
    "noindex_meta", "noindex_header", "canonical_elsewhere", "robots_disallowed"};
static const char *const rel_names[PL_REL_N] = {"follow", "nofollow", "sponsored", "ugc"};

static int anchor_equal(const char *, const char *);
static unsigned live_issues(const struct placement_evidence *, const struct placement_expect *);

const char *
placement_verdict_name(unsigned v)
{
	return v < PV_N ? verdict_names[v] : "unknown";
}

const char *
placement_rel_name(int rel)
{
	return rel >= 0 && rel < PL_REL_N ? rel_names[rel] : "unknown";
}

int
placement_rel_from_name(const char *s)
{
	int i;

	for (i = 0; s && i < PL_REL_N; i++)
		if (strcmp(s, rel_names[i]) == 0)
			return i;
	return -1;
}

void
placement_issues_format(unsigned issues, char *out)
{
	size_t o = 0, i;

	out[0] = '\0';
	for (i = 0; i < PI_N; i++) {
		size_t n;
		if (!(issues & (1u << i)))
			continue;
		n = strlen(issue_names[i]);
		if (o + n + 2 > PLACEMENT_ISSUES_MAX)
			break;
		if (o > 0)
			out[o++] = ',';
		memcpy(out + o, issue_names[i], n + 1);
		o += n;
	}
}

/* anchor_equal compares anchor texts ASCII case-insensitively with runs of whitespace as
 * one space and none at the ends (the inspector already collapsed the page's). */
static int
anchor_equal(const char *want, const char *got)
{
	while (isspace((unsigned char)*want))
		want++;
	while (*want && *got) {
		if (isspace((unsigned char)*want)) {
			while (isspace((unsigned char)*want))
				want++;
			if (*want == '\0')
				break;
			if (*got++ != ' ')
				return 0;
			continue;
		}
		if (tolower((unsigned char)*want++) != tolower((unsigned char)*got++))
			return 0;
	}
	while (isspace((unsigned char)*want))
		want++;
	return *want == '\0' && *got == '\0';
}

int
placement_xrobots_noindex(const char *value)
{
	const char *p = value;
	int applies = 1; /* directives before any "bot:" prefix are for everyone */

	while (p && *p) {
		const char *tok, *colon;
		size_t n;
		p += strspn(p, " \t,");
		n = strcspn(p, ",");
		tok = p;
		p += n;
		while (n > 0 && isspace((unsigned char)tok[n - 1]))
			n--;
		/* "googlebot: noindex" names a crawler; "unavailable_after: date" does not */
		colon = memchr(tok, ':', n);
		if (colon != NULL && strncasecmp(tok, "unavailable_after", 17) != 0) {
			size_t ul = (size_t)(colon - tok);
			applies = (ul == 9 && strncasecmp(tok, "googlebot", 9) == 0) ||
			          (ul == 1 && tok[0] == '*');
			tok = colon + 1;
			while (isspace((unsigned char)*tok))
				tok++;
			n = (size_t)(p - tok);
			while (n > 0 && isspace((unsigned char)tok[n - 1]))
				n--;
		}
		if (applies && ((n == 7 && strncasecmp(tok, "noindex", 7) == 0) ||
		                   (n == 4 && strncasecmp(tok, "none", 4) == 0)))
			return 1;
	}
	return 0;
}

/* live_issues: what is wrong with a link that is there. A rel or anchor expectation is met
 * when any one of the matching links meets it. */
static unsigned
live_issues(const struct placement_evidence *ev, const struct placement_expect *x)
{
	unsigned issues = 0;
	int followed = 0, rel_ok = 0, anchor_ok = 0;
	size_t i;

	for (i = 0; i < ev->nhits; i++) {
		const struct placement_hit *h = &ev->hits[i];
		if (!h->nofollow && !h->sponsored && !h->ugc)
			followed = 1;
		if ((x->rel == PL_REL_NOFOLLOW && h->nofollow) ||
		    (x->rel == PL_REL_SPONSORED && h->sponsored) ||
		    (x->rel == PL_REL_UGC && h->ugc))
			rel_ok = 1;
		if (x->anchor && h->anchor && anchor_equal(x->anchor, h->anchor))
			anchor_ok = 1;
	}
	if (x->rel == PL_REL_FOLLOW && !followed)
		issues |= PI_NOT_FOLLOWED;
	if (x->rel != PL_REL_FOLLOW && !rel_ok)
		issues |= PI_REL_DIFFERS;
	if (x->anchor && x->anchor[0] && !anchor_ok)
		issues |= PI_ANCHOR_DIFFERS;
	if (ev->meta_noindex)
		issues |= PI_NOINDEX_META;
	if (ev->x_robots_tag && placement_xrobots_noindex(ev->x_robots_tag))
		issues |= PI_NOINDEX_HEADER;
	if (ev->canonical_elsewhere)
		issues |= PI_CANONICAL_ELSEWHERE;
	if (ev->robots_blocks_search)
		issues |= PI_ROBOTS_DISALLOWED;
	return issues;
}

enum placement_verdict
placement_verdict(const struct placement_evidence *ev, const struct placement_expect *x,
    unsigned *issues, const char **reason)
{
	long s = ev->http_status;

	*issues = 0;
	*reason = NULL;
	if (ev->not_fetched) {
		*reason = ev->fetch_error ? ev->fetch_error
		                          : "robots.txt disallows linkcamp's checker this page";
		return PV_UNVERIFIABLE;
	}
	if (ev->offsite_redirect) {
		*reason = ev->fetch_error ? ev->fetch_error
		                          : "the page redirects off the prospect's site";
		return PV_UNVERIFIABLE;
	}
	if (s == 0) {
		*reason = ev->fetch_error ? ev->fetch_error : "no answer";
		return PV_UNVERIFIABLE;
	}
	/* a page that says it is gone takes the link with it */
	if (s == 404 || s == 410) {
		*reason = s == 404 ? "the page answered HTTP 404 (not found)"
		                   : "the page answered HTTP 410 (gone)";
		return PV_MISSING;
	}
	if (s < 200 || s > 299) {
		*reason = s == 403   ? "the page answered HTTP 403 (blocked; often a bot check)"
		          : s == 429 ? "the page answered HTTP 429 (rate limited)"
		          : s >= 500 ? "the page answered with a server error (5xx)"
		          : s >= 300 && s < 400
		              ? "the page redirects without a usable Location"
		              : "the page answered an HTTP status that shows no page";
		return PV_UNVERIFIABLE;
	}
	if (ev->parse_failed || !ev->parsed) {
		*reason = "the page could not be parsed";
		return PV_UNVERIFIABLE;
	}
	if (ev->hits_total > 0) {
		*issues = live_issues(ev, x);
		return *issues ? PV_LIVE_ISSUES : PV_LIVE;
	}
	if (ev->challenge) {
		*reason = "the page is a bot check (challenge or captcha), not the article";
		return PV_UNVERIFIABLE;
	}
	if (ev->anchors == 0) {
		*reason = ev->truncated ? "the page has no links at all in its first 2 MiB"
		          : ev->scripts > 0 && ev->text_bytes < SHELL_TEXT_BYTES
		              ? "the page is a script-only shell (rendered by JavaScript)"
		              : "the page has no links at all";
		return PV_UNVERIFIABLE;
	}
	*reason = ev->truncated ? "the page has no link to the campaign's targetUrl in its "
	                          "first 2 MiB"
	                        : "the page has no link to the campaign's targetUrl";
	return PV_MISSING;
}

char *
placement_links_json(const struct placement_evidence *ev)
{
	json_t *a = json_array();
	char *out;
	size_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < ev->nhits; i++) {
		const struct placement_hit *h = &ev->hits[i];
		json_t *rel = json_array();
		const char *p = h->rel ? h->rel : "";

		while (rel && *p) {
			size_t n;
			p += strspn(p, " ");
			n = strcspn(p, " ");
			if (n > 0)
				json_array_append_new(rel, json_stringn(p, n));
			p += n;
		}
		if (rel == NULL || json_array_append_new(a,
		                       json_pack("{s:s?,s:s?,s:o,s:s?}", "href", h->href, "anchor",
		                           h->anchor, "rel", rel, "context", h->context)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	out = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return out;
}
