#include <stdio.h>
#include <string.h>

#include "http/router.h"

static int match_one(const char *, const char *, size_t, struct route_match *);

/* match_one compares pattern with path segment by segment, filling captures. */
static int
match_one(const char *pattern, const char *path, size_t len, struct route_match *m)
{
	const char *p = pattern, *s = path, *end = path + len;

	m->ncaptures = 0;
	while (*p && s < end) {
		if (*p == '{') {
			const char *seg = s;
			size_t n;
			while (s < end && *s != '/')
				s++;
			n = (size_t)(s - seg);
			if (n == 0 || n >= ROUTE_CAPTURE_MAX || m->ncaptures == ROUTE_MAX_CAPTURES)
				return 0;
			memcpy(m->captures[m->ncaptures], seg, n);
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
		p++;
		s++;
	}
	return *p == '\0' && s == end;
}

void
router_match(const struct route *table, size_t n, const char *method, const char *path,
    size_t len, struct route_match *m)
{
	struct route_match probe;
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < n; i++) {
		if (!match_one(table[i].pattern, path, len, &probe))
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
