/* scrape_auth.c: the access rule of the metrics endpoints (scrape_auth.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "util/scrape_auth.h"

static int parse_addr(const char *, struct scrape_net *);
static int net_contains(const struct scrape_net *, const struct scrape_net *);

/* parse_addr reads an IPv4 or IPv6 address into n with a full prefix; an IPv4-mapped IPv6
 * address (::ffff:a.b.c.d, what a dual-stack socket reports) is read as IPv4. -1 when s
 * is neither. */
static int
parse_addr(const char *s, struct scrape_net *n)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	memset(n, 0, sizeof(*n));
	if (inet_pton(AF_INET, s, n->addr) == 1) {
		n->prefix = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, s, n->addr) != 1)
		return -1;
	if (memcmp(n->addr, mapped, sizeof(mapped)) == 0) {
		memmove(n->addr, n->addr + 12, 4);
		memset(n->addr + 4, 0, 12);
		n->prefix = 32;
		return 0;
	}
	n->v6 = 1;
	n->prefix = 128;
	return 0;
}

/* net_contains is 1 when the address a lies in the block net. */
static int
net_contains(const struct scrape_net *net, const struct scrape_net *a)
{
	unsigned full = net->prefix / 8, rest = net->prefix % 8;

	if (net->v6 != a->v6)
		return 0;
	if (memcmp(net->addr, a->addr, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((net->addr[full] ^ a->addr[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

lc_err
scrape_auth_init(
    struct scrape_auth *a, const char *token, const char *allow, char *why, size_t whylen)
{
	char item[64];
	const char *p = allow ? allow : "";
	size_t n;

	memset(a, 0, sizeof(*a));
	if (token && *token) {
		if (strlen(token) < 16) {
			snprintf(why, whylen, "metrics.token must be at least 16 characters");
			return LC_EINVAL;
		}
		crypto_generichash(a->token_hash, sizeof(a->token_hash),
		    (const unsigned char *)token, strlen(token), NULL, 0);
		a->has_token = 1;
	}
	for (;;) {
		struct scrape_net *net;
		char *slash, *end;
		unsigned long bits;

		p += strspn(p, ", \t");
		if (*p == '\0')
			break;
		n = strcspn(p, ", \t");
		if (n >= sizeof(item) || a->nallow == SCRAPE_ALLOW_MAX) {
			snprintf(why, whylen,
			    n >= sizeof(item) ? "metrics.allow has an entry too long "
			                        "to be an address"
			                      : "metrics.allow has more than %d entries",
			    SCRAPE_ALLOW_MAX);
			return LC_EINVAL;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		p += n;
		net = &a->allow[a->nallow];
		if ((slash = strchr(item, '/')) != NULL)
			*slash = '\0';
		if (parse_addr(item, net) != 0) {
			snprintf(
			    why, whylen, "metrics.allow: %s is not an IPv4 or IPv6 address", item);
			return LC_EINVAL;
		}
		if (slash) {
			bits = strtoul(slash + 1, &end, 10);
			if (slash[1] < '0' || slash[1] > '9' || *end || bits > net->prefix) {
				snprintf(why, whylen,
				    "metrics.allow: /%s is not a prefix length for %s", slash + 1,
				    item);
				return LC_EINVAL;
			}
			net->prefix = (unsigned)bits;
		}
		a->nallow++;
	}
	a->enabled = a->has_token || a->nallow > 0;
	return LC_OK;
}

lc_err
scrape_auth_check(const struct scrape_auth *a, const char *authorization, const char *remote_addr)
{
	unsigned char got[32];
	struct scrape_net who;
	size_t i;

	if (!a->enabled)
		return LC_ENOTFOUND;
	if (a->nallow > 0) {
		if (remote_addr == NULL || parse_addr(remote_addr, &who) != 0)
			return LC_EFORBIDDEN;
		for (i = 0; i < a->nallow; i++)
			if (net_contains(&a->allow[i], &who))
				break;
		if (i == a->nallow)
			return LC_EFORBIDDEN;
	}
	if (a->has_token) {
		const char *t;

		if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0)
			return LC_EAUTH;
		t = authorization + 7;
		/* hashes of equal length: the comparison leaks neither content nor length */
		crypto_generichash(got, sizeof(got), (const unsigned char *)t, strlen(t), NULL, 0);
		if (sodium_memcmp(got, a->token_hash, sizeof(got)) != 0)
			return LC_EAUTH;
	}
	return LC_OK;
}
