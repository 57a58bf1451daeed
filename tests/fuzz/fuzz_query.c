/* fuzz_query.c: libFuzzer target for the application/x-www-form-urlencoded readers: query
 * strings of every API request (src/http/query.c: query_parse, url_decode) and the form
 * bodies of the /app pages (src/ui/ui_form.c: ui_form_parse). Promises checked, from
 * query.h and ui_app.h: accepted keys and values are valid UTF-8 without NUL (so a value's
 * length is its vlen), query keys are non-empty and unique and query_get finds each value,
 * at most QUERY_MAX_PARAMS / UI_FORM_MAX_FIELDS pairs and QUERY_MAX_BYTES of query;
 * url_encode then query_parse gives back the same pairs; whatever query_parse accepts the
 * more lenient form reader accepts with the same pairs; an error names a parameter; a
 * plausible id holds no '/', '.', '%' or '?'. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "http/query.h"
#include "ui/ui_app.h"
#include "util/buf.h"
#include "util/utf8.h"

static void fuzz_die(const char *);
static void fuzz_str(const char *, size_t);
static void fuzz_query(const char *, size_t);
static void fuzz_form(const char *, size_t, const struct query *);
static void fuzz_reencode(const char *const *, const char *const *, size_t, int);

static void
fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_query: broken promise: %s\n", what);
	abort();
}

/* fuzz_str checks a decoded string: valid UTF-8 (so no NUL before len) and len long. */
static void
fuzz_str(const char *s, size_t len)
{
	if (s == NULL || strlen(s) != len || !utf8_valid(s, len))
		fuzz_die("a decoded string is not valid UTF-8 of its length");
	if (query_id_plausible(s) && strpbrk(s, "/.%?&=#") != NULL)
		fuzz_die("a plausible id holds a path or query character");
}

/* fuzz_reencode url_encodes the pairs, parses the result again and compares (as a query
 * when as_query, else as a form). */
static void
fuzz_reencode(const char *const *key, const char *const *value, size_t n, int as_query)
{
	struct buf b;
	struct query q;
	struct ui_form f;
	const char *bad;
	size_t i;

	buf_init(&b, 1 << 20);
	for (i = 0; i < n; i++)
		if ((i > 0 && buf_append(&b, "&", 1) != LC_OK) || url_encode(&b, key[i]) != 0 ||
		    buf_append(&b, "=", 1) != LC_OK || url_encode(&b, value[i]) != 0)
			fuzz_die("url_encode failed");
	if (as_query) {
		if (query_parse(b.data ? b.data : "", b.len, &q, &bad) != LC_OK) {
			/* escaping may take the text over QUERY_MAX_BYTES; nothing else is allowed
			 */
			if (b.len <= QUERY_MAX_BYTES)
				fuzz_die("re-encoded query does not parse");
		} else if (q.n != n) {
			fuzz_die("re-encoded query has another number of pairs");
		} else {
			for (i = 0; i < n; i++)
				if (strcmp(q.p[i].key, key[i]) != 0 ||
				    strcmp(q.p[i].value, value[i]) != 0)
					fuzz_die("re-encoded query has other pairs");
		}
		query_free(&q);
	} else {
		if (ui_form_parse(b.data ? b.data : "", b.len, &f) != LC_OK || f.n != n)
			fuzz_die("re-encoded form does not parse to as many pairs");
		for (i = 0; i < n; i++)
			if (strcmp(f.key[i], key[i]) != 0 || strcmp(f.value[i], value[i]) != 0)
				fuzz_die("re-encoded form has other pairs");
		ui_form_free(&f);
	}
	buf_free(&b);
}

static void
fuzz_query(const char *s, size_t len)
{
	const char *bad = NULL, *keys[QUERY_MAX_PARAMS], *values[QUERY_MAX_PARAMS];
	struct query q;
	size_t i, j;
	lc_err e;

	e = query_parse(s, len, &q, &bad);
	if (e == LC_OK) {
		if (len > QUERY_MAX_BYTES || q.n > QUERY_MAX_PARAMS)
			fuzz_die("accepted query over its limits");
		for (i = 0; i < q.n; i++) {
			fuzz_str(q.p[i].key, strlen(q.p[i].key));
			fuzz_str(q.p[i].value, q.p[i].vlen);
			if (q.p[i].key[0] == '\0')
				fuzz_die("empty query key");
			for (j = 0; j < i; j++)
				if (strcmp(q.p[i].key, q.p[j].key) == 0)
					fuzz_die("repeated query key");
			if (query_get(&q, q.p[i].key) != q.p[i].value)
				fuzz_die("query_get does not find a key");
			keys[i] = q.p[i].key;
			values[i] = q.p[i].value;
		}
		fuzz_reencode(keys, values, q.n, 1);
		fuzz_form(s, len, &q);
	} else if (e != LC_EINVAL || bad == NULL) {
		fuzz_die("query_parse failed without LC_EINVAL and a parameter");
	} else {
		fuzz_form(s, len, NULL);
	}
	query_free(&q);
}

/* fuzz_form parses s as a form; q (may be NULL) is what query_parse made of it. */
static void
fuzz_form(const char *s, size_t len, const struct query *q)
{
	struct ui_form f;
	size_t i;

	if (ui_form_parse(s, len, &f) != LC_OK) {
		if (q != NULL)
			fuzz_die("a query the form reader refuses");
		if (f.storage != NULL || f.n != 0)
			fuzz_die("form left after an error");
		return;
	}
	if (f.n > UI_FORM_MAX_FIELDS)
		fuzz_die("too many form fields");
	if (q != NULL && q->n != f.n)
		fuzz_die("query and form disagree on the number of pairs");
	for (i = 0; i < f.n; i++) {
		fuzz_str(f.key[i], strlen(f.key[i]));
		fuzz_str(f.value[i], strlen(f.value[i]));
		if (q != NULL &&
		    (strcmp(q->p[i].key, f.key[i]) != 0 || strcmp(q->p[i].value, f.value[i]) != 0))
			fuzz_die("query and form disagree on a pair");
	}
	if (f.n > 0 && ui_form_get(&f, f.key[0]) != f.value[0])
		fuzz_die("ui_form_get does not find the first key");
	fuzz_reencode(f.key, f.value, f.n, 0);
	ui_form_free(&f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *dst;
	long n;

	fuzz_query(s, size);
	if ((dst = malloc(size + 1)) == NULL)
		return 0;
	n = url_decode(s, size, dst);
	if (n > (long)size || (n >= 0 && dst[n] != '\0'))
		fuzz_die("url_decode longer than its input or not terminated");
	free(dst);
	return 0;
}
