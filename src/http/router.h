/* router.h: a table of {method, pattern, handler, auth}; patterns are literal segments
 * and "{name}" captures of one segment. */
#ifndef LC_ROUTER_H
#define LC_ROUTER_H

#include <stddef.h>

#define ROUTE_MAX_CAPTURES 4
#define ROUTE_CAPTURE_MAX 128

enum route_auth { AUTH_NONE = 0, AUTH_WORKSPACE, AUTH_ACCOUNT };

struct route {
	const char *method;
	const char *pattern;
	void (*handler)(void *ctx);
	enum route_auth auth;
};

struct route_match {
	const struct route *route; /* NULL when nothing matched */
	char captures[ROUTE_MAX_CAPTURES][ROUTE_CAPTURE_MAX];
	size_t ncaptures;
	int path_exists; /* the path's pattern has other methods */
	char allow[128]; /* "GET, POST" for a 405 */
};

/* router_match finds the route for method and path[0..len) (no query string) in the
 * table of n routes. Of the patterns path matches, the most specific names it (a literal
 * segment beats a capture at the first segment where they differ); m->route is that
 * pattern's route for method, else m->allow lists that pattern's methods (table order).
 * A capture longer than ROUTE_CAPTURE_MAX-1 bytes never matches. */
void router_match(const struct route *table, size_t n, const char *method, const char *path,
    size_t len, struct route_match *m);

#endif
