/* test_tmpl_compiled.c: templates compiled once (tmpl_compile, tmpl_render_compiled) render
 * exactly as tmpl_render renders their text: every case of the official mustache spec,
 * a few thousand random templates compared byte for byte (output, status and message),
 * limits and errors; one compiled template rendered by several threads at once; and the
 * pages' cache of compiled templates (src/ui/ui_tmpl.c) on a directory of its own. Texts
 * are compiled from exact-size heap copies that are freed before rendering, so ASan and
 * valgrind catch a compiled template that still points into its source. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <jansson.h>

#include "ui/ui_tmpl.h"
#include "util/tmpl.h"
#include "tmpl_fixture.h"

#define OUT_MAX (1u << 20)
#define MAX_PARTS 16
#define THREADS 4

/* A compiled template with its compiled partials, from a JSON partials object. */
struct compiled {
	struct tmpl *t;
	struct tmpl_partial parts[MAX_PARTS];
	size_t nparts;
};

static lc_err compile_copy(const char *, size_t, struct tmpl **, char *, size_t);
static lc_err compile_all(const char *, size_t, json_t *, struct compiled *);
static void compiled_free(struct compiled *);
static void run_spec_file(const char *);
static lc_err render_copy(const char *, size_t, json_t *, json_t *, struct buf *, char *, size_t);
static void *render_many(void *);
static void write_file(const char *, const char *, const char *);

/* compile_copy compiles a NUL-less heap copy of tpl[0..len) and frees the copy at once. */
static lc_err
compile_copy(const char *tpl, size_t len, struct tmpl **out, char *err, size_t errlen)
{
	char *copy = malloc(len ? len : 1);
	lc_err e;

	assert_non_null(copy);
	memcpy(copy, tpl, len);
	e = tmpl_compile(copy, len, out, err, errlen);
	free(copy);
	return e;
}

/* render_copy runs tmpl_render (HTML escaping) on a NUL-less heap copy of tpl[0..len). */
static lc_err
render_copy(const char *tpl, size_t len, json_t *ctx, json_t *partials, struct buf *out, char *err,
    size_t errlen)
{
	char *copy = malloc(len ? len : 1);
	lc_err e;

	assert_non_null(copy);
	memcpy(copy, tpl, len);
	e = tmpl_render(copy, len, ctx, partials, TMPL_ESCAPE_HTML, out, err, errlen);
	free(copy);
	return e;
}

/* compile_all compiles tpl and every string of partials (an object, or NULL) into c;
 * LC_OK, or the first error (c then holds nothing). */
static lc_err
compile_all(const char *tpl, size_t len, json_t *partials, struct compiled *c)
{
	const char *name;
	json_t *v;
	lc_err e;

	memset(c, 0, sizeof(*c));
	if ((e = compile_copy(tpl, len, &c->t, NULL, 0)) != LC_OK)
		return e;
	json_object_foreach(partials, name, v)
	{
		if (!json_is_string(v))
			continue;
		assert_true(c->nparts < MAX_PARTS);
		c->parts[c->nparts].name = name;
		e = compile_copy(json_string_value(v), json_string_length(v),
		    (struct tmpl **)&c->parts[c->nparts].tmpl, NULL, 0);
		if (e != LC_OK) {
			compiled_free(c);
			return e;
		}
		c->nparts++;
	}
	return LC_OK;
}

static void
compiled_free(struct compiled *c)
{
	size_t i;

	tmpl_free(c->t);
	for (i = 0; i < c->nparts; i++)
		tmpl_free((struct tmpl *)c->parts[i].tmpl);
	memset(c, 0, sizeof(*c));
}

/* run_spec_file renders every case of one spec file from compiled templates. */
static void
run_spec_file(const char *file)
{
	char err[256];
	json_t *root, *tests, *t, *tpl, *want;
	struct compiled c;
	struct buf out;
	size_t i, fails = 0;
	lc_err e;

	root = tmpl_spec_load(file, &tests);
	for (i = 0; i < json_array_size(tests); i++) {
		t = json_array_get(tests, i);
		tpl = json_object_get(t, "template");
		want = json_object_get(t, "expected");
		assert_true(json_is_string(tpl) && json_is_string(want));
		assert_int_equal(compile_all(json_string_value(tpl), json_string_length(tpl),
		                     json_object_get(t, "partials"), &c),
		    LC_OK);
		buf_init(&out, OUT_MAX);
		e = tmpl_render_compiled(c.t, json_object_get(t, "data"), c.parts, c.nparts,
		    TMPL_ESCAPE_HTML, &out, err, sizeof(err));
		if (e != LC_OK || out.len != json_string_length(want) ||
		    (out.len > 0 && memcmp(out.data, json_string_value(want), out.len) != 0)) {
			print_error("%s: \"%s\" FAILED compiled (%s %s)\n", file,
			    json_string_value(json_object_get(t, "name")), lc_strerror(e), err);
			fails++;
		}
		buf_free(&out);
		compiled_free(&c);
	}
	print_message("%s: %zu/%zu spec cases pass compiled\n", file,
	    json_array_size(tests) - fails, json_array_size(tests));
	json_decref(root);
	assert_int_equal(fails, 0);
}

