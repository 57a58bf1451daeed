/* hostlist.c: parse and order the [database] hosts list (see hostlist.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hostlist.h"

static lc_err parse_one(const char *s, size_t len, struct hostport *hp, char *why, size_t whylen);

/* parse_one reads one trimmed entry of len bytes. */
static lc_err
parse_one(const char *s, size_t len, struct hostport *hp, char *why, size_t whylen)
{
	const char *host = s, *port = NULL;
	size_t hlen = len, i;

	memset(hp, 0, sizeof(*hp));
	if (len == 0) {
		snprintf(why, whylen, "database.hosts has an empty entry");
		return LC_EINVAL;
	}
	if (s[0] == '[') {
		const char *close = memchr(s, ']', len);
		if (close == NULL) {
			snprintf(why, whylen, "database.hosts: an IPv6 address lacks its ']'");
			return LC_EINVAL;
		}
		host = s + 1;
		hlen = (size_t)(close - host);
		if ((size_t)(close + 1 - s) < len) {
			if (close[1] != ':') {
				snprintf(
				    why, whylen, "database.hosts: ']' must be followed by :port");
				return LC_EINVAL;
			}
			port = close + 2;
		}
	} else {
		const char *colon = memchr(s, ':', len);
		if (colon && memchr(colon + 1, ':', len - (size_t)(colon + 1 - s))) {
			snprintf(
			    why, whylen, "database.hosts: write an IPv6 address as [addr]:port");
			return LC_EINVAL;
		}
		if (colon) {
			hlen = (size_t)(colon - s);
			port = colon + 1;
		}
	}
	if (hlen == 0 || hlen >= HOSTLIST_NAME) {
		snprintf(why, whylen, "database.hosts: a host name is empty or too long");
		return LC_EINVAL;
	}
	for (i = 0; i < hlen; i++) {
		unsigned char c = (unsigned char)host[i];
		if (c <= ' ' || c == 0x7f || c == ',' || c == '[' || c == ']' || c == '/') {
			snprintf(why, whylen,
			    "database.hosts: a host name holds a character it may not");
			return LC_EINVAL;
		}
	}
	memcpy(hp->host, host, hlen);
	hp->host[hlen] = '\0';
	if (port) {
		size_t plen = len - (size_t)(port - s);
		unsigned long v = 0;

		if (plen == 0 || plen > 5) {
			snprintf(why, whylen, "database.hosts: a port must be 1..65535");
			return LC_EINVAL;
		}
		for (i = 0; i < plen; i++) {
			if (port[i] < '0' || port[i] > '9') {
				snprintf(why, whylen, "database.hosts: a port must be 1..65535");
				return LC_EINVAL;
			}
			v = v * 10 + (unsigned long)(port[i] - '0');
		}
		if (v < 1 || v > 65535) {
			snprintf(why, whylen, "database.hosts: a port must be 1..65535");
			return LC_EINVAL;
		}
		hp->port = (unsigned)v;
	}
	return LC_OK;
}

static int
same(const struct hostport *a, const struct hostport *b, unsigned default_port)
{
	unsigned pa = a->port ? a->port : default_port, pb = b->port ? b->port : default_port;

	return pa == pb && strcmp(a->host, b->host) == 0;
}

lc_err
hostlist_parse(const char *s, struct hostport *out, size_t max, size_t *n, char *why, size_t whylen)
{
	const char *p = s;
	size_t i;
	lc_err e;

	*n = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return LC_OK;
	for (;;) {
		const char *end = strchr(p, ','), *stop;
		size_t len;

		stop = end ? end : p + strlen(p);
		while (p < stop && (*p == ' ' || *p == '\t'))
			p++;
		len = (size_t)(stop - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (*n == max) {
			snprintf(why, whylen, "database.hosts names more than %zu hosts", max);
			return LC_EINVAL;
		}
		if ((e = parse_one(p, len, &out[*n], why, whylen)) != LC_OK)
			return e;
		for (i = 0; i < *n; i++) {
			if (same(&out[i], &out[*n], 0)) {
				snprintf(why, whylen, "database.hosts names %s twice", out[i].host);
				return LC_EINVAL;
			}
		}
		(*n)++;
		if (end == NULL)
			return LC_OK;
		p = end + 1;
	}
}

lc_err
hostlist_order(
    struct hostport *list, size_t *n, size_t max, const char *writer, unsigned default_port)
{
	struct hostport w, *tmp;
	char why[128];
	size_t one = 0, at, i;
	lc_err e;

	if (writer == NULL || writer[0] == '\0')
		return LC_OK;
	if ((e = hostlist_parse(writer, &w, 1, &one, why, sizeof(why))) != LC_OK || one != 1)
		return LC_EINVAL;
	for (at = 0; at < *n && !same(&list[at], &w, default_port); at++)
		;
	if (at == *n) {
		/* not listed: it goes first, the others keep their order */
		if (*n == max && max > 0)
			(*n)--;
		memmove(list + 1, list, *n * sizeof(*list));
		list[0] = w;
		(*n)++;
		return LC_OK;
	}
	if (at == 0)
		return LC_OK;
	if ((tmp = malloc(*n * sizeof(*tmp))) == NULL)
		return LC_ENOMEM;
	for (i = 0; i < *n; i++)
		tmp[i] = list[(at + i) % *n];
	memcpy(list, tmp, *n * sizeof(*tmp));
	free(tmp);
	return LC_OK;
}
