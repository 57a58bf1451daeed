#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

static lc_err buf_reserve(struct buf *, size_t);

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

/* buf_reserve makes room for extra more bytes plus the terminating NUL. */
static lc_err
buf_reserve(struct buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > b->max || b->len > b->max - extra)
		return LC_ENOMEM;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return LC_OK;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap *= 2;
	if ((p = realloc(b->data, ncap)) == NULL)
		return LC_ENOMEM;
	b->data = p;
	b->cap = ncap;
	return LC_OK;
}

lc_err
buf_append(struct buf *b, const void *p, size_t n)
{
	lc_err e;

	if ((e = buf_reserve(b, n)) != LC_OK)
		return e;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return LC_OK;
}

lc_err
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

lc_err
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	lc_err e;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return LC_EINVAL;
	if ((e = buf_reserve(b, (size_t)n)) != LC_OK)
		return e;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return LC_OK;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
