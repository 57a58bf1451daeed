/* test_tmpl.c: the mustache engine against every case of the official spec files in
 * MUSTACHE_SPEC_DIR, plus what the spec does not cover: plain-text escaping, syntax errors,
 * output and nesting limits, the work budget, indentation of nested partials, and a few
 * thousand random templates that must come back LC_OK or LC_EINVAL and nothing worse.
 * Every template is rendered from an exact-size heap copy without a NUL so that ASan and
 * valgrind catch a read past len. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>
#include <jansson.h>

#include "util/tmpl.h"
#include "tmpl_fixture.h"

#ifndef MUSTACHE_SPEC_DIR
#error "MUSTACHE_SPEC_DIR must name the directory of the mustache spec JSON files"
#endif

#define OUT_MAX (1u << 20)

static const char *const spec_files[] = {
    "comments.json",
    "delimiters.json",
    "interpolation.json",
    "inverted.json",
    "partials.json",
    "sections.json",
};

static lc_err render(
    const char *, size_t, json_t *, json_t *, enum tmpl_escape, struct buf *, char *, size_t);
static void assert_renders(const char *, json_t *, json_t *, enum tmpl_escape, const char *);
static void assert_syntax_error(const char *, const char *);
static char *quoted(const char *, size_t);
static void run_spec_file(const char *);

/* render runs tmpl_render on a copy of tpl[0..len) that has no terminating NUL. */
static lc_err
render(const char *tpl, size_t len, json_t *ctx, json_t *partials, enum tmpl_escape esc,
    struct buf *out, char *err, size_t errlen)
{
	char *copy = malloc(len ? len : 1);
	lc_err e;

	assert_non_null(copy);
	memcpy(copy, tpl, len);
	e = tmpl_render(copy, len, ctx, partials, esc, out, err, errlen);
	free(copy);
	return e;
}

/* quoted returns s[0..n) as a JSON string literal for messages; the caller frees it. */
static char *
quoted(const char *s, size_t n)
{
	json_t *j = json_stringn_nocheck(s, n);
	char *q = json_dumps(j, JSON_ENCODE_ANY);

	json_decref(j);
	return q;
}

static void
assert_renders(
    const char *tpl, json_t *ctx, json_t *partials, enum tmpl_escape esc, const char *want)
{
	struct buf out;
	char err[256];
	lc_err e;

	buf_init(&out, OUT_MAX);
	e = render(tpl, strlen(tpl), ctx, partials, esc, &out, err, sizeof(err));
	if (e != LC_OK)
		fail_msg("%s: %s (%s)", tpl, lc_strerror(e), err);
	assert_non_null(out.data);
	if (strcmp(out.data, want) != 0) {
		char *q1 = quoted(tpl, strlen(tpl)), *q2 = quoted(want, strlen(want)),
		     *q3 = quoted(out.data, out.len);

		print_error("template %s\n  want %s\n  got  %s\n", q1, q2, q3);
		free(q1);
		free(q2);
		free(q3);
		fail();
	}
	buf_free(&out);
}

/* assert_syntax_error expects LC_EINVAL from both tmpl_render and tmpl_check, a one-line
 * message containing want, and the output buffer left as it was. */
static void
assert_syntax_error(const char *tpl, const char *want)
{
	struct buf out;
	char err[256], err2[256];
	lc_err e;

	buf_init(&out, OUT_MAX);
	assert_int_equal(buf_puts(&out, "keep"), LC_OK);
	e = render(tpl, strlen(tpl), NULL, NULL, TMPL_ESCAPE_HTML, &out, err, sizeof(err));
	if (e != LC_EINVAL)
		fail_msg("\"%s\": want LC_EINVAL, got %s", tpl, lc_strerror(e));
	if (strstr(err, want) == NULL)
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", tpl, err, want);
	assert_null(strchr(err, '\n'));
	assert_int_equal(out.len, 4);
	assert_string_equal(out.data, "keep");
	assert_int_equal(tmpl_check(tpl, strlen(tpl), err2, sizeof(err2)), LC_EINVAL);
	assert_string_equal(err2, err);
	buf_free(&out);
}

