/* tmpl.c: a mustache renderer (https://mustache.github.io/, spec v1.x required modules)
 * over jansson values. Debian packages no mustache library for C, so this one is ours;
 * it is checked against the official spec files in tests/conformance/mustache-spec.
 *
 * A template is parsed into a flat array of nodes first, so every syntax error surfaces
 * before any output; a section node records the index one past its body. Rendering walks
 * the array, recursing into section bodies and partials with the context stack as a list
 * of frames on the C stack. Partials given as text are parsed when they are rendered, each
 * with the default delimiters; partials given compiled (tmpl_compile, parsed the same way)
 * are rendered from their nodes, so a page rendered on every request parses its templates
 * once (src/ui/ui_tmpl.c). Indentation of a standalone partial is not done by rewriting
 * the partial's text: a node whose first byte starts a line of its template is marked
 * (bol), and the renderer writes the indentation before such nodes and after every newline
 * inside a text node that is not the node's last byte; lines removed as standalone carry
 * no mark. That gives the spec's "prepended to each line of the partial" without copying. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/tmpl.h"

#define TMPL_NPOS ((size_t)-1)
#define TMPL_QUOTE_LEN 48 /* buffer for a tag name quoted into a message */

enum tmpl_kind {
	TMPL_TEXT,     /* literal bytes src[off..off+len) */
	TMPL_VAR,      /* {{name}}: escaped as the caller asked */
	TMPL_RAW,      /* {{{name}}} or {{&name}}: never escaped */
	TMPL_SECTION,  /* {{#name}}: body is nodes (this, end) */
	TMPL_INVERTED, /* {{^name}}: body is nodes (this, end) */
	TMPL_PARTIAL   /* {{>name}} */
};

struct tmpl_node {
	enum tmpl_kind kind;
	unsigned bol : 1;        /* the node starts a kept line of its template */
	unsigned standalone : 1; /* PARTIAL alone on its line; off/len is the indentation */
	size_t at;               /* byte offset of the tag, for messages */
	size_t off, len;         /* TEXT: the bytes; standalone PARTIAL: its indentation */
	size_t name, namelen;    /* tags: the name is src[name..name+namelen) */
	size_t end;              /* SECTION, INVERTED: index of the first node after the body */
};

/* One parsed template; src is borrowed. */
struct tmpl_doc {
	const char *src;
	size_t len;
	struct tmpl_node *nodes;
	size_t n, cap;
};

/* A compiled template (tmpl.h): the parsed document and, in the same allocation, its own
 * copy of the text the nodes point into, so nothing in it borrows from the caller. */
struct tmpl {
	struct tmpl_doc doc;
	char src[]; /* len bytes and a NUL */
};

/* What tmpl_scan_tag found between the delimiters. */
struct tmpl_tag {
	char sigil;    /* one of # ^ / ! > = & { or 0 for a plain variable */
	size_t cs, ce; /* content after the sigil, before the closing delimiter */
	size_t end;    /* first byte after the closing delimiter */
};

struct tmpl_parser {
	struct tmpl_doc *doc;
	const char *s;
	size_t len;
	const char *otag, *ctag; /* current delimiters: static defaults or inside s */
	size_t olen, clen;
	size_t open[TMPL_MAX_NEST]; /* node indices of the sections not yet closed */
	size_t nopen;
	int bol_pending; /* a line started at a tag that made no node: mark the next node */
	char *err;
	size_t errlen;
};

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

