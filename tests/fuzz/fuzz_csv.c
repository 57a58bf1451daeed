/* fuzz_csv.c: libFuzzer target for the CSV reader (src/util/csv.c) behind `linkcamp
 * import`, which reads files from outside. Promises checked, from csv.h: a record has 1 to
 * CSV_FIELDS_MAX fields, csv_field gives exactly those (NULL past the last), no field holds
 * a NUL, a record's text stays under CSV_RECORD_MAX, line numbers start at 1 and grow, the
 * reader ends (LC_ENOTFOUND, or an error from the documented list) within one record per
 * input byte; and the records read, written back with every field quoted (quotes doubled),
 * read back as the same records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/buf.h"
#include "util/csv.h"

#define FUZZ_RECORDS_MAX 4096

static void fuzz_die(const char *);
static size_t fuzz_read(const char *, size_t, struct buf *, struct buf *);

static void
fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_csv: broken promise: %s\n", what);
	abort();
}

/* fuzz_read reads every record of data and appends to flat each field followed by a NUL
 * and each record by "\n" (for comparing), and to quoted the records written back with
 * every field quoted. Returns the number of records read before the end or an error. */
static size_t
fuzz_read(const char *data, size_t size, struct buf *flat, struct buf *quoted)
{
	struct csv_reader r;
	unsigned long last_line = 0;
	size_t n = 0, i, total;
	const char *f, *q;
	FILE *in;
	lc_err e;

	if ((in = fmemopen((void *)(uintptr_t)data, size, "r")) == NULL)
		return 0;
	csv_init(&r, in);
	while ((e = csv_next(&r)) == LC_OK) {
		if (++n > size + 1)
			fuzz_die("more records than input bytes");
		if (r.nfields < 1 || r.nfields > CSV_FIELDS_MAX || csv_field(&r, r.nfields) != NULL)
			fuzz_die("number of fields");
		if (r.line < 1 || r.line <= last_line || r.next_line < r.line)
			fuzz_die("line numbers");
		last_line = r.line;
		total = 0;
		for (i = 0; i < r.nfields; i++) {
			if ((f = csv_field(&r, i)) == NULL)
				fuzz_die("a field of the record is NULL");
			total += strlen(f) + 1;
			if (flat && (buf_append(flat, f, strlen(f) + 1) != LC_OK))
				fuzz_die("buf");
			if (quoted == NULL)
				continue;
			if (buf_append(quoted, i ? ",\"" : "\"", i ? 2 : 1) != LC_OK)
				fuzz_die("buf");
			for (q = f; *q; q++)
				if (buf_append(quoted, q, 1) != LC_OK ||
				    (*q == '"' && buf_append(quoted, "\"", 1) != LC_OK))
					fuzz_die("buf");
			if (buf_append(quoted, "\"", 1) != LC_OK)
				fuzz_die("buf");
		}
		if (total > CSV_RECORD_MAX || total != r.text.len)
			fuzz_die("record text over CSV_RECORD_MAX or not its fields");
		if ((flat && buf_append(flat, "\n", 1) != LC_OK) ||
		    (quoted && buf_append(quoted, "\r\n", 2) != LC_OK))
			fuzz_die("buf");
		if (n == FUZZ_RECORDS_MAX)
			break;
	}
	if (e != LC_OK && e != LC_ENOTFOUND && e != LC_EINVAL && e != LC_ENOMEM)
		fuzz_die("csv_next error outside the documented list");
	csv_free(&r);
	fclose(in);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf flat, quoted, flat2;
	size_t n, n2;

	buf_init(&flat, 64 << 20);
	buf_init(&quoted, 64 << 20);
	buf_init(&flat2, 64 << 20);
	n = fuzz_read((const char *)data, size, &flat, &quoted);
	if (n > 0) {
		n2 = fuzz_read(quoted.data, quoted.len, &flat2, NULL);
		if (n2 != n || flat2.len != flat.len ||
		    memcmp(flat2.data, flat.data, flat.len) != 0)
			fuzz_die("records written back quoted do not read back the same");
	}
	buf_free(&flat);
	buf_free(&quoted);
	buf_free(&flat2);
	return 0;
}
