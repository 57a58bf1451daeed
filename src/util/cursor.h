/* cursor.h: opaque pagination cursors for "newest first" lists.
 * A cursor names the last row of a page by (created_at, internal id). */
#ifndef LC_CURSOR_H
#define LC_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include "util/err.h"

#define CURSOR_MAX 40

/* cursor_encode writes an opaque URL-safe token for the position (ms, id). */
void cursor_encode(int64_t ms, int64_t id, char out[CURSOR_MAX]);

/* cursor_decode reverses cursor_encode; LC_EINVAL for anything it did not produce. */
lc_err cursor_decode(const char *s, size_t len, int64_t *ms, int64_t *id);

#endif
