/* cli_import.c: `linkcamp prospects import`. Wiring only: the CSV reader is
 * util/csv.c, the prospect rules core/validate.c, the import core/drafts.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli_import.h"
#include "core/sending.h"
#include "core/validate.h"
#include "util/csv.h"
#include "util/utf8.h"

#define EX_USAGE 64
#define EX_DATAERR 65
#define EX_SOFTWARE 70
#define EX_TEMPFAIL 75
#define ROWS_MAX 200000 /* a file larger than this is split by the operator */
#define CHUNK 500       /* prospects a transaction */

enum { COL_DOMAIN, COL_NAME, COL_EMAIL, NCOLS };

struct rows {
	struct prospect_in *v;
	char **strings; /* what v points into, freed together */
	size_t n, cap;  /* rows read (n strings of NCOLS each) */
	size_t kept;    /* v[0..kept) once drop_repeats ran */
};

static int column_of(const char *);
static int read_rows(FILE *, struct rows *);
static int add_row(struct rows *, const char *const *, unsigned long);
static void rows_free(struct rows *);
static void progress(size_t, size_t);
static size_t drop_repeats(struct rows *);
static int by_email(const void *, const void *);

/* qsort's comparison has no context argument: the rows being sorted. */
static const struct prospect_in *sorting;

/* column_of maps a header name to its column, or -1 for a column that is ignored. */
static int
column_of(const char *h)
{
	static const struct {
		const char *name;
		int col;
	} names[] = {{"domain", COL_DOMAIN}, {"contactName", COL_NAME}, {"contact_name", COL_NAME},
	    {"name", COL_NAME}, {"contactEmail", COL_EMAIL}, {"contact_email", COL_EMAIL},
	    {"email", COL_EMAIL}};
	size_t i;

	while (*h == ' ')
		h++;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(h, names[i].name) == 0)
			return names[i].col;
	return -1;
}

