/* tmpl.h: mustache templates (the spec's required modules: interpolation, sections,
 * inverted sections, comments, partials, set delimiters; no lambdas, no inheritance),
 * rendered against jansson values. Templates are user input: every scan is bounded by
 * the given length, nesting and work are capped, and bad syntax is an error, not a crash. */
#ifndef LC_TMPL_H
#define LC_TMPL_H

#include <stddef.h>
#include <jansson.h>

#include "util/buf.h"
#include "util/err.h"

/* Sections open at once inside one template (checked while parsing). */
#define TMPL_MAX_NEST 128
/* Partials inside partials (a partial that includes itself stops here). */
#define TMPL_MAX_PARTIAL_DEPTH 64
/* Sections entered plus partials entered at once while rendering, across partials. */
#define TMPL_MAX_DEPTH 256
/* Work budget of one tmpl_render call: tags and text runs visited, list items iterated
 * and partial bytes parsed (/64). Stops loops over loops and partial fan-out that would
 * otherwise run for hours without writing a byte. */
#define TMPL_MAX_STEPS (1UL << 22)

enum tmpl_escape { TMPL_ESCAPE_HTML, TMPL_ESCAPE_NONE };

/* tmpl_render renders template tpl[0..len) with context (a jansson value: object, array, string,
 * number, true/false/null; borrowed; NULL renders like an empty object) and partials (a JSON
 * object mapping partial name -> template string, or NULL; borrowed), appending to out (its max
 * bounds the output: LC_ENOMEM when exceeded). tpl need not be NUL-terminated.
 * escape selects what {{name}} does: TMPL_ESCAPE_HTML escapes & < > " ' (as the spec
 * expects: &amp; &lt; &gt; &quot; and &#39;), TMPL_ESCAPE_NONE writes values as they are
 * (for plain-text email bodies). {{{name}}} and {{&name}} never escape.
 * Values print as: strings as they are, integers in decimal, reals in the shortest form that
 * reads back the same (1.21 -> "1.21", 5.0 -> "5"), true/false as "true"/"false", null, a
 * missing name, an array or an object as nothing. Falsey for sections: missing, null, false,
 * and the empty array ("" and 0 are truthy, as in the spec). A missing partial, or one that is
 * not a string, renders as nothing.
 * On a syntax error (unclosed tag or section, mismatched section close, bad delimiter change,
 * empty or blank-containing tag name, nesting over TMPL_MAX_NEST), also inside a partial
 * (a partial is parsed each time it is rendered, so one never reached is never checked),
 * and when a render limit is hit (TMPL_MAX_DEPTH, TMPL_MAX_PARTIAL_DEPTH, TMPL_MAX_STEPS)
 * returns LC_EINVAL and writes a one-line reason with the byte offset into err (errlen
 * bytes, always NUL-terminated; err may be NULL). Offsets inside a partial are offsets in
 * that partial's text. Numbers use the C locale's decimal point (call no setlocale).
 * LC_ENOMEM when out of memory or over out->max. On any error out is restored to the length
 * it had on entry. */
lc_err tmpl_render(const char *tpl, size_t len, json_t *context, json_t *partials,
    enum tmpl_escape escape, struct buf *out, char *err, size_t errlen);

/* A template parsed once by tmpl_compile, to be rendered many times (opaque). Rendering
 * only reads it, so threads may render one compiled template at the same time. */
struct tmpl;

/* One partial for tmpl_render_compiled: {{>name}} renders tmpl. Both borrowed. */
struct tmpl_partial {
	const char *name;
	const struct tmpl *tmpl;
};

/* tmpl_compile parses tpl[0..len) (need not be NUL-terminated) as tmpl_render would, and
 * stores a new compiled template, with its own copy of the text, in *out; the caller frees
 * it with tmpl_free. LC_EINVAL with tmpl_check's one-line reason in err (errlen bytes,
 * always NUL-terminated; err may be NULL), or LC_ENOMEM; *out is NULL on any error. */
lc_err tmpl_compile(const char *tpl, size_t len, struct tmpl **out, char *err, size_t errlen);

/* tmpl_free frees a template of tmpl_compile; NULL is fine. */
void tmpl_free(struct tmpl *t);

/* tmpl_render_compiled is tmpl_render of a compiled template t (borrowed) with compiled
 * partials: partials[0..npartials) (borrowed; NULL when npartials is 0) maps names to
 * templates; the first entry with the name wins, and a name not listed renders as
 * nothing. Output, escaping, limits, work budget, error messages and the state of out on
 * error are tmpl_render's, byte for byte, for the same texts -- except that a partial's
 * syntax error was found by tmpl_compile, before rendering, not here. */
lc_err tmpl_render_compiled(const struct tmpl *t, json_t *context,
    const struct tmpl_partial *partials, size_t npartials, enum tmpl_escape escape, struct buf *out,
    char *err, size_t errlen);

/* tmpl_check parses tpl[0..len) without rendering it, for rejecting a bad template when it
 * is saved. Partials are not followed (check each partial template on its own).
 * LC_OK, LC_EINVAL with the same one-line reason as tmpl_render in err, or LC_ENOMEM. */
lc_err tmpl_check(const char *tpl, size_t len, char *err, size_t errlen);

#endif
