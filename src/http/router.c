/* router.c: the route table lookup. A path may match several patterns ("/campaign/respond"
 * matches both ".../campaign/{id}" and ".../campaign/respond"); the most specific one names
 * the path — a literal segment beats a capture at the first segment where they differ — so
 * a wrong method on a literal route is a 405 listing that route's methods only, never the
 * handler of a capture that happens to fit. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "http/router.h"

static int match_one(const char *, const char *, size_t, struct route_match *, uint32_t *);

/* match_one compares pattern with path segment by segment, filling captures, and writes
 * its specificity to *spec: bit 31-i is set when segment i is literal, so that comparing
 * two patterns' numbers compares them at their first differing segment. */
static int
match_one(const char *pattern, const char *path, size_t len, struct route_match *m, uint32_t *spec)
{
	const char *p = pattern, *s = path, *end = path + len;
	unsigned seg = 0;

	m->ncaptures = 0;
	*spec = 0;
	while (*p && s < end) {
		if (*p == '/') {
			if (*s != '/')
				return 0;
			p++;
			s++;
			seg++;
			continue;
		}
		if (*p == '{') {
			const char *start = s;
			size_t n;
			while (s < end && *s != '/')
				s++;
			n = (size_t)(s - start);
			if (n == 0 || n >= ROUTE_CAPTURE_MAX || m->ncaptures == ROUTE_MAX_CAPTURES)
				return 0;
			memcpy(m->captures[m->ncaptures], start, n);
			m->captures[m->ncaptures][n] = '\0';
			m->ncaptures++;
			while (*p && *p != '}')
				p++;
			if (*p == '}')
				p++;
			continue;
		}
		if (*p != *s)
			return 0;
		if (seg < 32)
			*spec |= UINT32_C(1) << (31 - seg);
		p++;
		s++;
	}
	return *p == '\0' && s == end;
}

void
router_match(const struct route *table, size_t n, const char *method, const char *path, size_t len,
    struct route_match *m)
{
	struct route_match probe;
	uint32_t spec, best = 0;
	int found = 0;
	size_t i;

	memset(m, 0, sizeof(*m));
	/* first pass: how specific is the best pattern this path matches */
	for (i = 0; i < n; i++) {
		if (!match_one(table[i].pattern, path, len, &probe, &spec))
			continue;
		if (!found || spec > best)
			best = spec;
		found = 1;
	}
	if (!found)
		return;
	/* second pass: among the routes of that pattern, the method, else the Allow list */
	for (i = 0; i < n; i++) {
		if (!match_one(table[i].pattern, path, len, &probe, &spec) || spec != best)
			continue;
		if (strcmp(table[i].method, method) == 0) {
			char allow[sizeof(m->allow)];
			int exists = m->path_exists;
			memcpy(allow, m->allow, sizeof(allow));
			*m = probe;
			m->route = &table[i];
			m->path_exists = exists;
			memcpy(m->allow, allow, sizeof(allow));
			return;
		}
		if (!strstr(m->allow, table[i].method)) {
			size_t used = strlen(m->allow);
			snprintf(m->allow + used, sizeof(m->allow) - used, "%s%s", used ? ", " : "",
			    table[i].method);
		}
		m->path_exists = 1;
	}
}