static void
rows_free(struct rows *r)
{
	size_t i;

	for (i = 0; i < r->n * NCOLS; i++)
		free(r->strings[i]);
	free(r->strings);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* add_row checks one row by the prospect rules and keeps a copy; the exit code on failure
 * (after saying why, with the line). */
static int
add_row(struct rows *r, const char *const *f, unsigned long line)
{
	struct campaign_new probe;
	struct prospect_in p;
	const char *bad = NULL;
	size_t k;

	p.domain = f[COL_DOMAIN];
	p.contact_name = f[COL_NAME] && *f[COL_NAME] ? f[COL_NAME] : NULL;
	p.contact_email = f[COL_EMAIL];
	for (k = 0; k < NCOLS; k++)
		if (f[k] && !utf8_valid(f[k], strlen(f[k]))) {
			fprintf(stderr, "linkcamp: line %lu: not UTF-8\n", line);
			return EX_DATAERR;
		}
	memset(&probe, 0, sizeof(probe));
	probe.name = "x";
	probe.target_url = "https://example.com";
	probe.sender = "a@example.com";
	probe.prospects = &p;
	probe.nprospects = 1;
	if (validate_campaign_new(&probe, &bad) != LC_OK) {
		fprintf(stderr, "linkcamp: line %lu: %s is missing or invalid\n", line,
		    bad && strncmp(bad, "prospects[].", 12) == 0 ? bad + 12
		    : bad                                        ? bad
		                                                 : "a field");
		return EX_DATAERR;
	}
	if (r->n == ROWS_MAX) {
		fprintf(stderr, "linkcamp: more than %d prospects: split the file\n", ROWS_MAX);
		return EX_DATAERR;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct prospect_in *v = realloc(r->v, cap * sizeof(*v));
		char **s;

		if (v == NULL)
			return EX_SOFTWARE;
		r->v = v;
		if ((s = realloc(r->strings, cap * NCOLS * sizeof(*s))) == NULL)
			return EX_SOFTWARE;
		r->strings = s;
		r->cap = cap;
	}
	for (k = 0; k < NCOLS; k++) {
		const char *src = k == COL_NAME ? p.contact_name : f[k];
		r->strings[r->n * NCOLS + k] = src ? strdup(src) : NULL;
		if (src && r->strings[r->n * NCOLS + k] == NULL) {
			r->n++; /* so rows_free frees what was copied */
			return EX_SOFTWARE;
		}
	}
	r->v[r->n].domain = r->strings[r->n * NCOLS + COL_DOMAIN];
	r->v[r->n].contact_name = r->strings[r->n * NCOLS + COL_NAME];
	r->v[r->n].contact_email = r->strings[r->n * NCOLS + COL_EMAIL];
	r->n++;
	return 0;
}

/* read_rows reads the header and every row into r; 0, or the exit code after saying why. */
static int
read_rows(FILE *in, struct rows *r)
{
	struct csv_reader csv;
	int where[CSV_FIELDS_MAX], seen[NCOLS] = {0, 0, 0}, rc = 0, col;
	const char *f[NCOLS];
	size_t i;
	lc_err e;

	csv_init(&csv, in);
	if ((e = csv_next(&csv)) != LC_OK) {
		fprintf(stderr, "linkcamp: %s\n",
		    e == LC_ENOTFOUND ? "the file is empty" : "the header row is malformed");
		csv_free(&csv);
		return EX_DATAERR;
	}
	for (i = 0; i < csv.nfields; i++) {
		where[i] = col = column_of(csv_field(&csv, i));
		if (col >= 0 && seen[col]++) {
			fprintf(stderr, "linkcamp: the header names a column twice: %s\n",
			    csv_field(&csv, i));
			csv_free(&csv);
			return EX_DATAERR;
		}
	}
	if (!seen[COL_DOMAIN] || !seen[COL_EMAIL]) {
		fprintf(stderr,
		    "linkcamp: the header row needs the columns domain and contactEmail "
		    "(contactName is optional)\n");
		csv_free(&csv);
		return EX_DATAERR;
	}
	while (rc == 0 && (e = csv_next(&csv)) == LC_OK) {
		if (csv.nfields == 1 && *csv_field(&csv, 0) == '\0')
			continue; /* a blank line */
		f[COL_DOMAIN] = f[COL_NAME] = f[COL_EMAIL] = NULL;
		for (i = 0; i < csv.nfields; i++)
			if (where[i] >= 0)
				f[where[i]] = csv_field(&csv, i);
		rc = add_row(r, f, csv.line);
	}
	if (rc == 0 && e != LC_ENOTFOUND) {
		fprintf(stderr, "linkcamp: line %lu: %s\n", csv.line,
		    e == LC_ENOMEM ? "the record is too long or has too many columns"
		    : e == LC_EIO
		        ? "read error"
		        : "malformed CSV (a quote left open or text after a closing quote)");
		rc = e == LC_EIO ? 74 : EX_DATAERR;
	}
	csv_free(&csv);
	return rc;
}

/* by_email orders row indices by contact email (case-insensitive), then by position. */
static int
by_email(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcasecmp(sorting[i].contact_email, sorting[j].contact_email);

	return c ? c : (i > j) - (i < j);
}

/* drop_repeats removes every row whose contact email an earlier row has (the core refuses
 * a list that names a contact twice) and returns how many it removed. Order is kept. The
 * strings of a removed row stay in r->strings and are freed with it. */
static size_t
drop_repeats(struct rows *r)
{
	size_t *idx, i, k, dropped = 0;
	unsigned char *repeat;

	if (r->n < 2)
		return 0;
	idx = malloc(r->n * sizeof(*idx));
	repeat = calloc(r->n, 1);
	if (idx == NULL || repeat == NULL) {
		free(idx);
		free(repeat);
		return 0; /* the core then refuses the batch with the repeat, and says so */
	}
	for (i = 0; i < r->n; i++)
		idx[i] = i;
	sorting = r->v;
	qsort(idx, r->n, sizeof(*idx), by_email);
	for (i = 1; i < r->n; i++)
		if (strcasecmp(r->v[idx[i]].contact_email, r->v[idx[i - 1]].contact_email) == 0)
			repeat[idx[i]] = 1;
	for (i = k = 0; i < r->n; i++) {
		if (repeat[i]) {
			dropped++;
			continue;
		}
		r->v[k++] = r->v[i];
	}
	free(idx);
	free(repeat);
	r->kept = k;
	return dropped;
}

/* progress redraws the bar on a terminal's stderr. */
static void
progress(size_t done, size_t total)
{
	char bar[31];
	size_t fill = total ? done * 30 / total : 30, i;

	for (i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	fprintf(stderr, "\rimporting [%s] %zu / %zu", bar, done, total);
	if (done == total)
		fputc('\n', stderr);
	fflush(stderr);
}

int
cli_prospects(struct core *core, int argc, char **argv)
{
	struct principal who;
	struct core_fail fail;
	struct rows rows;
	size_t i, added = 0, skipped = 0, a, s, n;
	int rc, tty = isatty(STDERR_FILENO);
	lc_err e = LC_OK;

	if (argc != 4 || strcmp(argv[1], "import") != 0) {
		fprintf(
		    stderr, "usage: linkcamp prospects import WS_ID CAMPAIGN_ID < prospects.csv\n");
		return EX_USAGE;
	}
	if ((e = admin_principal_for(core, argv[2], &who)) != LC_OK) {
		fprintf(stderr, "linkcamp: workspace: %s\n", lc_strerror(e));
		return e == LC_ENOTFOUND ? EX_DATAERR : EX_TEMPFAIL;
	}
	memset(&rows, 0, sizeof(rows));
	if ((rc = read_rows(stdin, &rows)) != 0 || rows.n == 0) {
		if (rc == 0)
			fprintf(stderr, "linkcamp: no prospects in the file\n");
		rows_free(&rows);
		return rc ? rc : EX_DATAERR;
	}
	rows.kept = rows.n;
	skipped = drop_repeats(&rows);
	if (tty)
		progress(0, rows.kept);
	for (i = 0; i < rows.kept; i += n) {
		n = rows.kept - i < CHUNK ? rows.kept - i : CHUNK;
		memset(&fail, 0, sizeof(fail));
		if ((e = campaigns_import_prospects(
		         core, &who, argv[3], rows.v + i, n, "cli", &a, &s, &fail)) != LC_OK)
			break;
		added += a;
		skipped += s;
		if (tty)
			progress(i + n, rows.kept);
	}
	if (e != LC_OK) {
		if (tty)
			fputc('\n', stderr);
		fprintf(stderr, "linkcamp: import stopped after %zu of %zu rows: %s%s%s\n", i,
		    rows.kept, fail.code ? fail.code : lc_strerror(e), fail.detail ? ": " : "",
		    fail.detail ? fail.detail : "");
		if (fail.required)
			fprintf(stderr,
			    "linkcamp: %lld credits needed for the next batch, %lld available\n",
			    (long long)fail.required, (long long)fail.available);
		rc = e == LC_EDBDOWN || e == LC_ERETRY ? EX_TEMPFAIL
		     : fail.code || e == LC_EINVAL || e == LC_ENOTFOUND || e == LC_ECONFLICT
		         ? EX_DATAERR
		         : EX_SOFTWARE;
	}
	printf("added %zu, skipped %zu\n", added, skipped);
	rows_free(&rows);
	return rc;
}
