/* paging.h: turning the rows of a "limit + 1" list query into one page and its cursor. */
#ifndef LC_PAGING_H
#define LC_PAGING_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"
#include "util/cursor.h"

struct page_spec {
	size_t item_size;
	void (*from_row)(const struct db_rows *rows, size_t i, void *item);
	void (*position)(const void *item, int64_t *ms, int64_t *id); /* the sort key */
};

/* page_build reads at most limit items of rows into a calloc'd array *items (caller frees;
 * NULL when empty); *has_next says a further row existed, and then cursor names the last
 * item. LC_ENOMEM. */
lc_err page_build(const struct db_rows *rows, unsigned limit, const struct page_spec *spec,
    void **items, size_t *n, int *has_next, char cursor[CURSOR_MAX]);

#endif
