/* jsonw.c: the streaming JSON writer (jsonw.h). Every form here mirrors jansson 2.14's
 * dump.c and strconv.c for JSON_COMPACT | JSON_REAL_PRECISION(15), flag for flag, so the
 * routes that use it answer what they answered through json_dumps. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/jsonw.h"
#include "util/timefmt.h"
#include "util/utf8.h"

static void put(struct jsonw *, const void *, size_t);
static int ready(struct jsonw *);
static void open_container(struct jsonw *, char, char);
static void put_string(struct jsonw *, const char *, size_t);
static int valid_text(const char *, size_t);

/* put appends n bytes, recording the first failure. */
static void
put(struct jsonw *w, const void *p, size_t n)
{
	lc_err e;

	if (w->err == LC_OK && (e = buf_append(w->b, p, n)) != LC_OK)
		w->err = e;
}

/* ready writes the separator a value needs where it stands: none after a key or as the
 * first member, a comma otherwise. 0 when the writer has failed (write nothing). */
static int
ready(struct jsonw *w)
{
	if (w->err != LC_OK)
		return 0;
	if (w->after_key) {
		w->after_key = 0;
		return 1;
	}
	if (w->depth > 0) {
		if (!w->first[w->depth - 1])
			put(w, ",", 1);
		w->first[w->depth - 1] = 0;
	}
	return w->err == LC_OK;
}

static void
open_container(struct jsonw *w, char open, char close)
{
	if (!ready(w))
		return;
	if (w->depth >= JSONW_DEPTH) {
		w->err = LC_EINVAL;
		return;
	}
	w->first[w->depth] = 1;
	w->close[w->depth++] = close;
	put(w, &open, 1);
}

/* put_string writes s[0..len) quoted. jansson escapes '"', '\\' and every code point
 * below 0x20 (the five with short forms as \b \f \n \r \t, the others as \u00XX in
 * upper-case hex) and copies the rest, '/' and non-ASCII included; it refuses text that
 * is not UTF-8, and so does this (NUL bytes, which utf8_valid refuses, are written as
 * jansson's json_stringn would: \u0000). */
static void
put_string(struct jsonw *w, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, run = 0;
	char esc[8];

	put(w, "\"", 1);
	for (i = 0; i < len; i++) {
		unsigned char c = p[i];
		const char *e = NULL;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(w, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		default: snprintf(esc, sizeof(esc), "\\u%04X", (unsigned)c); e = esc;
		}
		put(w, e, strlen(e));
	}
	put(w, s + run, len - run);
	put(w, "\"", 1);
}

/* valid_text is utf8_valid with NUL bytes allowed (a NUL is one byte of its own). */
static int
valid_text(const char *s, size_t len)
{
	const char *nul;

	while ((nul = memchr(s, '\0', len)) != NULL) {
		if (!utf8_valid(s, (size_t)(nul - s)))
			return 0;
		len -= (size_t)(nul - s) + 1;
		s = nul + 1;
	}
	return utf8_valid(s, len);
}

void
jsonw_init(struct jsonw *w, struct buf *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
}

void
jsonw_obj(struct jsonw *w)
{
	open_container(w, '{', '}');
}

void
jsonw_arr(struct jsonw *w)
{
	open_container(w, '[', ']');
}

void
jsonw_end(struct jsonw *w)
{
	if (w->err != LC_OK)
		return;
	if (w->depth == 0 || w->after_key) {
		w->err = LC_EINVAL;
		return;
	}
	w->depth--;
	put(w, &w->close[w->depth], 1);
}

void
jsonw_key(struct jsonw *w, const char *k)
{
	size_t len = strlen(k);

	if (w->err != LC_OK)
		return;
	/* keys are the routes' own member names, not data: they are escaped as strings are
	 * but not checked for UTF-8 (the profile showed that check at 3% of a list) */
	if (w->depth == 0 || w->close[w->depth - 1] != '}' || w->after_key) {
		w->err = LC_EINVAL;
		return;
	}
	if (!ready(w))
		return;
	put_string(w, k, len);
	put(w, ":", 1);
	w->after_key = 1;
}

