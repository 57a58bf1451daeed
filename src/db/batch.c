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
batch_query(struct db *db, const char *sql, const int64_t *ids, size_t n, struct db_rows *out)
{
	struct db_param p[BATCH_IDS];

	memset(out, 0, sizeof(*out));
	if (n == 0 || n > BATCH_IDS)
		return LC_EINVAL;
	batch_ids(ids, n, p);
	return db_query(db, sql, p, BATCH_IDS, out);
}

lc_err
batch_lease(struct db *db, const char *sql, const int64_t *ids, size_t n, const char *lease_sql)
{
	struct db_param p[1 + BATCH_IDS];
	uint64_t changed = 0;
	lc_err e;

	if (n == 0 || n > BATCH_IDS)
		return LC_EINVAL;
	p[0] = DB_CSTR(lease_sql);
	batch_ids(ids, n, p + 1);
	if ((e = db_exec(db, sql, p, 1 + BATCH_IDS, &changed, NULL)) != LC_OK)
		return e;
	return changed == n ? LC_OK : LC_ERETRY;
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
