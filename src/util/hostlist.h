/* hostlist.h: the [database] hosts list ("h1:3306, h2:3306, [::1]:3307") and the writer
 * chosen from it (docs/scaling.md). Pure parsing, apart from any I/O. */
#ifndef LC_HOSTLIST_H
#define LC_HOSTLIST_H

#include <stddef.h>

#include "util/err.h"

#define HOSTLIST_MAX 16 /* database hosts one process may know */
#define HOSTLIST_NAME 256

struct hostport {
	char host[HOSTLIST_NAME]; /* a name or an address, without IPv6 brackets */
	unsigned port;            /* 0: the default the caller gives */
};

/* hostlist_parse reads s, a comma-separated list of host[:port] (an IPv6 address in
 * brackets when it has a port), into out (room for max), *n entries. Spaces around the
 * entries are ignored; an empty entry, a name with spaces or control characters, a port
 * outside 1..65535, a duplicate or more than max entries is LC_EINVAL with a one-line
 * reason in why (size whylen). An empty s gives *n = 0. */
lc_err hostlist_parse(
    const char *s, struct hostport *out, size_t max, size_t *n, char *why, size_t whylen);

/* hostlist_order arranges list (n entries, in place) in the order a process tries them:
 * the writer first, then the others in their order after it, wrapping around, so that
 * every process with the same list and writer fails over to the same next host. writer
 * must parse as one host[:port]; when it is not in the list it is put at its head (and the
 * last entry dropped when the list is full). An empty writer keeps the list's own order.
 * default_port stands for port 0 on both sides. LC_EINVAL when writer does not parse. */
lc_err hostlist_order(
    struct hostport *list, size_t *n, size_t max, const char *writer, unsigned default_port);

#endif
