/* regdomain.c: registrable domains with libpsl's built-in list (Debian builds it from
 * the publicsuffix package, and it needs no file at run time nor any freeing, so every
 * thread may use it). */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <libpsl.h>

#include "util/regdomain.h"

static int normalise(const char *, size_t, char *, size_t);
static int is_ip(const char *);

/* normalise copies len bytes of host into out lowercased, a final dot dropped; -1 when
 * empty or too long. */
static int
normalise(const char *host, size_t len, char *out, size_t outlen)
{
	size_t i;

	if (len > 0 && host[len - 1] == '.')
		len--;
	if (len == 0 || len >= outlen)
		return -1;
	for (i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)host[i]);
	out[len] = '\0';
	return 0;
}

static int
is_ip(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

int
url_host(const char *url, char *out, size_t outlen)
{
	const char *p, *end, *at, *h, *he;

	if (url == NULL || (p = strstr(url, "://")) == NULL)
		return -1;
	p += 3;
	end = p + strcspn(p, "/?#");
	/* the last '@' of the authority ends the userinfo (validated URLs have none) */
	for (at = end; at > p && at[-1] != '@'; at--)
		;
	h = at;
	if (h < end && *h == '[') {
		if ((he = memchr(h, ']', (size_t)(end - h))) == NULL)
			return -1;
		h++;
	} else {
		for (he = h; he < end && *he != ':'; he++)
			;
	}
	return normalise(h, (size_t)(he - h), out, outlen);
}

int
regdomain_of(const char *host, char *out, size_t outlen)
{
	char h[REGDOMAIN_HOST_MAX];
	const char *r;

	if (host == NULL || normalise(host, strlen(host), h, sizeof(h)) != 0)
		return -1;
	if (is_ip(h))
		r = h;
	else if ((r = psl_registrable_domain(psl_builtin(), h)) == NULL)
		return -1;
	if (strlen(r) >= outlen)
		return -1;
	memmove(out, r, strlen(r) + 1); /* r points into h */
	return 0;
}

int
regdomain_same(const char *a, const char *b)
{
	char ra[REGDOMAIN_HOST_MAX], rb[REGDOMAIN_HOST_MAX];

	return regdomain_of(a, ra, sizeof(ra)) == 0 && regdomain_of(b, rb, sizeof(rb)) == 0 &&
	       strcmp(ra, rb) == 0;
}

int
regdomain_url_on(const char *url, const char *domain)
{
	char h[REGDOMAIN_HOST_MAX];

	return url_host(url, h, sizeof(h)) == 0 && regdomain_same(h, domain);
}