static void tmpl_fail(char *, size_t, const char *, ...) __attribute__((format(printf, 3, 4)));
static void tmpl_quote(char *, size_t, const char *, size_t);
static int tmpl_isblank(char);
static int tmpl_isspace(char);
static int tmpl_line_start(const char *, size_t);
static size_t tmpl_find(const char *, size_t, size_t, const char *, size_t);
static void tmpl_doc_init(struct tmpl_doc *, const char *, size_t);
static void tmpl_doc_free(struct tmpl_doc *);
static lc_err tmpl_add(struct tmpl_parser *, enum tmpl_kind, size_t, size_t *);
static lc_err tmpl_add_text(struct tmpl_parser *, size_t, size_t);
static lc_err tmpl_scan_tag(struct tmpl_parser *, size_t, struct tmpl_tag *);
static lc_err tmpl_name(struct tmpl_parser *, size_t, const struct tmpl_tag *, size_t *, size_t *);
static lc_err tmpl_set_delims(struct tmpl_parser *, size_t, const struct tmpl_tag *);
static lc_err tmpl_close(struct tmpl_parser *, size_t, size_t, size_t);
static lc_err tmpl_parse(struct tmpl_doc *, char *, size_t);
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

/* tmpl_fail writes one formatted line into err[0..errlen) when there is room for any. */
static void
tmpl_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* tmpl_quote copies at most 32 bytes of s[0..n) into dst for a message, replacing control
 * characters, quotes and backslashes with '?' so the message stays one printable line. */
static void
tmpl_quote(char *dst, size_t dstlen, const char *s, size_t n)
{
	size_t i, k = 0;

	if (dstlen < 4)
		return;
	for (i = 0; i < n && i < 32 && k + 4 < dstlen; i++) {
		unsigned char c = (unsigned char)s[i];

		dst[k++] = (c < 0x20 || c == 0x7f || c == '"' || c == '\\') ? '?' : (char)c;
	}
	if (i < n) {
		memcpy(dst + k, "...", 3);
		k += 3;
	}
	dst[k] = '\0';
}

static int
tmpl_isblank(char c)
{
	return c == ' ' || c == '\t';
}

static int
tmpl_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int
tmpl_line_start(const char *s, size_t i)
{
	return i == 0 || s[i - 1] == '\n';
}

/* tmpl_find returns the offset of the first pat[0..plen) in s[from..len), or TMPL_NPOS.
 * memmem (glibc's is linear) keeps long custom delimiters from going quadratic. */
static size_t
tmpl_find(const char *s, size_t from, size_t len, const char *pat, size_t plen)
{
	const char *p;

	if (plen == 0 || from >= len)
		return TMPL_NPOS;
	if ((p = memmem(s + from, len - from, pat, plen)) == NULL)
		return TMPL_NPOS;
	return (size_t)(p - s);
}

static void
tmpl_doc_init(struct tmpl_doc *d, const char *src, size_t len)
{
	d->src = src;
	d->len = len;
	d->nodes = NULL;
	d->n = d->cap = 0;
}

static void
tmpl_doc_free(struct tmpl_doc *d)
{
	free(d->nodes);
	d->nodes = NULL;
	d->n = d->cap = 0;
}

/* tmpl_add appends a zeroed node for a tag or text at offset at and stores its index in
 * idx. The node is marked bol when a line of the template starts there, or started at a
 * tag that made no node just before it. LC_ENOMEM when the array cannot grow. */
static lc_err
tmpl_add(struct tmpl_parser *p, enum tmpl_kind kind, size_t at, size_t *idx)
{
	struct tmpl_doc *d = p->doc;
	struct tmpl_node *nd;
	size_t ncap;

	if (d->n == d->cap) {
		ncap = d->cap ? d->cap * 2 : 16;
		if (ncap > ((size_t)-1) / 2 / sizeof(*nd))
			return LC_ENOMEM;
		if ((nd = realloc(d->nodes, ncap * sizeof(*nd))) == NULL)
			return LC_ENOMEM;
		d->nodes = nd;
		d->cap = ncap;
	}
	nd = &d->nodes[d->n];
	memset(nd, 0, sizeof(*nd));
	nd->kind = kind;
	nd->at = at;
	nd->bol = (p->bol_pending || tmpl_line_start(p->s, at)) ? 1 : 0;
	p->bol_pending = 0;
	*idx = d->n++;
	return LC_OK;
}

