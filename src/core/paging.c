#include <stdlib.h>

#include "core/paging.h"

lc_err
page_build(const struct db_rows *rows, unsigned limit, const struct page_spec *spec,
    void **items, size_t *n, int *has_next, char cursor[CURSOR_MAX])
{
	size_t count = rows->nrows, i;
	char *base;
	int64_t ms = 0, id = 0;

	*items = NULL;
	*n = 0;
	*has_next = count > limit;
	if (*has_next)
		count = limit;
	if (count == 0)
		return LC_OK;
	if ((base = calloc(count, spec->item_size)) == NULL)
		return LC_ENOMEM;
	for (i = 0; i < count; i++)
		spec->from_row(rows, i, base + i * spec->item_size);
	if (*has_next) {
		spec->position(base + (count - 1) * spec->item_size, &ms, &id);
		cursor_encode(ms, id, cursor);
	}
	*items = base;
	*n = count;
	return LC_OK;
}
