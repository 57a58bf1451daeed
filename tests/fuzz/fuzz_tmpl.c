/* fuzz_tmpl.c: libFuzzer target for the mustache engine (src/util/tmpl.c): campaign
 * templates are user input. The input is the template; it is checked with tmpl_check and
 * rendered against a fixed context (strings with HTML specials, numbers, booleans, null,
 * lists, an object), without partials and with partials "self" (the input again, so a
 * template can include itself) and "p". Promises checked, from tmpl.h: tmpl_render fails
 * with the same syntax error as tmpl_check, or renders, or stops at a documented render
 * limit (depth, partial depth, steps) or at out->max; on any error out is back to the
 * length it had and the reason is one NUL-terminated line; rendering is deterministic;
 * HTML escaping never lets a value's '<' through ({{x}} of "<b>" renders "&lt;b&gt;"),
 * which is checked by rendering with a context whose only special characters are in the
 * values and a template without '<'. And compiled once (tmpl_compile) the template fails
 * with tmpl_check's error, or renders with the same partials compiled exactly as
 * tmpl_render renders it: the same status, reason and bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "fuzz.h"
#include "util/buf.h"
#include "util/tmpl.h"

#define OUT_MAX (256 * 1024)
#define PREFIX "prefix:"
#define PART_P "[{{x}}{{#list}}{{>p2}}{{/list}}]"
#define PART_P2 "({{x}})"

static void fuzz_die(const char *);
static void fuzz_init(void);
static void fuzz_fini(void);
static lc_err fuzz_render(const char *, size_t, json_t *, enum tmpl_escape, struct buf *, char *);
static int fuzz_limit(const char *);
static int fuzz_escaping(const char *, size_t);
static void fuzz_compiled(
    const char *, size_t, lc_err, const char *, lc_err, const struct buf *, const char *);

static json_t *context, *partials;
static struct tmpl *part_p, *part_p2; /* the partials "p" and "p2", compiled once */

static void
fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_tmpl: broken promise: %s\n", what);
	abort();
}

static void
fuzz_fini(void)
{
	json_decref(context);
	json_decref(partials);
	tmpl_free(part_p);
	tmpl_free(part_p2);
}

static void
fuzz_init(void)
{
	if (context != NULL)
		return;
	context =
	    json_pack("{s:s, s:i, s:f, s:b, s:b, s:n, s:[{s:s},{s:s},{s:s}], s:{s:s, s:{s:s}}, "
	              "s:[], s:s, s:s}",
	        "x", "<b>&\"'", "n", 3, "r", 1.5, "t", 1, "f", 0, "z", "list", "x", "1", "x", "<2>",
	        "y", "3", "o", "x", "in<", "deep", "x", "deeper>", "e", "name", "Ann", "s", "");
	if (context == NULL)
		abort();
	if (tmpl_compile(PART_P, strlen(PART_P), &part_p, NULL, 0) != LC_OK ||
	    tmpl_compile(PART_P2, strlen(PART_P2), &part_p2, NULL, 0) != LC_OK)
		abort();
	atexit(fuzz_fini);
}

/* fuzz_render renders into out (pre-filled with PREFIX) and checks the error contract. */
static lc_err
fuzz_render(
    const char *tpl, size_t len, json_t *parts, enum tmpl_escape esc, struct buf *out, char *err)
{
	lc_err e;

	buf_init(out, OUT_MAX);
	if (buf_append(out, PREFIX, strlen(PREFIX)) != LC_OK)
		fuzz_die("buf");
	memset(err, 'x', 256);
	e = tmpl_render(tpl, len, context, parts, esc, out, err, 256);
	if (e != LC_OK && e != LC_EINVAL && e != LC_ENOMEM)
		fuzz_die("tmpl_render error outside the documented list");
	if (memchr(err, '\0', 256) == NULL || strchr(err, '\n') != NULL)
		fuzz_die("error reason not one terminated line");
	if (e != LC_OK && (out->len != strlen(PREFIX) || err[0] == '\0'))
		fuzz_die("output not restored, or no reason, after an error");
	if (e == LC_OK && (out->len < strlen(PREFIX) ||
	                      memcmp(out->data, PREFIX, strlen(PREFIX)) != 0 || out->len > OUT_MAX))
		fuzz_die("output does not extend what was there");
	return e;
}

/* fuzz_limit is 1 when err names a render limit rather than a syntax error. */
static int
fuzz_limit(const char *err)
{
	return strstr(err, "too costly") != NULL || strstr(err, "nested deeper") != NULL ||
	       strstr(err, "partials") != NULL || strstr(err, "output over") != NULL;
}

/* fuzz_escaping is 1 when every tag of tpl escapes: no "{{" followed (after blanks) by '{'
 * or '&', and no delimiter change. */