/* tmpl_add_text adds the literal bytes s[a..b) as a text node unless they are empty. */
static lc_err
tmpl_add_text(struct tmpl_parser *p, size_t a, size_t b)
{
	size_t idx;
	lc_err e;

	if (a >= b)
		return LC_OK;
	if ((e = tmpl_add(p, TMPL_TEXT, a, &idx)) != LC_OK)
		return e;
	p->doc->nodes[idx].off = a;
	p->doc->nodes[idx].len = b - a;
	return LC_OK;
}

/* tmpl_scan_tag reads the tag whose opening delimiter starts at tag: an optional sigil
 * (blanks before it are allowed) and the content up to the closing delimiter, which is
 * "}" + ctag after "{", "=" + ctag after "=", otherwise ctag. LC_EINVAL when it is not
 * closed before the end of the template. */
static lc_err
tmpl_scan_tag(struct tmpl_parser *p, size_t tag, struct tmpl_tag *t)
{
	const char *s = p->s;
	size_t i = tag + p->olen, c;
	char pre = 0;

	while (i < p->len && tmpl_isspace(s[i]))
		i++;
	t->sigil = 0;
	if (i < p->len && s[i] != '\0' && strchr("#^/!>=&{", s[i]) != NULL) {
		t->sigil = s[i++];
		if (t->sigil == '{')
			pre = '}';
		else if (t->sigil == '=')
			pre = '=';
	} else {
		i = tag + p->olen;
	}
	for (c = i;; c++) {
		if ((c = tmpl_find(s, c, p->len, p->ctag, p->clen)) == TMPL_NPOS) {
			tmpl_fail(p->err, p->errlen, "unclosed tag at byte %zu", tag);
			return LC_EINVAL;
		}
		if (pre == 0)
			break;
		if (c > i && s[c - 1] == pre) {
			c--;
			break;
		}
	}
	t->cs = i;
	t->ce = c;
	t->end = c + (pre ? 1 : 0) + p->clen;
	return LC_OK;
}

/* tmpl_name trims the tag's content to its name: LC_EINVAL when that is empty or has
 * blanks inside (the spec: "a non-whitespace character sequence"). */
static lc_err
tmpl_name(
    struct tmpl_parser *p, size_t tag, const struct tmpl_tag *t, size_t *name, size_t *namelen)
{
	size_t a = t->cs, b = t->ce, i;

	while (a < b && tmpl_isspace(p->s[a]))
		a++;
	while (b > a && tmpl_isspace(p->s[b - 1]))
		b--;
	if (a == b) {
		tmpl_fail(p->err, p->errlen, "empty tag name at byte %zu", tag);
		return LC_EINVAL;
	}
	for (i = a; i < b; i++) {
		if (tmpl_isspace(p->s[i])) {
			tmpl_fail(p->err, p->errlen, "blank inside tag name at byte %zu", tag);
			return LC_EINVAL;
		}
	}
	*name = a;
	*namelen = b - a;
	return LC_OK;
}

/* tmpl_set_delims applies {{=open close=}}: two non-empty words without blanks or "=",
 * separated by blanks. LC_EINVAL otherwise. */
static lc_err
tmpl_set_delims(struct tmpl_parser *p, size_t tag, const struct tmpl_tag *t)
{
	const char *s = p->s;
	size_t a = t->cs, b, c, d, e;

	while (a < t->ce && tmpl_isspace(s[a]))
		a++;
	for (b = a; b < t->ce && !tmpl_isspace(s[b]); b++)
		;
	for (c = b; c < t->ce && tmpl_isspace(s[c]); c++)
		;
	for (d = c; d < t->ce && !tmpl_isspace(s[d]); d++)
		;
	for (e = d; e < t->ce && tmpl_isspace(s[e]); e++)
		;
	if (a == b || c == d || e != t->ce || memchr(s + a, '=', b - a) != NULL ||
	    memchr(s + c, '=', d - c) != NULL) {
		tmpl_fail(p->err, p->errlen,
		    "bad delimiter change at byte %zu: want {{=open close=}}, two words without "
		    "blanks or '='",
		    tag);
		return LC_EINVAL;
	}
	p->otag = s + a;
	p->olen = b - a;
	p->ctag = s + c;
	p->clen = d - c;
	return LC_OK;
}