/* run_spec_file renders every case of one spec file and reports each failure by name. */
static void
run_spec_file(const char *file)
{
	char err[256];
	json_t *root, *tests, *t, *tpl, *want;
	struct buf out;
	size_t i, fails = 0;
	lc_err e;

	root = tmpl_spec_load(file, &tests);
	for (i = 0; i < json_array_size(tests); i++) {
		const char *name;

		t = json_array_get(tests, i);
		name = json_string_value(json_object_get(t, "name"));

		tpl = json_object_get(t, "template");
		want = json_object_get(t, "expected");
		assert_true(json_is_string(tpl));
		assert_true(json_is_string(want));
		buf_init(&out, OUT_MAX);
		err[0] = '\0';
		e = render(json_string_value(tpl), json_string_length(tpl),
		    json_object_get(t, "data"), json_object_get(t, "partials"), TMPL_ESCAPE_HTML,
		    &out, err, sizeof(err));
		if (e != LC_OK || out.len != json_string_length(want) ||
		    (out.len > 0 && memcmp(out.data, json_string_value(want), out.len) != 0)) {
			char *q1 = quoted(json_string_value(tpl), json_string_length(tpl));
			char *q2 = quoted(json_string_value(want), json_string_length(want));
			char *q3 = quoted(out.data ? out.data : "", out.len);

			print_error("%s: \"%s\" FAILED (%s%s%s)\n  template %s\n  want     %s\n"
			            "  got      %s\n",
			    file, name ? name : "?", lc_strerror(e), err[0] ? ": " : "", err, q1,
			    q2, q3);
			free(q1);
			free(q2);
			free(q3);
			fails++;
		}
		buf_free(&out);
	}
	print_message("%s: %zu/%zu spec cases pass\n", file, json_array_size(tests) - fails,
	    json_array_size(tests));
	json_decref(root);
	assert_int_equal(fails, 0);
}

static void
test_spec_comments(void **state)
{
	(void)state;
	run_spec_file("comments.json");
}

static void
test_spec_delimiters(void **state)
{
	(void)state;
	run_spec_file("delimiters.json");
}

static void
test_spec_interpolation(void **state)
{
	(void)state;
	run_spec_file("interpolation.json");
}

static void
test_spec_inverted(void **state)
{
	(void)state;
	run_spec_file("inverted.json");
}

static void
test_spec_partials(void **state)
{
	(void)state;
	run_spec_file("partials.json");
}

static void
test_spec_sections(void **state)
{
	(void)state;
	run_spec_file("sections.json");
}

/* Every required spec file in the directory is one of the files tested above (optional
 * modules are named "~..." and not required), so a new file cannot be skipped silently. */
static void
test_spec_dir_fully_covered(void **state)
{
	DIR *dir;
	struct dirent *de;
	size_t i, n, seen = 0;
	int known;

	(void)state;
	assert_non_null(dir = opendir(MUSTACHE_SPEC_DIR));
	while ((de = readdir(dir)) != NULL) {
		n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 5, ".json") != 0 || de->d_name[0] == '~')
			continue;
		known = 0;
		for (i = 0; i < sizeof(spec_files) / sizeof(spec_files[0]); i++)
			if (strcmp(de->d_name, spec_files[i]) == 0)
				known = 1;
		if (!known)
			fail_msg("spec file %s is not run by this test", de->d_name);
		seen++;
	}
	closedir(dir);
	assert_int_equal(seen, sizeof(spec_files) / sizeof(spec_files[0]));
}

static void
test_escape_none_leaves_text_alone(void **state)
{
	json_t *ctx = json_pack("{s:s}", "n", "O'Brien & <x> \"q\"");

	(void)state;
	assert_renders("Dear {{n}},", ctx, NULL, TMPL_ESCAPE_NONE, "Dear O'Brien & <x> \"q\",");
	assert_renders("Dear {{n}},", ctx, NULL, TMPL_ESCAPE_HTML,
	    "Dear O&#39;Brien &amp; &lt;x&gt; &quot;q&quot;,");
	assert_renders("{{{n}}}|{{&n}}", ctx, NULL, TMPL_ESCAPE_HTML,
	    "O'Brien & <x> \"q\"|O'Brien & <x> \"q\"");
	assert_renders("{{{n}}}|{{&n}}", ctx, NULL, TMPL_ESCAPE_NONE,
	    "O'Brien & <x> \"q\"|O'Brien & <x> \"q\"");
	json_decref(ctx);
}

