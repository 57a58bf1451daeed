/* csv.h: reading RFC 4180 comma-separated records from a stream, one at a time, with hard
 * limits (a file from outside never makes the reader hold more than one record), and
 * writing one field safely for a spreadsheet. */
#ifndef LC_CSV_H
#define LC_CSV_H

#include <stdio.h>
#include "util/buf.h"
#include "util/err.h"

#define CSV_FIELDS_MAX 64
#define CSV_RECORD_MAX (64 * 1024)

struct csv_reader {
	FILE *in;
	unsigned long line; /* the line the current record starts on (1-based) */
	unsigned long next_line;
	int started;     /* a byte-order mark is skipped before the first record */
	struct buf text; /* the current record's fields, each NUL-terminated */
	size_t nfields;
	size_t offsets[CSV_FIELDS_MAX];
};

/* csv_init prepares r to read in (borrowed). */
void csv_init(struct csv_reader *r, FILE *in);

/* csv_next reads the next record: LC_OK with r->nfields fields (read them with
 * csv_field), LC_ENOTFOUND at the end of the input, LC_EINVAL for a malformed record (a
 * quote left open at the end of the input, a character after a closing quote other than
 * a comma or the end of the line, a NUL byte), LC_ENOMEM over CSV_RECORD_MAX bytes or
 * CSV_FIELDS_MAX fields, LC_EIO on a read error. Lines end in LF or CRLF; a quoted field
 * may hold commas, line breaks and doubled quotes. A blank line is a record of one empty
 * field. */
lc_err csv_next(struct csv_reader *r);

/* csv_field returns field i of the current record (borrowed until the next csv_next), or
 * NULL when the record has no field i. */
const char *csv_field(const struct csv_reader *r, size_t i);

/* csv_free releases the reader's memory (not its stream). */
void csv_free(struct csv_reader *r);

/* csv_cell appends s (UTF-8, borrowed; NULL is an empty cell) to b as one RFC 4180 field,
 * always quoted, inner quotes doubled, followed by "," or, when last, by CRLF. Text a
 * spreadsheet would run as a formula (first character =, +, -, @, TAB or CR) gets a
 * leading ' (OWASP "CSV injection"). LC_ENOMEM when b's maximum is reached. */
lc_err csv_cell(struct buf *b, const char *s, int last);

#endif