/* tmpl_close ends the innermost open section with {{/name}} found at tag. LC_EINVAL when
 * no section is open or the names differ. */
static lc_err
tmpl_close(struct tmpl_parser *p, size_t tag, size_t name, size_t namelen)
{
	struct tmpl_node *open;
	char q1[TMPL_QUOTE_LEN], q2[TMPL_QUOTE_LEN];
	size_t idx;
	lc_err e;

	tmpl_quote(q2, sizeof(q2), p->s + name, namelen);
	if (p->nopen == 0) {
		tmpl_fail(p->err, p->errlen,
		    "section close \"%s\" at byte %zu without an open section", q2, tag);
		return LC_EINVAL;
	}
	open = &p->doc->nodes[p->open[p->nopen - 1]];
	if (open->namelen != namelen || memcmp(p->s + open->name, p->s + name, namelen) != 0) {
		tmpl_quote(q1, sizeof(q1), p->s + open->name, open->namelen);
		tmpl_fail(p->err, p->errlen,
		    "section \"%s\" opened at byte %zu but \"%s\" closed at byte %zu", q1, open->at,
		    q2, tag);
		return LC_EINVAL;
	}
	/* A line that starts at this tag belongs to the body: it is written on every pass. */
	if (p->bol_pending) {
		if ((e = tmpl_add(p, TMPL_TEXT, tag, &idx)) != LC_OK)
			return e;
		p->doc->nodes[idx].bol = 1;
	}
	p->doc->nodes[p->open[--p->nopen]].end = p->doc->n;
	return LC_OK;
}

/* tmpl_parse turns d->src[0..d->len) into d->nodes. Standalone tags (section, inverted,
 * close, comment, partial, delimiter change alone on a line with only blanks around) take
 * their whole line with them, "\r\n" included. LC_EINVAL with a message in err on bad
 * syntax, LC_ENOMEM; d->nodes is freed by tmpl_doc_free either way. */