static void
test_value_formatting(void **state)
{
	json_t *ctx =
	    json_pack("{s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:b, s:b, s:n, s:[i], s:{s:i}}", "i",
	        (json_int_t)-42, "max", (json_int_t)INT64_MAX, "r", 1.21, "w", 5.0, "t", 0.1,
	        "third", 1.0 / 3.0, "big", 1e300, "T", 1, "F", 0, "N", "a", 7, "o", "x", 1);

	(void)state;
	assert_non_null(ctx);
	assert_renders("{{i}}|{{max}}|{{r}}|{{w}}|{{t}}|{{third}}|{{big}}", ctx, NULL,
	    TMPL_ESCAPE_HTML, "-42|9223372036854775807|1.21|5|0.1|0.3333333333333333|1e+300");
	assert_renders("{{T}}|{{F}}|{{N}}|{{a}}|{{o}}|{{missing}}", ctx, NULL, TMPL_ESCAPE_HTML,
	    "true|false||||");
	json_decref(ctx);
}

static void
test_truthiness(void **state)
{
	json_t *ctx = json_pack("{s:s, s:i, s:f, s:[], s:{}, s:n, s:b}", "e", "", "z", 0, "zf", 0.0,
	    "l", "o", "n", "f", 0);

	(void)state;
	/* As in the spec (Ruby's !!data): "", 0 and {} are truthy; [] null false missing not. */
	assert_renders("{{#e}}e{{/e}}{{#z}}z{{/z}}{{#zf}}f{{/zf}}{{#o}}o{{/o}}", ctx, NULL,
	    TMPL_ESCAPE_HTML, "ezfo");
	assert_renders("{{^l}}l{{/l}}{{^n}}n{{/n}}{{^f}}f{{/f}}{{^m}}m{{/m}}{{#l}}X{{/l}}", ctx,
	    NULL, TMPL_ESCAPE_HTML, "lnfm");
	assert_renders("{{#z}}[{{.}}]{{/z}}", ctx, NULL, TMPL_ESCAPE_HTML, "[0]");
	json_decref(ctx);
}

static void
test_null_context_and_partials(void **state)
{
	json_t *partials = json_pack("{s:i}", "p", 1); /* not a string: renders as nothing */

	(void)state;
	assert_renders(
	    "{{a}}{{>p}}{{#a}}x{{/a}}{{^a}}y{{/a}}{{.}}{{a.b}}", NULL, NULL, TMPL_ESCAPE_HTML, "y");
	assert_renders("<{{>p}}>", NULL, partials, TMPL_ESCAPE_HTML, "<>");
	json_decref(partials);
}

static void
test_nul_bytes_and_appending(void **state)
{
	json_t *ctx = json_pack("{s:s}", "x", "X");
	const char tpl[] = "a\0{{x}}\0b";
	struct buf out;
	char err[128];

	(void)state;
	buf_init(&out, OUT_MAX);
	assert_int_equal(buf_puts(&out, "pre:"), LC_OK);
	assert_int_equal(
	    render(tpl, sizeof(tpl) - 1, ctx, NULL, TMPL_ESCAPE_HTML, &out, err, sizeof(err)),
	    LC_OK);
	assert_int_equal(out.len, 9);
	assert_memory_equal(out.data, "pre:a\0X\0b", 10);
	buf_free(&out);
	json_decref(ctx);
}

