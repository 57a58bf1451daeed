/* tmpl.c: a mustache renderer (https://mustache.github.io/, spec v1.x required modules)
 * over jansson values. Debian packages no mustache library for C, so this one is ours;
 * it is checked against the official spec files in tests/conformance/mustache-spec.
 *
 * tmpl_parse.c turns a template into a flat array of nodes (tmpl_internal.h). Rendering
 * walks the array, recursing into section bodies and partials with the context stack as a
 * list of frames on the C stack. Partials given as text are parsed when they are rendered,
 * each with the default delimiters; partials given compiled (tmpl_compile, parsed the same
 * way) are rendered from their nodes, so a page rendered on every request parses its
 * templates once (src/ui/ui_tmpl.c). Indentation of a standalone partial is not done by
 * rewriting the partial's text: the parser marks a node whose first byte starts a line of
 * its template (bol), and the renderer writes the indentation before such nodes and after
 * every newline inside a text node that is not the node's last byte; lines removed as
 * standalone carry no mark. That gives the spec's "prepended to each line of the partial"
 * without copying. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/tmpl_internal.h"

/* One entry of the context stack; the top is the innermost section's value. */
struct tmpl_frame {
	json_t *val;
	const struct tmpl_frame *up;
};

/* Indentation of nested standalone partials: outer pieces are written first. */
struct tmpl_indent {
	const char *s;
	size_t n;
	const struct tmpl_indent *outer;
};

struct tmpl_run {
	json_t *partials;                  /* name -> text, parsed when rendered; or */
	const struct tmpl_partial *cparts; /* name -> compiled template */
	size_t ncparts;
	enum tmpl_escape escape;
	struct buf *out;
	char *err;
	size_t errlen;
	unsigned depth;  /* sections and partials entered */
	unsigned pdepth; /* partials entered */
	unsigned long steps;
};

static json_t *tmpl_lookup(const struct tmpl_frame *, const char *, size_t);
static int tmpl_truthy(json_t *);
static void tmpl_format_real(char *, size_t, double);
static lc_err tmpl_put_html(struct buf *, const char *, size_t);
static lc_err tmpl_put_value(struct tmpl_run *, json_t *, int);
static lc_err tmpl_put_indent(struct buf *, const struct tmpl_indent *);
static lc_err tmpl_put_text(struct buf *, const char *, size_t, const struct tmpl_indent *);
static lc_err tmpl_step(struct tmpl_run *, const struct tmpl_node *, unsigned long);
static lc_err tmpl_body(struct tmpl_run *, const struct tmpl_doc *, size_t,
    const struct tmpl_frame *, const struct tmpl_indent *);
static const struct tmpl *tmpl_find_compiled(const struct tmpl_run *, const char *, size_t);
static lc_err tmpl_partial(struct tmpl_run *, const struct tmpl_doc *, const struct tmpl_node *,
    const struct tmpl_frame *, const struct tmpl_indent *);
static lc_err tmpl_run_doc(struct tmpl_run *, const struct tmpl_doc *, json_t *);
static lc_err tmpl_render_nodes(struct tmpl_run *, const struct tmpl_doc *, size_t, size_t,
    const struct tmpl_frame *, const struct tmpl_indent *);

/* tmpl_lookup resolves name[0..n) on the context stack: "." is the top; otherwise the
 * first dot-separated part is looked up in the innermost object that has it and the other
 * parts descend from there without going back up. NULL when anything is missing. */
static json_t *
tmpl_lookup(const struct tmpl_frame *f, const char *name, size_t n)
{
	const char *dot;
	json_t *v = NULL;
	size_t k;

	if (n == 1 && name[0] == '.')
		return f != NULL ? f->val : NULL;
	dot = memchr(name, '.', n);
	k = dot != NULL ? (size_t)(dot - name) : n;
	if (k == 0)
		return NULL;
	for (; f != NULL; f = f->up)
		if (json_is_object(f->val) && (v = json_object_getn(f->val, name, k)) != NULL)
			break;
	while (v != NULL && k < n) {
		name += k + 1;
		n -= k + 1;
		dot = memchr(name, '.', n);
		k = dot != NULL ? (size_t)(dot - name) : n;
		if (k == 0 || !json_is_object(v))
			return NULL;
		v = json_object_getn(v, name, k);
	}
	return v;
}