static int
fuzz_escaping(const char *tpl, size_t len)
{
	size_t i, j;

	if (memchr(tpl, '=', len) != NULL)
		return 0;
	for (i = 0; i + 1 < len; i++) {
		if (tpl[i] != '{' || tpl[i + 1] != '{')
			continue;
		for (j = i + 2; j < len && (tpl[j] == ' ' || tpl[j] == '\t'); j++)
			;
		if (j < len && (tpl[j] == '{' || tpl[j] == '&'))
			return 0;
	}
	return 1;
}

/* fuzz_compiled compiles tpl and renders it with the partials of the second render
 * compiled; ce/cerr are tmpl_check's verdict, e/out/rerr tmpl_render's result. */
static void
fuzz_compiled(const char *tpl, size_t size, lc_err ce, const char *cerr, lc_err e,
    const struct buf *out, const char *rerr)
{
	struct tmpl_partial parts[3];
	struct tmpl *t = NULL;
	char err[256];
	struct buf c;
	lc_err me;

	memset(err, 'x', sizeof(err));
	me = tmpl_compile(tpl, size, &t, err, sizeof(err));
	if (me != ce || (me != LC_OK && strcmp(err, cerr) != 0) || (me == LC_OK) != (t != NULL))
		fuzz_die("tmpl_compile and tmpl_check disagree");
	if (t == NULL)
		return;
	parts[0] = (struct tmpl_partial){"self", t};
	parts[1] = (struct tmpl_partial){"p", part_p};
	parts[2] = (struct tmpl_partial){"p2", part_p2};
	buf_init(&c, OUT_MAX);
	if (buf_append(&c, PREFIX, strlen(PREFIX)) != LC_OK)
		fuzz_die("buf");
	memset(err, 'x', sizeof(err));
	me = tmpl_render_compiled(t, context, parts, 3, TMPL_ESCAPE_NONE, &c, err, sizeof(err));
	if (me != e || strcmp(err, rerr) != 0 || c.len != out->len ||
	    (c.len > 0 && memcmp(c.data, out->data, c.len) != 0))
		fuzz_die("tmpl_render_compiled and tmpl_render disagree");
	buf_free(&c);
	tmpl_free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *tpl = (const char *)data;
	char cerr[256], rerr[256], err2[256];
	struct buf a, b;
	lc_err ce, e, e2;

	fuzz_init();
	memset(cerr, 'x', sizeof(cerr));
	ce = tmpl_check(tpl, size, cerr, sizeof(cerr));
	if (ce != LC_OK && ce != LC_EINVAL && ce != LC_ENOMEM)
		fuzz_die("tmpl_check error outside the documented list");
	if (memchr(cerr, '\0', sizeof(cerr)) == NULL || (ce != LC_OK && cerr[0] == '\0'))
		fuzz_die("tmpl_check reason");

	/* no partials: the same verdict as tmpl_check, twice the same output */
	e = fuzz_render(tpl, size, NULL, TMPL_ESCAPE_HTML, &a, rerr);
	if (ce == LC_EINVAL && (e != LC_EINVAL || strcmp(cerr, rerr) != 0))
		fuzz_die("tmpl_render and tmpl_check disagree on a syntax error");
	if (ce == LC_OK && e == LC_EINVAL && !fuzz_limit(rerr))
		fuzz_die("tmpl_render found a syntax error tmpl_check accepted");
	e2 = fuzz_render(tpl, size, NULL, TMPL_ESCAPE_HTML, &b, err2);
	if (e2 != e || a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0))
		fuzz_die("rendering is not deterministic");
	/* HTML escaping: with no '<' in the template, none in the output */
	if (e == LC_OK && memchr(tpl, '<', size) == NULL && memchr(a.data, '<', a.len) != NULL &&
	    fuzz_escaping(tpl, size))
		fuzz_die("a value's '<' went through HTML escaping");
	buf_free(&a);
	buf_free(&b);

	/* with partials, one of them the template itself */
	if (partials == NULL)
		partials = json_object();
	if (partials == NULL ||
	    json_object_set_new(partials, "self", json_stringn_nocheck(tpl, size)) != 0 ||
	    json_object_set_new(partials, "p", json_string(PART_P)) != 0 ||
	    json_object_set_new(partials, "p2", json_string(PART_P2)) != 0)
		fuzz_die("json");
	e = fuzz_render(tpl, size, partials, TMPL_ESCAPE_NONE, &a, rerr);
	if (ce == LC_EINVAL && e != LC_EINVAL)
		fuzz_die("a template with a syntax error rendered with partials");
	fuzz_compiled(tpl, size, ce, cerr, e, &a, rerr);
	buf_free(&a);
	return 0;
}
