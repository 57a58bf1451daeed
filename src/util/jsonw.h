/* jsonw.h: a streaming JSON writer into a struct buf, for the hot read answers (the
 * campaign list, one campaign, its metrics). It writes exactly what jansson's
 * json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15)) writes for the same document
 * built value by value — same escapes, same number forms, keys in the order written — so
 * an answer does not change by a byte when a route moves from json_t to the writer
 * (tests/unit/test_jsonw.c compares the two on every kind of value). Why: building a list
 * page as 50 json_t objects of 13 members each, then dumping them, cost most of a list
 * request's CPU in linkcamp-fcgi (bench/README.md, "First reads").
 *
 * Errors are sticky: after the first failure (out of memory, the buffer's maximum, a
 * string that is not UTF-8, nesting deeper than JSONW_DEPTH, a non-finite number) every
 * later call does nothing and jsonw_finish reports it, so a caller writes a whole
 * document and checks once. Not thread-safe; one writer per document. */
#ifndef LC_JSONW_H
#define LC_JSONW_H

#include <stddef.h>
#include <stdint.h>
#include "util/buf.h"
#include "util/err.h"

#define JSONW_DEPTH 16

struct jsonw {
	struct buf *b;                    /* borrowed: the caller's, appended to */
	lc_err err;                       /* the first failure, LC_OK until one */
	unsigned depth;                   /* open objects and arrays */
	unsigned char first[JSONW_DEPTH]; /* 1 while the open container has no member yet */
	char close[JSONW_DEPTH];          /* '}' or ']': what ends each open container */
	unsigned char after_key;          /* a key was written: its value comes next */
};

/* jsonw_init starts a document written to the end of b (borrowed; must outlive w). */
void jsonw_init(struct jsonw *w, struct buf *b);
/* jsonw_obj / jsonw_arr open an object or array; jsonw_end closes the innermost one.
 * A close without an open is an error (LC_EINVAL). */
void jsonw_obj(struct jsonw *w);
void jsonw_arr(struct jsonw *w);
void jsonw_end(struct jsonw *w);
/* jsonw_key writes an object member's name (NUL-terminated, UTF-8; escaped as a string
 * is); the next value written is its value. */
void jsonw_key(struct jsonw *w, const char *k);
/* jsonw_str writes a string, or null when s is NULL. s must be UTF-8 (LC_EINVAL
 * otherwise: jansson's json_string refuses it too). jsonw_strn takes a length. */
void jsonw_str(struct jsonw *w, const char *s);
void jsonw_strn(struct jsonw *w, const char *s, size_t len);
/* jsonw_int writes an integer (jansson's "%lld"). */
void jsonw_int(struct jsonw *w, long long v);
/* jsonw_real writes a number as json_real does at precision 15 ("%.15g", ".0" added to
 * an integral form, the exponent without '+' or leading zeros); LC_EINVAL when not
 * finite (json_real refuses those). */
void jsonw_real(struct jsonw *w, double v);
/* jsonw_null writes null. */
void jsonw_null(struct jsonw *w);
/* jsonw_time writes an RFC 3339 UTC time with milliseconds as api_time_or_null does
 * (rfc3339_format), or null when ms < 0. */
void jsonw_time(struct jsonw *w, int64_t ms);
/* jsonw_finish returns LC_OK when the document was written whole and every container
 * closed; otherwise the first error (LC_ENOMEM, LC_EINVAL). */
lc_err jsonw_finish(const struct jsonw *w);

#endif