/* tmpl_truthy: missing, null, false and [] are falsey; everything else, "" and 0 too, is not. */
static int
tmpl_truthy(json_t *v)
{
	if (v == NULL)
		return 0;
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE: return 0;
	case JSON_ARRAY: return json_array_size(v) > 0;
	default: return 1;
	}
}

/* tmpl_format_real writes the shortest %g form of x that reads back as x. */
static void
tmpl_format_real(char *buf, size_t n, double x)
{
	int prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, n, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			return;
	}
	snprintf(buf, n, "%.17g", x);
}

/* tmpl_put_html appends s[0..n) with & < > " ' replaced by entities. */
static lc_err
tmpl_put_html(struct buf *out, const char *s, size_t n)
{
	size_t i, run = 0;
	const char *rep;
	lc_err e;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if ((e = buf_append(out, s + run, i - run)) != LC_OK ||
		    (e = buf_puts(out, rep)) != LC_OK)
			return e;
		run = i + 1;
	}
	return buf_append(out, s + run, n - run);
}

/* tmpl_put_value appends v as text (see tmpl.h for what each type prints as). */
static lc_err
tmpl_put_value(struct tmpl_run *r, json_t *v, int escape)
{
	char num[64];

	if (v == NULL)
		return LC_OK;
	switch (json_typeof(v)) {
	case JSON_STRING:
		if (escape && r->escape == TMPL_ESCAPE_HTML)
			return tmpl_put_html(r->out, json_string_value(v), json_string_length(v));
		return buf_append(r->out, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		return buf_printf(r->out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	case JSON_REAL:
		tmpl_format_real(num, sizeof(num), json_real_value(v));
		return buf_puts(r->out, num);
	case JSON_TRUE: return buf_puts(r->out, "true");
	case JSON_FALSE: return buf_puts(r->out, "false");
	default: return LC_OK;
	}
}

/* tmpl_put_indent appends the indentation of nested standalone partials, outermost first. */
static lc_err
tmpl_put_indent(struct buf *out, const struct tmpl_indent *ind)
{
	lc_err e;

	if (ind == NULL)
		return LC_OK;
	if ((e = tmpl_put_indent(out, ind->outer)) != LC_OK)
		return e;
	return buf_append(out, ind->s, ind->n);
}

/* tmpl_put_text appends template text, indenting each line after a newline inside it. */
static lc_err
tmpl_put_text(struct buf *out, const char *s, size_t n, const struct tmpl_indent *ind)
{
	const char *nl;
	size_t k;
	lc_err e;

	if (ind == NULL)
		return buf_append(out, s, n);
	while (n > 0) {
		nl = memchr(s, '\n', n);
		if (nl == NULL || (size_t)(nl - s) + 1 == n)
			return buf_append(out, s, n);
		k = (size_t)(nl - s) + 1;
		if ((e = buf_append(out, s, k)) != LC_OK ||
		    (e = tmpl_put_indent(out, ind)) != LC_OK)
			return e;
		s += k;
		n -= k;
	}
	return LC_OK;
}

/* tmpl_step charges cost to the work budget: LC_EINVAL once it is spent. */
static lc_err
tmpl_step(struct tmpl_run *r, const struct tmpl_node *nd, unsigned long cost)
{
	if (cost > TMPL_MAX_STEPS || r->steps > TMPL_MAX_STEPS - cost) {
		tmpl_fail(r->err, r->errlen,
		    "template too costly to render: over %lu steps at byte %zu (loops in loops or "
		    "partials fanning out)",
		    (unsigned long)TMPL_MAX_STEPS, nd->at);
		return LC_EINVAL;
	}
	r->steps += cost;
	return LC_OK;
}

/* tmpl_body renders the body of the section node d->nodes[i] with ctx on top. */
static lc_err
tmpl_body(struct tmpl_run *r, const struct tmpl_doc *d, size_t i, const struct tmpl_frame *ctx,
    const struct tmpl_indent *ind)
{
	const struct tmpl_node *nd = &d->nodes[i];
	lc_err e;

	if ((e = tmpl_step(r, nd, 1)) != LC_OK)
		return e;
	if (r->depth >= TMPL_MAX_DEPTH) {
		tmpl_fail(r->err, r->errlen,
		    "sections and partials nested deeper than %d at byte %zu", TMPL_MAX_DEPTH,
		    nd->at);
		return LC_EINVAL;
	}
	r->depth++;
	e = tmpl_render_nodes(r, d, i + 1, nd->end, ctx, ind);
	r->depth--;
	return e;
}

/* tmpl_find_compiled returns the compiled partial called name[0..n), or NULL. A linear
 * search: a page has a handful of partials. */
static const struct tmpl *
tmpl_find_compiled(const struct tmpl_run *r, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < r->ncparts; i++)
		if (r->cparts[i].name != NULL && r->cparts[i].tmpl != NULL &&
		    strlen(r->cparts[i].name) == n && memcmp(r->cparts[i].name, name, n) == 0)
			return r->cparts[i].tmpl;
	return NULL;
}

/* tmpl_partial renders the partial named by nd with the caller's context stack. A
 * standalone partial is indented by the blanks before its tag plus the indentation of the
 * partial it sits in; an inline one is not indented at all. A partial given as text is
 * parsed here, one given compiled is not; both cost the same steps, so the work budget
 * and every limit trip at the same place either way. */
static lc_err
tmpl_partial(struct tmpl_run *r, const struct tmpl_doc *d, const struct tmpl_node *nd,
    const struct tmpl_frame *ctx, const struct tmpl_indent *ind)
{
	struct tmpl_doc pd;
	const struct tmpl_doc *doc = &pd;
	const struct tmpl *ct = NULL;
	struct tmpl_indent pi;
	char q[TMPL_QUOTE_LEN], msg[160];
	json_t *src = NULL;
	size_t srclen;
	lc_err e;

	if (r->cparts != NULL) {
		if ((ct = tmpl_find_compiled(r, d->src + nd->name, nd->namelen)) == NULL)
			return LC_OK;
		srclen = ct->doc.len;
	} else {
		if (!json_is_object(r->partials))
			return LC_OK;
		src = json_object_getn(r->partials, d->src + nd->name, nd->namelen);
		if (!json_is_string(src))
			return LC_OK;
		srclen = json_string_length(src);
	}
	tmpl_quote(q, sizeof(q), d->src + nd->name, nd->namelen);
	if (r->pdepth >= TMPL_MAX_PARTIAL_DEPTH || r->depth >= TMPL_MAX_DEPTH) {
		tmpl_fail(r->err, r->errlen,
		    "partial \"%s\" at byte %zu nested deeper than %d (does it include itself?)", q,
		    nd->at,
		    r->pdepth >= TMPL_MAX_PARTIAL_DEPTH ? TMPL_MAX_PARTIAL_DEPTH : TMPL_MAX_DEPTH);
		return LC_EINVAL;
	}
	if ((e = tmpl_step(r, nd, 1 + srclen / 64)) != LC_OK)
		return e;

	tmpl_doc_init(&pd, "", 0);
	if (ct != NULL) {
		doc = &ct->doc;
	} else {
		tmpl_doc_init(&pd, json_string_value(src), srclen);
		msg[0] = '\0';
		if ((e = tmpl_parse(&pd, msg, sizeof(msg))) != LC_OK) {
			if (e == LC_EINVAL)
				tmpl_fail(r->err, r->errlen, "in partial \"%s\": %s", q, msg);
			goto out;
		}
	}
	pi.s = d->src + nd->off;
	pi.n = nd->len;
	pi.outer = ind;
	r->pdepth++;
	r->depth++;
	e = tmpl_render_nodes(r, doc, 0, doc->n, ctx, nd->standalone ? &pi : NULL);
	r->depth--;
	r->pdepth--;
out:
	tmpl_doc_free(&pd);
	return e;
}

/* tmpl_render_nodes renders d->nodes[from..to) against the context stack ctx. */
static lc_err
tmpl_render_nodes(struct tmpl_run *r, const struct tmpl_doc *d, size_t from, size_t to,
    const struct tmpl_frame *ctx, const struct tmpl_indent *ind)
{
	const struct tmpl_node *nd;
	struct tmpl_frame f;
	json_t *v;
	size_t i = from, k;
	lc_err e = LC_OK;

	while (i < to) {
		nd = &d->nodes[i];
		if ((e = tmpl_step(r, nd, 1)) != LC_OK)
			return e;
		if (nd->bol && ind != NULL && (e = tmpl_put_indent(r->out, ind)) != LC_OK)
			return e;
		switch (nd->kind) {
		case TMPL_TEXT: e = tmpl_put_text(r->out, d->src + nd->off, nd->len, ind); break;
		case TMPL_VAR:
		case TMPL_RAW:
			v = tmpl_lookup(ctx, d->src + nd->name, nd->namelen);
			e = tmpl_put_value(r, v, nd->kind == TMPL_VAR);
			break;
		case TMPL_SECTION:
			v = tmpl_lookup(ctx, d->src + nd->name, nd->namelen);
			f.up = ctx;
			if (json_is_array(v)) {
				for (k = 0; k < json_array_size(v); k++) {
					f.val = json_array_get(v, k);
					if ((e = tmpl_body(r, d, i, &f, ind)) != LC_OK)
						return e;
				}
			} else if (tmpl_truthy(v)) {
				f.val = v;
				if ((e = tmpl_body(r, d, i, &f, ind)) != LC_OK)
					return e;
			}
			i = nd->end;
			continue;
		case TMPL_INVERTED:
			v = tmpl_lookup(ctx, d->src + nd->name, nd->namelen);
			if (!tmpl_truthy(v) && (e = tmpl_body(r, d, i, ctx, ind)) != LC_OK)
				return e;
			i = nd->end;
			continue;
		case TMPL_PARTIAL: e = tmpl_partial(r, d, nd, ctx, ind); break;
		}
		if (e != LC_OK)
			return e;
		i++;
	}
	return LC_OK;
}

/* tmpl_run_doc renders d for r (its partials set) against context, appending to r->out;
 * on an error r->out goes back to the length it had. */
static lc_err
tmpl_run_doc(struct tmpl_run *r, const struct tmpl_doc *d, json_t *context)
{
	struct tmpl_frame root;
	size_t start = r->out->len;
	lc_err e;

	r->depth = r->pdepth = 0;
	r->steps = 0;
	root.val = context;
	root.up = NULL;
	e = tmpl_render_nodes(r, d, 0, d->n, &root, NULL);
	if (e != LC_OK) {
		if (r->out->data != NULL) {
			r->out->len = start;
			r->out->data[start] = '\0';
		}
		if (e == LC_ENOMEM)
			tmpl_fail(r->err, r->errlen, "output over %zu bytes, or out of memory",
			    r->out->max);
	}
	return e;
}

lc_err
tmpl_render(const char *tpl, size_t len, json_t *context, json_t *partials, enum tmpl_escape escape,
    struct buf *out, char *err, size_t errlen)
{
	struct tmpl_doc d;
	struct tmpl_run r;
	lc_err e;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL || (tpl == NULL && len > 0)) {
		tmpl_fail(err, errlen, "tmpl_render: no template or no output buffer");
		return LC_EINVAL;
	}
	tmpl_doc_init(&d, tpl != NULL ? tpl : "", len);
	if ((e = tmpl_parse(&d, err, errlen)) != LC_OK) {
		/* parsing writes nothing; only running out of memory needs saying here */
		if (e == LC_ENOMEM)
			tmpl_fail(err, errlen, "output over %zu bytes, or out of memory", out->max);
		tmpl_doc_free(&d);
		return e;
	}
	r.partials = partials;
	r.cparts = NULL;
	r.ncparts = 0;
	r.escape = escape;
	r.out = out;
	r.err = err;
	r.errlen = errlen;
	e = tmpl_run_doc(&r, &d, context);
	tmpl_doc_free(&d);
	return e;
}

lc_err
tmpl_render_compiled(const struct tmpl *t, json_t *context, const struct tmpl_partial *partials,
    size_t npartials, enum tmpl_escape escape, struct buf *out, char *err, size_t errlen)
{
	struct tmpl_run r;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (t == NULL || out == NULL || (partials == NULL && npartials > 0)) {
		tmpl_fail(err, errlen, "tmpl_render_compiled: no template or no output buffer");
		return LC_EINVAL;
	}
	/* no list at all takes tmpl_partial's text path, where NULL partials render as
	 * nothing too */
	r.partials = NULL;
	r.cparts = partials;
	r.ncparts = npartials;
	r.escape = escape;
	r.out = out;
	r.err = err;
	r.errlen = errlen;
	return tmpl_run_doc(&r, &t->doc, context);
}