void
jsonw_strn(struct jsonw *w, const char *s, size_t len)
{
	if (s == NULL) {
		jsonw_null(w);
		return;
	}
	if (w->err == LC_OK && !valid_text(s, len)) {
		w->err = LC_EINVAL;
		return;
	}
	if (ready(w))
		put_string(w, s, len);
}

void
jsonw_str(struct jsonw *w, const char *s)
{
	jsonw_strn(w, s, s ? strlen(s) : 0);
}

/* put_int writes v in decimal as "%lld" does, without printf's machinery (a list page
 * writes 250 integers: snprintf was a quarter of its time). */
static void
put_int(struct jsonw *w, long long v)
{
	char t[24], *p = t + sizeof(t);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		*--p = '-';
	put(w, p, (size_t)(t + sizeof(t) - p));
}

void
jsonw_int(struct jsonw *w, long long v)
{
	if (ready(w))
		put_int(w, v);
}

void
jsonw_real(struct jsonw *w, double v)
{
	char t[40], *e, *from;
	size_t len;

	if (w->err == LC_OK && !isfinite(v)) {
		w->err = LC_EINVAL;
		return;
	}
	if (!ready(w))
		return;
	/* The rates are hundredths, k / 100.0: "%.15g" writes such a value as the decimal
	 * k / 100 with trailing zeros dropped (15 significant digits hold it exactly while
	 * |k| < 10^13), and jansson adds ".0" to an integral one. Written directly, that is
	 * what "%.15g" would give (test_jsonw compares every k up to 10^5 and beyond with
	 * jansson), without printf's floating-point path. */
	if (fabs(v) < 1e10) {
		double x = v * 100.0;
		long long k = (long long)(x < 0 ? x - 0.5 : x + 0.5); /* no libm for llround */
		if ((double)k / 100.0 == v && !(k == 0 && signbit(v))) {
			unsigned long long u =
			    k < 0 ? 0ULL - (unsigned long long)k : (unsigned long long)k;
			char frac[3] = {(char)('0' + u / 10 % 10), (char)('0' + u % 10), 0};
			if (k < 0)
				put(w, "-", 1);
			put_int(w, (long long)(u / 100));
			put(w, ".", 1);
			put(w, frac, frac[1] == '0' ? 1 : 2);
			return;
		}
	}
	/* jsonp_dtostr: "%.15g"; an integral form gets ".0"; then the exponent loses its '+'
	 * and leading zeros ("1e+20" -> "1e20", "1e-05" -> "1e-5"). The C locale's '.' is
	 * the decimal point (linkcamp never calls setlocale). */
	snprintf(t, sizeof(t), "%.15g", v);
	len = strlen(t);
	if (strspn(t, "0123456789-") == len) {
		t[len++] = '.';
		t[len++] = '0';
		t[len] = '\0';
	}
	if ((e = strchr(t, 'e')) != NULL) {
		e++;
		if (*e == '-')
			e++;
		from = e;
		if (*from == '+')
			from++;
		while (*from == '0' && from[1] != '\0')
			from++;
		memmove(e, from, strlen(from) + 1);
		len = strlen(t);
	}
	put(w, t, len);
}

void
jsonw_null(struct jsonw *w)
{
	if (ready(w))
		put(w, "null", 4);
}

void
jsonw_time(struct jsonw *w, int64_t ms)
{
	char t[TIME_RFC3339_LEN];

	if (ms < 0) {
		jsonw_null(w);
		return;
	}
	rfc3339_format(ms, t);
	jsonw_str(w, t);
}

lc_err
jsonw_finish(const struct jsonw *w)
{
	if (w->err != LC_OK)
		return w->err;
	return w->depth == 0 && !w->after_key ? LC_OK : LC_EINVAL;
}
