/* robots.c: the robots.txt matcher of RFC 9309 (robots.h). Two passes over the lines:
 * the first finds whether any group names the agent (else "*" applies), the second
 * scores the rules of the applicable groups against the path. Nothing is allocated. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "util/robots.h"

#define PATTERN_MAX 2048 /* bytes of a rule's pattern looked at */

struct line {
	const char *key, *val;
	size_t klen, vlen;
};

static int next_line(const char **, const char *, struct line *);
static int agent_matches(const struct line *, const char *);
static int glob_match(const char *, size_t, const char *);

/* next_line reads the next "key: value" line from *p (up to end) into l, comments and
 * surrounding whitespace removed; 0 at the end of the file. Lines without a colon come
 * back with klen 0. */
static int
next_line(const char **p, const char *end, struct line *l)
{
	const char *s = *p, *e, *c, *h;

	if (s >= end)
		return 0;
	for (e = s; e < end && *e != '\n' && *e != '\r'; e++)
		;
	*p = e < end ? e + 1 : end;
	if ((h = memchr(s, '#', (size_t)(e - s))) != NULL)
		e = h;
	memset(l, 0, sizeof(*l));
	if ((c = memchr(s, ':', (size_t)(e - s))) == NULL)
		return 1;
	while (s < c && isspace((unsigned char)*s))
		s++;
	l->key = s;
	l->klen = (size_t)(c - s);
	while (l->klen > 0 && isspace((unsigned char)s[l->klen - 1]))
		l->klen--;
	for (c++; c < e && isspace((unsigned char)*c); c++)
		;
	while (e > c && isspace((unsigned char)e[-1]))
		e--;
	l->val = c;
	l->vlen = (size_t)(e - c);
	return 1;
}

static int
key_is(const struct line *l, const char *k)
{
	return l->klen == strlen(k) && strncasecmp(l->key, k, l->klen) == 0;
}

/* agent_matches: the user-agent line's value (its product token) names agent; "*" is
 * matched by the caller. */
static int
agent_matches(const struct line *l, const char *agent)
{
	size_t n = 0, al = strlen(agent);

	while (n < l->vlen &&
	       (isalnum((unsigned char)l->val[n]) || l->val[n] == '-' || l->val[n] == '_'))
		n++;
	return n > 0 && n == al && strncasecmp(l->val, agent, n) == 0;
}

/* glob_match is 1 when pattern (plen bytes; '*' any run, a final '$' the end) matches a
 * prefix of path (or all of it with '$'). Iterative, backtracking to the last '*' only:
 * O(plen * strlen(path)) at worst, and patterns are cut at PATTERN_MAX. */
static int
glob_match(const char *pat, size_t plen, const char *path)
{
	const char *p = pat, *pe = pat + plen, *s = path, *star = NULL, *star_s = NULL;
	int anchored = plen > 0 && pat[plen - 1] == '$';

	if (anchored)
		pe--;
	for (;;) {
		if (p == pe) {
			if (!anchored || *s == '\0')
				return 1;
		} else if (*p == '*') {
			star = ++p;
			star_s = s;
			continue;
		} else if (*s != '\0' && *p == *s) {
			p++;
			s++;
			continue;
		}
		if (star == NULL || *star_s == '\0')
			return 0;
		p = star;
		s = ++star_s;
	}
}

int
robots_allowed(const char *txt, size_t len, const char *agent, const char *path)
{
	const char *end, *p;
	struct line l;
	int named = 0, pass, in_group, applies = 0, last_was_agent = 0;
	size_t best = 0;
	int best_allow = 1, have = 0;

	if (txt == NULL || agent == NULL || agent[0] == '\0')
		return 1;
	if (len > ROBOTS_MAX_BYTES)
		len = ROBOTS_MAX_BYTES;
	end = txt + len;
	/* pass 0: does a group name us? pass 1: score the rules of the groups that apply */
	for (pass = 0; pass < 2; pass++) {
		p = txt;
		in_group = 0;
		last_was_agent = 0;
		while (next_line(&p, end, &l)) {
			if (l.klen == 0)
				continue;
			if (key_is(&l, "user-agent")) {
				int match = agent_matches(&l, agent);
				int star = l.vlen >= 1 && l.val[0] == '*';
				if (!last_was_agent)
					applies = 0; /* a new group starts */
				if (pass == 0 && match)
					named = 1;
				if (match || (star && !named))
					applies = 1;
				in_group = 1;
				last_was_agent = 1;
				continue;
			}
			last_was_agent = 0;
			if (pass == 0 || !in_group || !applies)
				continue;
			if (key_is(&l, "allow") || key_is(&l, "disallow")) {
				int allow = key_is(&l, "allow");
				size_t plen = l.vlen < PATTERN_MAX ? l.vlen : PATTERN_MAX;
				if (plen == 0)
					continue; /* "Disallow:" with nothing: no rule */
				if (!glob_match(l.val, plen, path))
					continue;
				if (!have || plen > best ||
				    (plen == best && allow && !best_allow)) {
					best = plen;
					best_allow = allow;
					have = 1;
				}
			}
		}
	}
	return have ? best_allow : 1;
}

void
robots_agent_token(const char *user_agent, char *out, size_t outlen)
{
	size_t n = 0;

	if (outlen == 0)
		return;
	while (
	    user_agent && n + 1 < outlen &&
	    (isalnum((unsigned char)user_agent[n]) || user_agent[n] == '-' || user_agent[n] == '_'))
		n++;
	if (user_agent)
		memcpy(out, user_agent, n);
	out[n] = '\0';
}
