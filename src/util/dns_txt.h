/* dns_txt.h: TXT lookups through one configured resolver ([dns] resolver), for the checks
 * of sending domains (docs/dkim.md). libresolv's res_nquery with a res_state of the
 * caller's (so each thread has its own and no global state is touched). */
#ifndef LC_UTIL_DNS_TXT_H
#define LC_UTIL_DNS_TXT_H

#include <stddef.h>
#include "util/err.h"

#define DNS_TXT_MAX 8     /* TXT records kept per name */
#define DNS_TXT_LEN 2048  /* bytes of one record, its strings joined, with NUL */
#define DNS_SERVER_MAX 64 /* "address:port" */

enum dns_status {
	DNS_FOUND = 0, /* n records (maybe 0 TXT among other types: then like NODATA) */
	DNS_NXDOMAIN,  /* the name does not exist */
	DNS_NODATA,    /* the name exists, no TXT record */
	DNS_FAILED     /* no answer: timeout, SERVFAIL, refused, malformed (why says which) */
};

struct dns_txt {
	enum dns_status status;
	size_t n;                           /* records kept in txt (at most DNS_TXT_MAX) */
	size_t total;                       /* TXT records in the answer */
	char txt[DNS_TXT_MAX][DNS_TXT_LEN]; /* each record's character-strings joined, as RFC
	                                       6376 3.6.2.2 and RFC 7208 3.3 read them */
	char why[160];
};

/* dns_server_parse checks "IPv4:port" (a [dns] resolver that is set). LC_EINVAL otherwise. */
lc_err dns_server_parse(const char *s);

/* dns_txt_lookup asks server ("IPv4:port"; NULL or empty: the system's resolvers) for the TXT
 * records of name, with a timeout of about timeout_s seconds per try (two tries, UDP then TCP when
 * truncated). out is filled in every case; the return is LC_OK when an answer (even NXDOMAIN) came,
 * LC_EIO when none did, LC_EINVAL for a bad server or name. Records that do not fit are cut at
 * DNS_TXT_LEN and counted. Not a validating resolver: it asks, it does not check DNSSEC. */
lc_err dns_txt_lookup(const char *server, const char *name, int timeout_s, struct dns_txt *out);

#endif
