/* db_rows.c: reading the cells of a fully buffered result (struct db_rows, db.h) and
 * freeing it. No client library here: db_stmt.c fills the rows. */
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "util/timefmt.h"

void
db_rows_free(struct db_rows *r)
{
	size_t i;

	if (r->block)
		for (i = 0; i < r->nrows; i++)
			free(r->block[i]);
	free(r->block);
	free(r->cell);
	free(r->len);
	free(r->null);
	memset(r, 0, sizeof(*r));
}

const char *
db_str(const struct db_rows *r, size_t row, size_t col)
{
	size_t i = row * r->ncols + col;

	return r->null[i] ? NULL : r->cell[i];
}

long long
db_i64(const struct db_rows *r, size_t row, size_t col)
{
	size_t i = row * r->ncols + col;

	return r->null[i] ? 0 : strtoll(r->cell[i], NULL, 10);
}

int
db_isnull(const struct db_rows *r, size_t row, size_t col)
{
	return r->null[row * r->ncols + col];
}

unsigned long
db_len(const struct db_rows *r, size_t row, size_t col)
{
	return r->len[row * r->ncols + col];
}

int64_t
db_ms(const struct db_rows *r, size_t row, size_t col)
{
	const char *s = db_str(r, row, col);
	int64_t ms;

	if (s == NULL || sqltime_parse(s, db_len(r, row, col), &ms) != LC_OK)
		return -1;
	return ms;
}