static void
test_syntax_errors(void **state)
{
	char msg[200];
	size_t i;

	(void)state;
	assert_syntax_error("{{name", "unclosed tag at byte 0");
	assert_syntax_error("ab{{{name}}", "unclosed tag at byte 2");
	assert_syntax_error("ab{{!never closed", "unclosed tag at byte 2");
	assert_syntax_error("{{#a}}x", "unclosed section \"a\" opened at byte 0");
	assert_syntax_error("{{#a}}{{^b}}{{/b}}x", "unclosed section \"a\" opened at byte 0");
	assert_syntax_error(
	    "{{#a}}{{/b}}", "section \"a\" opened at byte 0 but \"b\" closed at byte 6");
	assert_syntax_error("{{#a}}{{#b}}{{/a}}{{/b}}", "\"b\" opened at byte 6 but \"a\" closed");
	assert_syntax_error("x{{/a}}", "section close \"a\" at byte 1 without an open section");
	assert_syntax_error("{{=<% %>}}", "unclosed tag at byte 0");
	assert_syntax_error("{{=<%%>=}}", "bad delimiter change at byte 0");
	assert_syntax_error("{{= =}}", "bad delimiter change at byte 0");
	assert_syntax_error("{{==}}", "bad delimiter change at byte 0");
	assert_syntax_error("x {{=<% %> x=}}", "bad delimiter change at byte 2");
	assert_syntax_error("{{=<%= %>=}}", "bad delimiter change");
	assert_syntax_error("{{=<% =%>=}}", "bad delimiter change");
	assert_syntax_error("{{=<% %>=}}<%x", "unclosed tag at byte 11");
	assert_syntax_error("{{=<% %>=}}{{x}}<%#a%>x<%/b%>", "\"a\" opened at byte 16 but \"b\"");
	assert_syntax_error("{{}}", "empty tag name at byte 0");
	assert_syntax_error("{{ }}", "empty tag name");
	assert_syntax_error("{{#}}", "empty tag name");
	assert_syntax_error("{{>  }}", "empty tag name");
	assert_syntax_error("{{{}}}", "empty tag name");
	assert_syntax_error("{{a b}}", "blank inside tag name at byte 0");
	assert_syntax_error("Hi {{first\nname}}", "blank inside tag name at byte 3");
	/* A name is quoted safely: cut at 32 bytes, control characters and quotes replaced. */
	assert_syntax_error("{{#a\"\x01"
	                    "bcdefghijklmnopqrstuvwxyz0123456789}}",
	    "unclosed section \"a??bcdefghijklmnopqrstuvwxyz0123...\" opened at byte 0");

	/* TMPL_MAX_NEST sections nest; one more does not. */
	{
		struct buf t;

		buf_init(&t, OUT_MAX);
		for (i = 0; i < TMPL_MAX_NEST; i++)
			assert_int_equal(buf_puts(&t, "{{#a}}"), LC_OK);
		for (i = 0; i < TMPL_MAX_NEST; i++)
			assert_int_equal(buf_puts(&t, "{{/a}}"), LC_OK);
		assert_int_equal(tmpl_check(t.data, t.len, msg, sizeof(msg)), LC_OK);
		buf_reset(&t);
		for (i = 0; i <= TMPL_MAX_NEST; i++)
			assert_int_equal(buf_puts(&t, "{{#a}}"), LC_OK);
		assert_syntax_error(t.data, "sections nested deeper than 128");
		buf_free(&t);
	}
}

static void
test_error_message_truncated_and_optional(void **state)
{
	struct buf out;
	char err[8];

	(void)state;
	buf_init(&out, OUT_MAX);
	memset(err, 'x', sizeof(err));
	assert_int_equal(
	    tmpl_render("{{name", 6, NULL, NULL, TMPL_ESCAPE_HTML, &out, err, sizeof(err)),
	    LC_EINVAL);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_int_equal(
	    tmpl_render("{{name", 6, NULL, NULL, TMPL_ESCAPE_HTML, &out, NULL, 0), LC_EINVAL);
	assert_int_equal(tmpl_check("{{name", 6, NULL, 0), LC_EINVAL);
	assert_int_equal(
	    tmpl_render(NULL, 0, NULL, NULL, TMPL_ESCAPE_HTML, &out, err, sizeof(err)), LC_OK);
	assert_int_equal(
	    tmpl_render("x", 1, NULL, NULL, TMPL_ESCAPE_HTML, NULL, err, sizeof(err)), LC_EINVAL);
	buf_free(&out);
}

