#include <stdlib.h>
#include <string.h>

#include "http/query.h"
#include "util/utf8.h"

static int hexval(char);

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
url_decode(const char *src, size_t len, char *dst)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (src[i] == '%') {
			int hi, lo;
			if (i + 2 >= len)
				return -1;
			hi = hexval(src[i + 1]);
			lo = hexval(src[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			dst[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (src[i] == '+') {
			dst[o++] = ' ';
		} else {
			dst[o++] = src[i];
		}
	}
	dst[o] = '\0';
	return (long)o;
}

lc_err
query_parse(const char *s, size_t len, struct query *q, const char **bad)
{
	size_t i = 0, o = 0, j;
	char *st;

	memset(q, 0, sizeof(*q));
	*bad = "query";
	if (len > QUERY_MAX_BYTES)
		return LC_EINVAL;
	if (len == 0)
		return LC_OK;
	/* decoded text is never longer than the input; +2 NULs per pair at most */
	if ((st = q->storage = malloc(len + 2 * QUERY_MAX_PARAMS + 2)) == NULL)
		return LC_ENOMEM;
	while (i < len) {
		size_t start = i, eq = (size_t)-1, end;
		long klen, vlen;
		char *key, *val;

		while (i < len && s[i] != '&') {
			if (s[i] == '=' && eq == (size_t)-1)
				eq = i;
			i++;
		}
		end = i++;
		if (end == start)
			continue; /* "a=1&&b=2" */
		if (q->n == QUERY_MAX_PARAMS)
			return LC_EINVAL;
		if (eq == (size_t)-1)
			eq = end;
		key = st + o;
		if ((klen = url_decode(s + start, eq - start, key)) < 0)
			return LC_EINVAL;
		o += (size_t)klen + 1;
		val = st + o;
		if (eq < end) {
			if ((vlen = url_decode(s + eq + 1, end - eq - 1, val)) < 0) {
				*bad = key;
				return LC_EINVAL;
			}
		} else {
			val[0] = '\0';
			vlen = 0;
		}
		o += (size_t)vlen + 1;
		if (klen == 0 || !utf8_valid(key, (size_t)klen))
			return LC_EINVAL;
		if (!utf8_valid(val, (size_t)vlen)) {
			*bad = key;
			return LC_EINVAL;
		}
		for (j = 0; j < q->n; j++)
			if (strcmp(q->p[j].key, key) == 0) {
				*bad = key;
				return LC_EINVAL;
			}
		q->p[q->n].key = key;
		q->p[q->n].value = val;
		q->p[q->n].vlen = (size_t)vlen;
		q->n++;
	}
	*bad = NULL;
	return LC_OK;
}

const char *
query_get(const struct query *q, const char *key)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		if (strcmp(q->p[i].key, key) == 0)
			return q->p[i].value;
	return NULL;
}

void
query_free(struct query *q)
{
	free(q->storage);
	memset(q, 0, sizeof(*q));
}

int
url_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[3];

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			if (buf_append(b, s, 1) != LC_OK)
				return -1;
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		if (buf_append(b, esc, 3) != LC_OK)
			return -1;
	}
	return 0;
}

int
query_id_plausible(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (n >= 100 || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		                    (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return 0;
	return n > 0;
}
