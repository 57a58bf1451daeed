/* query.h: application/x-www-form-urlencoded query strings, strictly decoded. */
#ifndef LC_QUERY_H
#define LC_QUERY_H

#include <stddef.h>
#include "util/buf.h"
#include "util/err.h"

#define QUERY_MAX_BYTES 4096
#define QUERY_MAX_PARAMS 32

struct query_param {
	char *key;   /* decoded, NUL-terminated */
	char *value; /* decoded, NUL-terminated, valid UTF-8 without NUL */
	size_t vlen;
};

struct query {
	struct query_param p[QUERY_MAX_PARAMS];
	size_t n;
	char *storage; /* one allocation holding every decoded string */
};

/* query_parse decodes s[0..len). On error it returns LC_EINVAL and points *bad at the
 * offending key (or "query" when no key applies; static or inside q). Duplicate keys,
 * bad %-escapes, invalid UTF-8 and NUL bytes are errors. Free with query_free. */
lc_err query_parse(const char *s, size_t len, struct query *q, const char **bad);

/* query_get borrows the value of key, or NULL. */
const char *query_get(const struct query *q, const char *key);

/* query_free releases q's storage; safe on a zeroed struct. */
void query_free(struct query *q);

/* url_decode decodes %XX and '+' from src[0..len) into dst (at least len+1 bytes) and
 * returns the decoded length, or -1 on a malformed escape. */
long url_decode(const char *src, size_t len, char *dst);

/* query_id_plausible is 1 when s could be a public id (1 to 100 letters, digits, '_' and
 * '-'): the test an id from a JSON argument passes before it is spliced into the path of
 * a request made inside the process, so that it can only ever name an object, never
 * another route ("x/pause", "..", "%2f"). */
int query_id_plausible(const char *s);

/* url_encode appends s (NUL-terminated) to b with every byte outside A-Za-z0-9-_.~
 * %-escaped, as a query key or value. -1 when b cannot grow (LC_ENOMEM), else 0. */
int url_encode(struct buf *b, const char *s);

#endif
