/* regdomain.h: registrable domains (the public suffix list, Debian's libpsl). The one rule
 * of "is this URL on the prospect's site": the URL's host and the prospect's domain have
 * the same registrable domain ("blog.example.co.uk" and "www.example.co.uk" do;
 * "a.github.io" and "b.github.io" do not: github.io is a public suffix). An IP literal is
 * its own registrable domain (equal literals only). */
#ifndef LC_REGDOMAIN_H
#define LC_REGDOMAIN_H

#include <stddef.h>

#define REGDOMAIN_HOST_MAX 256 /* buffer for a host name, NUL included */

/* url_host copies the host of the absolute URL url (borrowed; "scheme://[user@]host[:port]..."),
 * ASCII-lowercased, a final dot dropped, an IPv6 literal without its brackets, into out
 * (outlen bytes). 0 on success; -1 when url has no host or it does not fit. */
int url_host(const char *url, char *out, size_t outlen);

/* regdomain_of writes the registrable domain of host (borrowed; any case, a final dot
 * allowed) into out (outlen bytes): for an IP literal the literal itself. 0 on success;
 * -1 when host is empty, too long, a public suffix itself ("co.uk", "localhost") or has
 * no registrable part. */
int regdomain_of(const char *host, char *out, size_t outlen);

/* regdomain_same is 1 when hosts a and b (borrowed) have the same registrable domain, 0
 * when not or when either has none. */
int regdomain_same(const char *a, const char *b);

/* regdomain_url_on is 1 when the host of the absolute URL url is on domain's registrable
 * domain (both borrowed), 0 otherwise. */
int regdomain_url_on(const char *url, const char *domain);

#endif
