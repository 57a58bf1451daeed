/* batch.c: the shared pieces of the store's batch statements (see batch.h). */
#include <string.h>

#include "db/batch.h"

void
batch_ids(const int64_t *ids, size_t n, struct db_param *p)
{
	size_t i;

	for (i = 0; i < BATCH_IDS; i++)
		p[i] = DB_I64(i < n ? ids[i] : 0);
}

lc_err
batch_json_id(struct buf *b, const char *s)
{
	size_t i, n = strlen(s);
	lc_err e;

	if (n == 0 || n > 47)
		return LC_EINVAL;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		        c == '_' || c == '-'))
			return LC_EINVAL;
	}
	if ((e = buf_puts(b, "\"")) != LC_OK || (e = buf_append(b, s, n)) != LC_OK)
		return e;
	return buf_puts(b, "\"");
}