static void
test_output_over_max_is_enomem(void **state)
{
	json_t *ctx = json_pack("{s:s, s:s, s:s, s:[iiiiiiiiii]}", "ten", "0123456789", "eleven",
	    "0123456789a", "amp", "&", "l", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
	struct buf out;
	char err[128];

	(void)state;
	buf_init(&out, 10);
	assert_int_equal(
	    render("{{ten}}", 7, ctx, NULL, TMPL_ESCAPE_HTML, &out, err, sizeof(err)), LC_OK);
	assert_string_equal(out.data, "0123456789");
	buf_reset(&out);
	assert_int_equal(
	    render("{{eleven}}", 10, ctx, NULL, TMPL_ESCAPE_HTML, &out, err, sizeof(err)),
	    LC_ENOMEM);
	assert_int_equal(out.len, 0);
	assert_non_null(strstr(err, "over 10 bytes"));
	assert_int_equal(
	    render("{{#l}}.{{/l}}x", 14, ctx, NULL, TMPL_ESCAPE_HTML, &out, err, sizeof(err)),
	    LC_ENOMEM);
	assert_int_equal(out.len, 0);
	/* Escaping counts: "&" is 5 bytes out. */
	assert_int_equal(buf_puts(&out, "keep"), LC_OK);
	assert_int_equal(
	    render("{{{ten}}}", 9, ctx, NULL, TMPL_ESCAPE_HTML, &out, err, sizeof(err)), LC_ENOMEM);
	assert_string_equal(out.data, "keep");
	assert_int_equal(
	    render("{{amp}}", 7, ctx, NULL, TMPL_ESCAPE_HTML, &out, err, sizeof(err)), LC_OK);
	assert_int_equal(
	    render("{{amp}}", 7, ctx, NULL, TMPL_ESCAPE_HTML, &out, err, sizeof(err)), LC_ENOMEM);
	assert_string_equal(out.data, "keep&amp;");
	assert_int_equal(
	    render("{{amp}}", 7, ctx, NULL, TMPL_ESCAPE_NONE, &out, err, sizeof(err)), LC_OK);
	assert_string_equal(out.data, "keep&amp;&");
	buf_free(&out);
	json_decref(ctx);
}

static void
test_partial_recursion_limits(void **state)
{
	json_t *self = json_pack("{s:s}", "p", "{{>p}}");
	json_t *tree = json_pack("{s:s}", "node", "{{v}}({{#kids}}{{>node}}{{/kids}})");
	json_t *deep = json_pack("{s:s}", "p", "");
	json_t *ctx, *leaf;
	struct buf out, t;
	char err[256];
	int i;

	(void)state;
	buf_init(&out, OUT_MAX);
	assert_int_equal(
	    render("a{{>p}}", 7, NULL, self, TMPL_ESCAPE_HTML, &out, err, sizeof(err)), LC_EINVAL);
	assert_non_null(strstr(err, "partial \"p\" at byte 0 nested deeper than 64"));
	assert_int_equal(out.len, 0);

	/* Recursion through the data is fine while it stays under the limit... */
	for (i = 0, ctx = json_pack("{s:i, s:[]}", "v", 0, "kids"); i < 10; i++)
		ctx = json_pack("{s:i, s:[o]}", "v", i + 1, "kids", ctx);
	assert_renders(
	    "{{>node}}", ctx, tree, TMPL_ESCAPE_HTML, "10(9(8(7(6(5(4(3(2(1(0()))))))))))");
	json_decref(ctx);
	/* ...and an error past it. */
	for (i = 0, ctx = json_pack("{s:i}", "v", 0); i < TMPL_MAX_PARTIAL_DEPTH + 5; i++)
		ctx = json_pack("{s:i, s:[o]}", "v", i + 1, "kids", ctx);
	buf_reset(&out);
	assert_int_equal(
	    render("{{>node}}", 9, ctx, tree, TMPL_ESCAPE_HTML, &out, err, sizeof(err)), LC_EINVAL);
	assert_non_null(strstr(err, "nested deeper than 64"));
	json_decref(ctx);

	/* Sections and partials together: 100 sections a partial, three partials deep. */
	buf_init(&t, OUT_MAX);
	for (i = 0; i < 100; i++)
		assert_int_equal(buf_puts(&t, "{{#a}}"), LC_OK);
	assert_int_equal(buf_puts(&t, "{{>p}}"), LC_OK);
	for (i = 0; i < 100; i++)
		assert_int_equal(buf_puts(&t, "{{/a}}"), LC_OK);
	assert_int_equal(json_object_set_new(deep, "p", json_stringn(t.data, t.len)), 0);
	ctx = json_pack("{s:b}", "a", 1);
	assert_int_equal(
	    render("{{>p}}", 6, ctx, deep, TMPL_ESCAPE_HTML, &out, err, sizeof(err)), LC_EINVAL);
	assert_non_null(strstr(err, "nested deeper than 256"));
	json_decref(ctx);
	buf_free(&t);

	/* A syntax error inside a partial names the partial. */
	leaf = json_pack("{s:s}", "p", "x{{#a}}");
	assert_int_equal(
	    render("ab{{>p}}", 8, NULL, leaf, TMPL_ESCAPE_HTML, &out, err, sizeof(err)), LC_EINVAL);
	assert_string_equal(err, "in partial \"p\": unclosed section \"a\" opened at byte 1");
	json_decref(leaf);

	buf_free(&out);
	json_decref(self);
	json_decref(tree);
	json_decref(deep);
}

static void
test_work_budget(void **state)
{
	json_t *ctx = json_object(), *list = json_array(), *fan = json_object();
	struct buf out;
	char err[256], name[16], body[64];
	int i;

	(void)state;
	for (i = 0; i < 64; i++)
		json_array_append_new(list, json_integer(i));
	json_object_set_new(ctx, "l", list);
	buf_init(&out, OUT_MAX);
	/* 64^4 passes that write nothing. */
	assert_int_equal(render("{{#l}}{{#l}}{{#l}}{{#l}}{{/l}}{{/l}}{{/l}}{{/l}}", 48, ctx, NULL,
	                     TMPL_ESCAPE_HTML, &out, err, sizeof(err)),
	    LC_EINVAL);
	assert_non_null(strstr(err, "too costly"));
	/* 64^3 is fine. */
	assert_int_equal(render("{{#l}}{{#l}}{{#l}}{{/l}}{{/l}}{{/l}}", 36, ctx, NULL,
	                     TMPL_ESCAPE_HTML, &out, err, sizeof(err)),
	    LC_OK);
	/* 2^40 partial calls, never deeper than 40. */
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		snprintf(body, sizeof(body), "{{>p%d}}{{>p%d}}", i + 1, i + 1);
		json_object_set_new(fan, name, json_string(body));
	}
	assert_int_equal(
	    render("{{>p0}}", 7, ctx, fan, TMPL_ESCAPE_HTML, &out, err, sizeof(err)), LC_EINVAL);
	assert_non_null(strstr(err, "too costly"));
	buf_free(&out);
	json_decref(ctx);
	json_decref(fan);
}

