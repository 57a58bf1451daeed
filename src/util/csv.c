/* csv.c: an RFC 4180 record reader. A small state machine over getc: fields go into one
 * buffer, NUL-separated, so a record costs one allocation however many fields it has. */
#include <string.h>

#include "util/csv.h"

static lc_err end_field(struct csv_reader *);
static lc_err put(struct csv_reader *, char);

void
csv_init(struct csv_reader *r, FILE *in)
{
	memset(r, 0, sizeof(*r));
	r->in = in;
	r->next_line = 1;
	buf_init(&r->text, CSV_RECORD_MAX);
}

void
csv_free(struct csv_reader *r)
{
	buf_free(&r->text);
}

static lc_err
put(struct csv_reader *r, char c)
{
	return buf_append(&r->text, &c, 1);
}

/* end_field terminates the field being read and starts the next one. */
static lc_err
end_field(struct csv_reader *r)
{
	lc_err e;

	if (r->nfields == CSV_FIELDS_MAX)
		return LC_ENOMEM;
	if ((e = put(r, '\0')) != LC_OK)
		return e;
	r->nfields++;
	if (r->nfields < CSV_FIELDS_MAX)
		r->offsets[r->nfields] = r->text.len;
	return LC_OK;
}

lc_err
csv_next(struct csv_reader *r)
{
	enum { START, PLAIN, QUOTED, QUOTE_IN_QUOTED } state = START;
	int c, any = 0;
	lc_err e = LC_OK;

	r->text.len = 0;
	r->nfields = 0;
	r->offsets[0] = 0;
	r->line = r->next_line;
	if (!r->started) {
		r->started = 1;
		if ((c = getc(r->in)) == 0xEF) {
			if (getc(r->in) != 0xBB || getc(r->in) != 0xBF)
				return LC_EINVAL; /* a broken byte-order mark */
		} else if (c != EOF) {
			ungetc(c, r->in);
		}
	}
	for (;;) {
		c = getc(r->in);
		if (c == EOF) {
			if (ferror(r->in))
				return LC_EIO;
			if (state == QUOTED)
				return LC_EINVAL;
			if (!any)
				return LC_ENOTFOUND;
			return end_field(r); /* the last line had no line break */
		}
		any = 1;
		if (c == '\0')
			return LC_EINVAL;
		if (r->nfields == CSV_FIELDS_MAX)
			return LC_ENOMEM; /* more after the last field there is room for */
		if (c == '\n')
			r->next_line++;
		switch (state) {
		case START:
		case PLAIN:
			if (c == '"' && state == START) {
				state = QUOTED;
			} else if (c == ',') {
				e = end_field(r);
				state = START;
			} else if (c == '\n') {
				/* a CR right before the line break belongs to the CRLF, not the
				 * field */
				if (r->text.len > r->offsets[r->nfields] &&
				    r->text.data[r->text.len - 1] == '\r')
					r->text.len--;
				return end_field(r);
			} else {
				e = put(r, (char)c);
				state = PLAIN;
			}
			break;
		case QUOTED:
			if (c == '"')
				state = QUOTE_IN_QUOTED;
			else
				e = put(r, (char)c);
			break;
		case QUOTE_IN_QUOTED:
			if (c == '"') {
				e = put(r, '"');
				state = QUOTED;
			} else if (c == ',') {
				e = end_field(r);
				state = START;
			} else if (c == '\n') {
				return end_field(r);
			} else if (c == '\r') {
				int d = getc(r->in);
				if (d != '\n')
					return LC_EINVAL;
				r->next_line++;
				return end_field(r);
			} else {
				return LC_EINVAL;
			}
			break;
		}
		if (e != LC_OK)
			return e;
	}
}

const char *
csv_field(const struct csv_reader *r, size_t i)
{
	if (i >= r->nfields || r->text.data == NULL)
		return NULL;
	return r->text.data + r->offsets[i];
}

/* One rule for every export (suppressions, the client's report): a cell is always quoted
 * so that commas, quotes and line breaks inside it stay inside it. */
lc_err
csv_cell(struct buf *b, const char *s, int last)
{
	const char *p;
	lc_err e;

	if (s == NULL)
		s = "";
	if ((e = buf_puts(b, "\"")) != LC_OK)
		return e;
	if (s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL && (e = buf_puts(b, "'")) != LC_OK)
		return e;
	for (p = s; *p; p++)
		if ((e = buf_append(b, p, 1)) != LC_OK ||
		    (*p == '"' && (e = buf_puts(b, "\"")) != LC_OK))
			return e;
	return buf_puts(b, last ? "\"\r\n" : "\",");
}
