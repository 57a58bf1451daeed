/* tmpl_internal.h: what the two halves of the mustache engine share and nothing else
 * includes: the parsed document (tmpl_parse.c makes it, tmpl.c renders it) and the
 * helpers both write their messages with. */
#ifndef LC_TMPL_INTERNAL_H
#define LC_TMPL_INTERNAL_H

#include <stddef.h>

#include "util/err.h"
#include "util/tmpl.h"

#define TMPL_QUOTE_LEN 48 /* buffer for a tag name quoted into a message */

enum tmpl_kind {
	TMPL_TEXT,     /* literal bytes src[off..off+len) */
	TMPL_VAR,      /* {{name}}: escaped as the caller asked */
	TMPL_RAW,      /* {{{name}}} or {{&name}}: never escaped */
	TMPL_SECTION,  /* {{#name}}: body is nodes (this, end) */
	TMPL_INVERTED, /* {{^name}}: body is nodes (this, end) */
	TMPL_PARTIAL   /* {{>name}} */
};

struct tmpl_node {
	enum tmpl_kind kind;
	unsigned bol : 1;        /* the node starts a kept line of its template */
	unsigned standalone : 1; /* PARTIAL alone on its line; off/len is the indentation */
	size_t at;               /* byte offset of the tag, for messages */
	size_t off, len;         /* TEXT: the bytes; standalone PARTIAL: its indentation */
	size_t name, namelen;    /* tags: the name is src[name..name+namelen) */
	size_t end;              /* SECTION, INVERTED: index of the first node after the body */
};

/* One parsed template; src is borrowed. */
struct tmpl_doc {
	const char *src;
	size_t len;
	struct tmpl_node *nodes;
	size_t n, cap;
};

/* A compiled template (tmpl.h): the parsed document and, in the same allocation, its own
 * copy of the text the nodes point into, so nothing in it borrows from the caller. */
struct tmpl {
	struct tmpl_doc doc;
	char src[]; /* len bytes and a NUL */
};

/* tmpl_fail writes one formatted line into err[0..errlen) when err is not NULL and
 * errlen > 0 (vsnprintf: always NUL-terminated, cut to fit). */
void tmpl_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* tmpl_quote copies at most 32 bytes of s[0..n) into dst[0..dstlen) for a message,
 * replacing control characters, quotes and backslashes with '?' so the message stays one
 * printable line, "..." when cut. dst is left as it was when dstlen < 4. */
void tmpl_quote(char *dst, size_t dstlen, const char *s, size_t n);

/* tmpl_doc_init makes d an empty document over src[0..len), which d borrows. */
void tmpl_doc_init(struct tmpl_doc *d, const char *src, size_t len);

/* tmpl_doc_free frees d's nodes (never src) and leaves d empty; calling it twice is safe. */
void tmpl_doc_free(struct tmpl_doc *d);

/* tmpl_parse turns d->src[0..d->len) into d->nodes. Standalone tags (section, inverted,
 * close, comment, partial, delimiter change alone on a line with only blanks around) take
 * their whole line with them, "\r\n" included. LC_EINVAL with a message in err on bad
 * syntax, LC_ENOMEM; d->nodes is freed by tmpl_doc_free either way. */
lc_err tmpl_parse(struct tmpl_doc *d, char *err, size_t errlen);

#endif