static void
test_spec_compiled(void **state)
{
	static const char *const files[] = {"comments.json", "delimiters.json",
	    "interpolation.json", "inverted.json", "partials.json", "sections.json"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		run_spec_file(files[i]);
}

static void
test_compile_errors_match_check(void **state)
{
	static const char *const bad[] = {"{{name", "{{#a}}x", "{{#a}}{{/b}}", "{{= | =}}", "{{}}",
	    "{{a b}}", "{{=<% %>=}}<%#x%>"};
	char err[256], err2[256];
	struct tmpl *t = (struct tmpl *)&t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
		    compile_copy(bad[i], strlen(bad[i]), &t, err, sizeof(err)), LC_EINVAL);
		assert_null(t);
		assert_int_equal(tmpl_check(bad[i], strlen(bad[i]), err2, sizeof(err2)), LC_EINVAL);
		assert_string_equal(err, err2);
	}
	assert_int_equal(tmpl_compile(NULL, 1, &t, err, sizeof(err)), LC_EINVAL);
	assert_int_equal(tmpl_compile("x", 1, NULL, err, sizeof(err)), LC_EINVAL);
	/* the empty template compiles, renders as nothing, and frees */
	assert_int_equal(tmpl_compile(NULL, 0, &t, err, sizeof(err)), LC_OK);
	tmpl_free(t);
	tmpl_free(NULL);
}

static void
test_limits_and_errors_match_render(void **state)
{
	/* a partial that includes itself, loops in loops over the work budget, output over
	 * max: the same status, message and untouched output as tmpl_render */
	static const char *const cases[][2] = {
	    {"{{>a}}", "x{{>a}}"},
	    {"{{#l}}{{#l}}{{#l}}{{#l}}{{>a}}{{/l}}{{/l}}{{/l}}{{/l}}", "{{#l}}{{.}}{{/l}}"},
	    {"{{#l}}{{>a}}{{/l}}", "0123456789012345678901234567890123456789"},
	};
	json_t *ctx = json_object(), *l = json_array();
	char err[256], err2[256];
	struct buf o1, o2;
	struct compiled c;
	json_t *parts;
	size_t i, k;
	lc_err e1, e2;

	(void)state;
	for (k = 0; k < 64; k++)
		json_array_append_new(l, json_integer((json_int_t)k));
	json_object_set_new(ctx, "l", l);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parts = json_pack("{s:s}", "a", cases[i][1]);
		assert_int_equal(compile_all(cases[i][0], strlen(cases[i][0]), parts, &c), LC_OK);
		buf_init(&o1, i == 2 ? 1000 : OUT_MAX);
		buf_init(&o2, i == 2 ? 1000 : OUT_MAX);
		assert_int_equal(buf_puts(&o1, "keep"), LC_OK);
		assert_int_equal(buf_puts(&o2, "keep"), LC_OK);
		e1 = tmpl_render(cases[i][0], strlen(cases[i][0]), ctx, parts, TMPL_ESCAPE_HTML,
		    &o1, err, sizeof(err));
		e2 = tmpl_render_compiled(
		    c.t, ctx, c.parts, c.nparts, TMPL_ESCAPE_HTML, &o2, err2, sizeof(err2));
		assert_int_not_equal(e1, LC_OK);
		assert_int_equal(e1, e2);
		assert_string_equal(err, err2);
		assert_string_equal(o2.data, "keep");
		buf_free(&o1);
		buf_free(&o2);
		compiled_free(&c);
		json_decref(parts);
	}
	json_decref(ctx);
}