/* Indentation of standalone partials beyond the spec's cases, with the expectations of
 * the spec's definition: the tag's leading blanks are prepended to every line of the partial
 * text before it is rendered. */
static void
test_partial_indentation(void **state)
{
	json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "a", "x\n  {{>b}}\ny\n", "b",
	    "1\n2\n", "c", "{{!c}}x\n{{#l}}{{.}}\n{{/l}}end", "d", "[{{>b}}]\n", "e", "x\r\ny\r\n",
	    "f", "{{#l}}\n- {{.}}\n{{/l}}\n");
	json_t *ctx = json_pack("{s:[ii]}", "l", 1, 2);

	(void)state;
	/* Nested standalone partials add up their indentation. */
	assert_renders("  {{>a}}\n", ctx, p, TMPL_ESCAPE_HTML, "  x\n    1\n    2\n  y\n");
	/* A comment that starts a line, sections that start lines, a close that starts one. */
	assert_renders("  {{>c}}\n", ctx, p, TMPL_ESCAPE_HTML, "  x\n  1\n  2\n  end");
	/* An inline partial inside an indented one is not indented itself. */
	assert_renders("  {{>d}}\n", ctx, p, TMPL_ESCAPE_HTML, "  [1\n2\n]\n");
	assert_renders("\t{{>e}}\r\n", ctx, p, TMPL_ESCAPE_HTML, "\tx\r\n\ty\r\n");
	/* Standalone section lines inside the partial vanish, indented or not. */
	assert_renders(
	    "<ul>\n  {{>f}}\n</ul>\n", ctx, p, TMPL_ESCAPE_HTML, "<ul>\n  - 1\n  - 2\n</ul>\n");
	json_decref(p);
	json_decref(ctx);
}

