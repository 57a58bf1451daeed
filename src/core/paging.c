/* paging.c: the one page type's reading and freeing, for every list and get of core. */
#include <stdlib.h>
#include <string.h>

#include "core/paging.h"

void
page_free(struct page *p)
{
	db_rows_free(&p->rows);
	free(p->items);
	memset(p, 0, sizeof(*p));
}

void
page_window(struct store_window *w, char before[TIME_SQL_LEN], unsigned limit, int has_cursor,
    int64_t cursor_ms, int64_t cursor_id)
{
	memset(w, 0, sizeof(*w));
	before[0] = '\0';
	if (has_cursor) {
		sqltime_format(cursor_ms, before);
		w->before_sql = before;
		w->before_id = cursor_id;
	}
	w->limit = limit + 1; /* one more tells whether a next page exists */
}

lc_err
page_build(struct page *p, unsigned limit, const struct page_spec *spec)
{
	size_t count = p->rows.nrows, i;
	char *base;
	int64_t ms = 0, id = 0;

	free(p->items);
	p->items = NULL;
	p->n = 0;
	p->has_next = count > limit;
	if (p->has_next)
		count = limit;
	if (count == 0)
		return LC_OK;
	if ((base = calloc(count, spec->item_size)) == NULL)
		return LC_ENOMEM;
	for (i = 0; i < count; i++)
		spec->from_row(&p->rows, i, base + i * spec->item_size);
	if (p->has_next) {
		const char *last = base + (count - 1) * spec->item_size;
		memcpy(&ms, last + spec->key_ms, sizeof(ms));
		memcpy(&id, last + spec->key_id, sizeof(id));
		cursor_encode(ms, id, p->next_cursor);
	}
	p->items = base;
	p->n = count;
	return LC_OK;
}

lc_err
page_one(struct page *p, const struct page_spec *spec)
{
	free(p->items);
	p->items = NULL;
	p->n = 0;
	if (p->rows.nrows != 1)
		return LC_ENOTFOUND;
	if ((p->items = calloc(1, spec->item_size)) == NULL)
		return LC_ENOMEM;
	spec->from_row(&p->rows, 0, p->items);
	p->n = 1;
	return LC_OK;
}
