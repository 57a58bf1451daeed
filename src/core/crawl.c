/* crawl.c: per-host visit slots and the robots.txt cache (crawl.h). */
#include <stdlib.h>
#include <string.h>

#include "core/crawl.h"
#include "db/store_crawl.h"
#include "util/timefmt.h"

struct slot_tx {
	const char *host;
	unsigned interval_ms;
	int64_t now, wait_ms;
};

static lc_err slot_tx(struct db *, void *);

/* slot_tx: the host's row locked, its next_at compared and moved in one transaction, so
 * two workers never take the same slot. */
static lc_err
slot_tx(struct db *db, void *arg)
{
	struct slot_tx *t = arg;
	char past[TIME_SQL_LEN], next[TIME_SQL_LEN];
	struct db_rows r;
	int64_t at = 0;
	const char *s;
	lc_err e;

	t->wait_ms = 0;
	sqltime_format(0, past);
	if ((e = store_crawl_ensure(db, t->host, past)) != LC_OK ||
	    (e = store_crawl_lock(db, t->host, &r)) != LC_OK)
		return e;
	if (r.nrows == 1 && (s = db_str(&r, 0, 0)) != NULL)
		sqltime_parse(s, strlen(s), &at);
	db_rows_free(&r);
	if ((t->wait_ms = crawl_slot_wait(at, t->now, t->interval_ms)) > 0)
		return LC_OK;
	sqltime_format(t->now + t->interval_ms, next);
	return store_crawl_next(db, t->host, next);
}

int64_t
crawl_slot_wait(int64_t slot_ms, int64_t now_ms, unsigned interval_ms)
{
	/* a slot more than one interval ahead was set by a clock that has since gone back
	 * (NTP stepping, a host moved between machines, the test clock): it would keep the
	 * host unvisited for as long, so it is taken as free */
	if (slot_ms > now_ms && slot_ms - now_ms <= (int64_t)interval_ms)
		return slot_ms - now_ms;
	return 0;
}

lc_err
crawl_take_slot(struct core *core, const char *host, unsigned interval_ms, int64_t *wait_ms)
{
	struct slot_tx t;
	lc_err e;

	memset(&t, 0, sizeof(t));
	t.host = host;
	t.interval_ms = interval_ms;
	t.now = now_ms();
	e = db_tx(core->db, slot_tx, &t);
	*wait_ms = e == LC_OK ? t.wait_ms : 0;
	return e;
}

lc_err
crawl_robots_get(
    struct core *core, const char *host, unsigned ttl_seconds, struct crawl_robots *out)
{
	struct db_rows r;
	const char *at;
	int64_t ms;
	lc_err e;

	memset(out, 0, sizeof(out[0]));
	if ((e = store_crawl_robots_get(core->db, host, &r)) != LC_OK)
		return e;
	if (r.nrows != 1 || (at = db_str(&r, 0, CRW_COL_FETCHED)) == NULL ||
	    sqltime_parse(at, strlen(at), &ms) != LC_OK ||
	    now_ms() - ms >= (int64_t)ttl_seconds * 1000) {
		db_rows_free(&r);
		return LC_OK;
	}
	out->fresh = 1;
	out->status = (long)db_i64(&r, 0, CRW_COL_STATUS);
	if (db_str(&r, 0, CRW_COL_BODY) != NULL) {
		out->len = db_len(&r, 0, CRW_COL_BODY);
		if ((out->body = malloc(out->len + 1)) == NULL) {
			db_rows_free(&r);
			return LC_ENOMEM;
		}
		memcpy(out->body, db_str(&r, 0, CRW_COL_BODY), out->len);
		out->body[out->len] = '\0';
	}
	db_rows_free(&r);
	return LC_OK;
}

lc_err
crawl_robots_put(struct core *core, const char *host, long status, const char *body, size_t len)
{
	char now[TIME_SQL_LEN];

	sqltime_format(now_ms(), now);
	return store_crawl_robots_put(core->db, host, status, body, len, now);
}

void
crawl_robots_free(struct crawl_robots *r)
{
	if (r == NULL)
		return;
	free(r->body);
	memset(r, 0, sizeof(*r));
}