static void
test_partials_list(void **state)
{
	json_t *ctx = json_pack("{s:s}", "x", "<&>");
	struct tmpl *t, *a, *b;
	struct tmpl_partial parts[3];
	struct buf out;

	(void)state;
	assert_int_equal(tmpl_compile("[{{>a}}|{{>b}}|{{>c}}]", 22, &t, NULL, 0), LC_OK);
	assert_int_equal(tmpl_compile("A{{x}}", 6, &a, NULL, 0), LC_OK);
	assert_int_equal(tmpl_compile("B", 1, &b, NULL, 0), LC_OK);
	buf_init(&out, OUT_MAX);
	/* no list: every partial renders as nothing */
	assert_int_equal(
	    tmpl_render_compiled(t, NULL, NULL, 0, TMPL_ESCAPE_HTML, &out, NULL, 0), LC_OK);
	assert_string_equal(out.data, "[||]");
	/* the first entry with a name wins; a NULL name or template is skipped */
	parts[0] = (struct tmpl_partial){NULL, b};
	parts[1] = (struct tmpl_partial){"a", a};
	parts[2] = (struct tmpl_partial){"a", b};
	buf_reset(&out);
	assert_int_equal(
	    tmpl_render_compiled(t, ctx, parts, 3, TMPL_ESCAPE_HTML, &out, NULL, 0), LC_OK);
	assert_string_equal(out.data, "[A&lt;&amp;&gt;||]");
	assert_int_equal(
	    tmpl_render_compiled(t, NULL, NULL, 1, TMPL_ESCAPE_HTML, &out, NULL, 0), LC_EINVAL);
	assert_int_equal(
	    tmpl_render_compiled(NULL, NULL, NULL, 0, TMPL_ESCAPE_HTML, &out, NULL, 0), LC_EINVAL);
	buf_free(&out);
	tmpl_free(t);
	tmpl_free(a);
	tmpl_free(b);
	json_decref(ctx);
}

static void
test_random_templates_render_alike(void **state)
{
	json_t *ctx = json_pack("{s:[{s:s}, i, b, f], s:{s:s, s:[i,[]]}, s:b, s:s}", "a", "b",
	    "x&<", 2, 1, 1.5, "b", "a", "y'", "b", 1, "x", 0, "c", "");
	json_t *partials = json_object();
	uint64_t seed = 20261207;
	char tpl[256], part[256], err[256], err2[256];
	size_t len, plen, i, k, same = 0, rejected = 0;
	struct tmpl *t;
	struct buf o1, o2;
	struct compiled c;
	lc_err e1, e2;
	int esc;

	(void)state;
	buf_init(&o1, OUT_MAX);
	buf_init(&o2, OUT_MAX);
	for (i = 0; i < 5000; i++) {
		tmpl_soup(&seed, tpl, sizeof(tpl), &len);
		/* a partial that does not parse cannot be compiled (tmpl_render finds that
		 * only when it reaches the partial): draw until one parses */
		for (k = 0; k < 2; k++) {
			do
				tmpl_soup(&seed, part, sizeof(part), &plen);
			while (tmpl_check(part, plen, NULL, 0) != LC_OK);
			json_object_set_new(partials, k ? "b" : "a", json_stringn(part, plen));
		}
		/* a template that does not compile fails tmpl_render with the same message */
		if (compile_copy(tpl, len, &t, err2, sizeof(err2)) != LC_OK) {
			assert_null(t);
			assert_int_equal(
			    render_copy(tpl, len, ctx, partials, &o1, err, sizeof(err)), LC_EINVAL);
			assert_string_equal(err, err2);
			rejected++;
			continue;
		}
		tmpl_free(t);
		assert_int_equal(compile_all(tpl, len, partials, &c), LC_OK);
		for (esc = 0; esc < 2; esc++) {
			buf_reset(&o1);
			buf_reset(&o2);
			if (esc)
				e1 = tmpl_render(tpl, len, ctx, partials, TMPL_ESCAPE_NONE, &o1,
				    err, sizeof(err));
			else
				e1 = render_copy(tpl, len, ctx, partials, &o1, err, sizeof(err));
			e2 = tmpl_render_compiled(c.t, ctx, c.parts, c.nparts,
			    esc ? TMPL_ESCAPE_NONE : TMPL_ESCAPE_HTML, &o2, err2, sizeof(err2));
			assert_int_equal(e1, e2);
			assert_string_equal(err, err2);
			assert_int_equal(o1.len, o2.len);
			if (o1.len > 0)
				assert_memory_equal(o1.data, o2.data, o1.len);
			same++;
		}
		compiled_free(&c);
	}
	print_message("random templates: %zu renders alike, %zu rejected alike\n", same, rejected);
	assert_true(same > 1000 && rejected > 100);
	buf_free(&o1);
	buf_free(&o2);
	json_decref(ctx);
	json_decref(partials);
}

struct render_job {
	const struct compiled *c;
	json_t *ctx;
	const char *want;
	int ok;
};

/* render_many renders the shared compiled template 200 times and compares each output. */
static void *
render_many(void *arg)
{
	struct render_job *j = arg;
	struct buf out;
	int i;

	j->ok = 1;
	buf_init(&out, OUT_MAX);
	for (i = 0; i < 200 && j->ok; i++) {
		buf_reset(&out);
		if (tmpl_render_compiled(j->c->t, j->ctx, j->c->parts, j->c->nparts,
		        TMPL_ESCAPE_HTML, &out, NULL, 0) != LC_OK ||
		    out.data == NULL || strcmp(out.data, j->want) != 0)
			j->ok = 0;
	}
	buf_free(&out);
	return NULL;
}