static void
test_random_templates_never_crash(void **state)
{
	json_t *ctx = json_pack("{s:[{s:s}, i, b, f], s:{s:s, s:[i,[]]}, s:b, s:s}", "a", "b",
	    "x&<", 2, 1, 1.5, "b", "a", "y'", "b", 1, "x", 0, "c", "");
	json_t *partials = json_object();
	uint64_t seed = 20260508;
	char tpl[256], part[256], err[256], err2[256];
	size_t len, plen, i, ok = 0, bad = 0;
	struct buf out;
	lc_err e, ec;
	int esc;

	(void)state;
	buf_init(&out, OUT_MAX);
	for (i = 0; i < 5000; i++) {
		tmpl_soup(&seed, tpl, sizeof(tpl), &len);
		tmpl_soup(&seed, part, sizeof(part), &plen);
		json_object_set_new(partials, "a", json_stringn(part, plen));
		tmpl_soup(&seed, part, sizeof(part), &plen);
		json_object_set_new(partials, "b", json_stringn(part, plen));
		ec = tmpl_check(tpl, len, err2, sizeof(err2));
		for (esc = 0; esc < 2; esc++) {
			buf_reset(&out);
			err[0] = '\0';
			e = render(tpl, len, ctx, partials,
			    esc ? TMPL_ESCAPE_NONE : TMPL_ESCAPE_HTML, &out, err, sizeof(err));
			if (e != LC_OK && e != LC_EINVAL) {
				char *q = quoted(tpl, len);

				fail_msg("case %zu %s: %s (%s)", i, q, lc_strerror(e), err);
			}
			if (e == LC_OK) {
				ok++;
				assert_true(out.data == NULL || out.data[out.len] == '\0');
				assert_int_equal(ec, LC_OK);
			} else {
				bad++;
				assert_true(err[0] != '\0');
				assert_null(strchr(err, '\n'));
				assert_int_equal(out.len, 0);
			}
			if (ec == LC_EINVAL) {
				assert_int_equal(e, LC_EINVAL);
				assert_string_equal(err, err2);
			}
		}
	}
	print_message("random templates: %zu rendered, %zu rejected\n", ok, bad);
	buf_free(&out);
	json_decref(ctx);
	json_decref(partials);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spec_comments),
	    cmocka_unit_test(test_spec_delimiters),
	    cmocka_unit_test(test_spec_interpolation),
	    cmocka_unit_test(test_spec_inverted),
	    cmocka_unit_test(test_spec_partials),
	    cmocka_unit_test(test_spec_sections),
	    cmocka_unit_test(test_spec_dir_fully_covered),
	    cmocka_unit_test(test_escape_none_leaves_text_alone),
	    cmocka_unit_test(test_value_formatting),
	    cmocka_unit_test(test_truthiness),
	    cmocka_unit_test(test_null_context_and_partials),
	    cmocka_unit_test(test_nul_bytes_and_appending),
	    cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_error_message_truncated_and_optional),
	    cmocka_unit_test(test_output_over_max_is_enomem),
	    cmocka_unit_test(test_partial_recursion_limits),
	    cmocka_unit_test(test_work_budget),
	    cmocka_unit_test(test_partial_indentation),
	    cmocka_unit_test(test_random_templates_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
