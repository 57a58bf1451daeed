/* tmpl_parse.c: the parsing half of the mustache engine (tmpl.h): a template's text
 * becomes a flat array of nodes, so every syntax error surfaces before any output; a
 * section node records the index one past its body. tmpl_compile keeps such a document
 * with its own copy of the text, tmpl_check only asks whether one can be made. Rendering
 * the nodes is tmpl.c's.
 *
 * Indentation of a standalone partial is not done by rewriting the partial's text: a node
 * whose first byte starts a line of its template is marked (bol) here, and the renderer
 * writes the indentation before such nodes; lines removed as standalone carry no mark. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/tmpl_internal.h"

#define TMPL_NPOS ((size_t)-1)

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

static int tmpl_isblank(char);
static int tmpl_isspace(char);
static int tmpl_line_start(const char *, size_t);
static size_t tmpl_find(const char *, size_t, size_t, const char *, size_t);
static lc_err tmpl_add(struct tmpl_parser *, enum tmpl_kind, size_t, size_t *);
static lc_err tmpl_add_text(struct tmpl_parser *, size_t, size_t);
static lc_err tmpl_scan_tag(struct tmpl_parser *, size_t, struct tmpl_tag *);
static lc_err tmpl_name(struct tmpl_parser *, size_t, const struct tmpl_tag *, size_t *, size_t *);
static lc_err tmpl_set_delims(struct tmpl_parser *, size_t, const struct tmpl_tag *);
static lc_err tmpl_close(struct tmpl_parser *, size_t, size_t, size_t);

/* tmpl_fail writes one formatted line into err[0..errlen) when there is room for any. */
void
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
void
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

void
tmpl_doc_init(struct tmpl_doc *d, const char *src, size_t len)
{
	d->src = src;
	d->len = len;
	d->nodes = NULL;
	d->n = d->cap = 0;
}

void
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
lc_err
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