static lc_err
tmpl_parse(struct tmpl_doc *d, char *err, size_t errlen)
{
	struct tmpl_parser p;
	struct tmpl_tag t;
	struct tmpl_node *nd;
	char q[TMPL_QUOTE_LEN];
	size_t pos = 0, text = 0, tag, ls = 0, le = 0, idx, name = 0, namelen = 0;
	int standalone;
	lc_err e;

	p.doc = d;
	p.s = d->src;
	p.len = d->len;
	p.otag = "{{";
	p.olen = 2;
	p.ctag = "}}";
	p.clen = 2;
	p.nopen = 0;
	p.bol_pending = 0;
	p.err = err;
	p.errlen = errlen;

	while ((tag = tmpl_find(p.s, pos, p.len, p.otag, p.olen)) != TMPL_NPOS) {
		if ((e = tmpl_scan_tag(&p, tag, &t)) != LC_OK)
			return e;
		if (t.sigil != '!' && t.sigil != '=' &&
		    (e = tmpl_name(&p, tag, &t, &name, &namelen)) != LC_OK)
			return e;

		standalone = 0;
		if (t.sigil != 0 && strchr("#^/!>=", t.sigil) != NULL) {
			for (ls = tag; ls > text && tmpl_isblank(p.s[ls - 1]); ls--)
				;
			if (tmpl_line_start(p.s, ls)) {
				for (le = t.end; le < p.len && tmpl_isblank(p.s[le]); le++)
					;
				if (le == p.len) {
					standalone = 1;
				} else if (p.s[le] == '\n') {
					standalone = 1;
					le++;
				} else if (p.s[le] == '\r' && le + 1 < p.len &&
				           p.s[le + 1] == '\n') {
					standalone = 1;
					le += 2;
				}
			}
		}
		if ((e = tmpl_add_text(&p, text, standalone ? ls : tag)) != LC_OK)
			return e;
		if (standalone)
			p.bol_pending = 0;

		switch (t.sigil) {
		case '!':
		case '=':
		case '/':
			/* No node: a line starting here marks the next node instead. */
			if (!standalone && tmpl_line_start(p.s, tag))
				p.bol_pending = 1;
			if (t.sigil == '=' && (e = tmpl_set_delims(&p, tag, &t)) != LC_OK)
				return e;
			if (t.sigil == '/' && (e = tmpl_close(&p, tag, name, namelen)) != LC_OK)
				return e;
			break;
		case '#':
		case '^':
			if (p.nopen == TMPL_MAX_NEST) {
				tmpl_fail(err, errlen, "sections nested deeper than %d at byte %zu",
				    TMPL_MAX_NEST, tag);
				return LC_EINVAL;
			}
			if ((e = tmpl_add(&p, t.sigil == '#' ? TMPL_SECTION : TMPL_INVERTED, tag,
			         &idx)) != LC_OK)
				return e;
			p.open[p.nopen++] = idx;
			break;
		case '>':
			if ((e = tmpl_add(&p, TMPL_PARTIAL, tag, &idx)) != LC_OK)
				return e;
			if (standalone) {
				d->nodes[idx].standalone = 1;
				d->nodes[idx].off = ls;
				d->nodes[idx].len = tag - ls;
			}
			break;
		default:
			if ((e = tmpl_add(&p, t.sigil == 0 ? TMPL_VAR : TMPL_RAW, tag, &idx)) !=
			    LC_OK)
				return e;
			break;
		}
		if (t.sigil != '!' && t.sigil != '=' && t.sigil != '/') {
			nd = &d->nodes[idx];
			nd->name = name;
			nd->namelen = namelen;
			if (standalone)
				nd->bol = 0;
		}
		pos = text = standalone ? le : t.end;
	}
	if ((e = tmpl_add_text(&p, text, p.len)) != LC_OK)
		return e;
	if (p.bol_pending) {
		if ((e = tmpl_add(&p, TMPL_TEXT, p.len, &idx)) != LC_OK)
			return e;
		d->nodes[idx].bol = 1;
	}
	if (p.nopen > 0) {
		nd = &d->nodes[p.open[p.nopen - 1]];
		tmpl_quote(q, sizeof(q), p.s + nd->name, nd->namelen);
		tmpl_fail(err, errlen, "unclosed section \"%s\" opened at byte %zu", q, nd->at);
		return LC_EINVAL;
	}
	return LC_OK;
}

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
tmpl_compile(const char *tpl, size_t len, struct tmpl **out, char *err, size_t errlen)
{
	struct tmpl *t;
	lc_err e;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL || (tpl == NULL && len > 0)) {
		tmpl_fail(err, errlen, "tmpl_compile: no template or no result pointer");
		return LC_EINVAL;
	}
	*out = NULL;
	if (len > SIZE_MAX - sizeof(*t) - 1 || (t = malloc(sizeof(*t) + len + 1)) == NULL) {
		tmpl_fail(err, errlen, "out of memory");
		return LC_ENOMEM;
	}
	if (len > 0)
		memcpy(t->src, tpl, len);
	t->src[len] = '\0';
	tmpl_doc_init(&t->doc, t->src, len);
	if ((e = tmpl_parse(&t->doc, err, errlen)) != LC_OK) {
		if (e == LC_ENOMEM)
			tmpl_fail(err, errlen, "out of memory");
		tmpl_free(t);
		return e;
	}
	*out = t;
	return LC_OK;
}

void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	tmpl_doc_free(&t->doc);
	free(t);
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

lc_err
tmpl_check(const char *tpl, size_t len, char *err, size_t errlen)
{
	struct tmpl_doc d;
	lc_err e;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (tpl == NULL && len > 0) {
		tmpl_fail(err, errlen, "tmpl_check: no template");
		return LC_EINVAL;
	}
	tmpl_doc_init(&d, tpl != NULL ? tpl : "", len);
	if ((e = tmpl_parse(&d, err, errlen)) == LC_ENOMEM)
		tmpl_fail(err, errlen, "out of memory");
	tmpl_doc_free(&d);
	return e;
}
