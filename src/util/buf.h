/* buf.h: growable byte buffers with a hard maximum size. */
#ifndef LC_BUF_H
#define LC_BUF_H

#include <stddef.h>
#include "util/err.h"

struct buf {
	char *data; /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
	size_t max; /* appends that would exceed this fail with LC_ENOMEM */
};

/* buf_init prepares an empty buffer that will never hold more than max bytes. */
void buf_init(struct buf *b, size_t max);
/* buf_append copies n bytes of p; LC_ENOMEM on allocation failure or over max. */
lc_err buf_append(struct buf *b, const void *p, size_t n);
/* buf_puts appends a NUL-terminated string. */
lc_err buf_puts(struct buf *b, const char *s);
/* buf_printf appends formatted text (vsnprintf semantics). */
lc_err buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* buf_reset empties the buffer and keeps its memory. */
void buf_reset(struct buf *b);
/* buf_free releases the memory; the buffer may be reused after buf_init. */
void buf_free(struct buf *b);

#endif
