/* store_window.h: where a keyset-paged list starts and how many rows it reads. Every list
 * that pages newest first along (time, id) embeds one in its filter, so core fills it in
 * one place (page_window, core/paging.h) and each store reads the same three fields. */
#ifndef LC_STORE_WINDOW_H
#define LC_STORE_WINDOW_H

#include <stdint.h>

/* before_sql is borrowed: the cursor's instant as SQL time, or NULL for the first page
 * (the store then reads from the newest row and ignores before_id). limit is how many rows
 * to read: a page's limit plus one, the extra row telling that a next page exists. */
struct store_window {
	const char *before_sql;
	int64_t before_id;
	unsigned limit;
};

#endif