static void
test_threads_share_a_compiled_template(void **state)
{
	static const char layout[] = "<main>\n  {{>content}}\n</main>\n";
	json_t *parts = json_pack("{s:s}", "content", "{{#l}}<b>{{n}}</b>\n{{/l}}");
	json_t *ctx = json_pack("{s:[{s:s},{s:s}]}", "l", "n", "a&b", "n", "c");
	struct render_job jobs[THREADS];
	pthread_t th[THREADS];
	struct compiled c;
	struct buf want;
	int i;

	(void)state;
	/* what tmpl_render makes of the same texts; standalone partial indentation included */
	buf_init(&want, OUT_MAX);
	assert_int_equal(
	    render_copy(layout, sizeof(layout) - 1, ctx, parts, &want, NULL, 0), LC_OK);
	assert_non_null(strstr(want.data, "  <b>a&amp;b</b>\n"));
	assert_int_equal(compile_all(layout, sizeof(layout) - 1, parts, &c), LC_OK);
	for (i = 0; i < THREADS; i++) {
		jobs[i] = (struct render_job){&c, ctx, want.data, 0};
		assert_int_equal(pthread_create(&th[i], NULL, render_many, &jobs[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_true(jobs[i].ok);
	}
	compiled_free(&c);
	buf_free(&want);
	json_decref(parts);
	json_decref(ctx);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.html", dir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
test_ui_cache(void **state)
{
	static const char *const names[] = {"page", "bad", "big"};
	char dir[] = "/tmp/test_tmpl_compiled.XXXXXX", err[256], path[600], *big;
	json_t *ctx = json_pack("{s:s}", "x", "<");
	const struct tmpl *t1, *t2;
	struct buf out;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* missing: LC_EIO, and nothing cached, so the file is read once it exists */
	assert_int_equal(ui_tmpl_get(dir, "page", &t1, err, sizeof(err)), LC_EIO);
	assert_null(t1);
	write_file(dir, "page", "<p>{{x}}</p>\n");
	assert_int_equal(ui_tmpl_get(dir, "page", &t1, err, sizeof(err)), LC_OK);
	assert_non_null(t1);
	/* read once: an edit is not seen until the process restarts (docs/ui.md) */
	write_file(dir, "page", "changed");
	assert_int_equal(ui_tmpl_get(dir, "page", &t2, err, sizeof(err)), LC_OK);
	assert_ptr_equal(t1, t2);
	buf_init(&out, OUT_MAX);
	assert_int_equal(
	    tmpl_render_compiled(t2, ctx, NULL, 0, TMPL_ESCAPE_HTML, &out, NULL, 0), LC_OK);
	assert_string_equal(out.data, "<p>&lt;</p>\n");
	buf_free(&out);
	/* a syntax error: LC_EINVAL with the reason, not cached */
	write_file(dir, "bad", "{{#a}}");
	assert_int_equal(ui_tmpl_get(dir, "bad", &t1, err, sizeof(err)), LC_EINVAL);
	assert_null(t1);
	assert_non_null(strstr(err, "unclosed section"));
	write_file(dir, "bad", "{{#a}}{{/a}}");
	assert_int_equal(ui_tmpl_get(dir, "bad", &t1, err, sizeof(err)), LC_OK);
	/* over UI_TMPL_MAX: LC_ENOMEM */
	assert_non_null(big = malloc(UI_TMPL_MAX + 2));
	memset(big, 'x', UI_TMPL_MAX + 1);
	big[UI_TMPL_MAX + 1] = '\0';
	write_file(dir, "big", big);
	free(big);
	assert_int_equal(ui_tmpl_get(dir, "big", &t1, err, sizeof(err)), LC_ENOMEM);
	/* a directory where the file should be cannot be read */
	snprintf(path, sizeof(path), "%s/dir.html", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_not_equal(ui_tmpl_get(dir, "dir", &t1, err, sizeof(err)), LC_OK);
	assert_int_equal(rmdir(path), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.html", dir, names[i]);
		assert_int_equal(unlink(path), 0);
	}
	assert_int_equal(rmdir(dir), 0);
	json_decref(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spec_compiled),
	    cmocka_unit_test(test_compile_errors_match_check),
	    cmocka_unit_test(test_limits_and_errors_match_render),
	    cmocka_unit_test(test_partials_list),
	    cmocka_unit_test(test_random_templates_render_alike),
	    cmocka_unit_test(test_threads_share_a_compiled_template),
	    cmocka_unit_test(test_ui_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
