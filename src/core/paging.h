/* paging.h: what core hands a front when it reads — one type for a page of a list and for
 * the one object a get read. The SQL rows behind the items stay inside core: a front reads
 * items and frees the whole with page_free, and never sees a struct db_rows. */
#ifndef LC_PAGING_H
#define LC_PAGING_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"
#include "db/store_window.h"
#include "util/cursor.h"
#include "util/timefmt.h"

/* A page of a list ("limit + 1" rows read, limit kept), or one object (n is 1). items is
 * an array of n items of the list's type (struct campaign for campaigns_list, ...), NULL
 * when n is 0; their strings live in rows. Owned by the caller: page_free, also after a
 * failed read (a zeroed page is free). */
struct page {
	void *items;
	size_t n;
	int64_t total; /* lists: how many match in all */
	int has_next;  /* lists: a further page exists, named by next_cursor */
	char next_cursor[CURSOR_MAX];
	struct db_rows rows; /* core's own: owns the strings of items */
};

/* page_free releases p and leaves it zeroed; safe on a zeroed or freed page. */
void page_free(struct page *p);

/* How the rows of one kind of object become items, and where an item's sort key lies:
 * two int64_t members, a time in ms and the id, that a list's cursor names (PAGE_KEY).
 * A spec used only by page_one, or for pages that never have a next, leaves them 0. */
struct page_spec {
	size_t item_size;
	void (*from_row)(const struct db_rows *rows, size_t i, void *item);
	size_t key_ms, key_id; /* offsets of the sort key's members */
};
#define PAGE_KEY(type, ms_member, id_member) offsetof(type, ms_member), offsetof(type, id_member)

/* page_window fills w, the window a store reads, for a page of limit items: from the newest
 * row, or (has_cursor) after the position (cursor_ms, cursor_id) a previous page's
 * next_cursor named. The instant is written into before, which w borrows: keep it alive
 * while w is used. w->limit is limit + 1, so that page_build can tell a next page exists.
 * The one place a cursor becomes a store's window, for every keyset-paged list. */
void page_window(struct store_window *w, char before[TIME_SQL_LEN], unsigned limit, int has_cursor,
    int64_t cursor_ms, int64_t cursor_id);

/* page_build turns p->rows, the answer of a "limit + 1" list query, into at most limit
 * items; has_next says a further row existed, and then next_cursor names the last item.
 * LC_ENOMEM (p is then still the caller's to free). */
lc_err page_build(struct page *p, unsigned limit, const struct page_spec *spec);

/* page_one turns p->rows, the answer of a get by id, into its one item. LC_ENOTFOUND when
 * the rows are not exactly one; LC_ENOMEM. p is the caller's to free in every case. */
lc_err page_one(struct page *p, const struct page_spec *spec);

#endif
