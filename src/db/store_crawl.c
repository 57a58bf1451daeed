/* store_crawl.c: SQL for the checker's per-host manners. */
#include <string.h>

#include "db/store_crawl.h"

lc_err
store_crawl_ensure(struct db *db, const char *host, const char *past_sql)
{
	static const char sql[] = "INSERT IGNORE INTO crawl_hosts (host, next_at) VALUES (?, ?)";
	struct db_param p[] = {DB_CSTR(host), DB_CSTR(past_sql)};

	return db_exec(db, sql, p, 2, NULL, NULL);
}

lc_err
store_crawl_lock(struct db *db, const char *host, struct db_rows *out)
{
	static const char sql[] = "SELECT next_at FROM crawl_hosts WHERE host = ? FOR UPDATE";
	struct db_param p[] = {DB_CSTR(host)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_crawl_next(struct db *db, const char *host, const char *next_sql)
{
	static const char sql[] = "UPDATE crawl_hosts SET next_at = ? WHERE host = ?";
	struct db_param p[] = {DB_CSTR(next_sql), DB_CSTR(host)};

	return db_exec(db, sql, p, 2, NULL, NULL);
}

lc_err
store_crawl_robots_get(struct db *db, const char *host, struct db_rows *out)
{
	static const char sql[] = "SELECT robots_fetched_at, robots_status, robots FROM "
	                          "crawl_hosts WHERE host = ?";
	struct db_param p[] = {DB_CSTR(host)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_crawl_robots_put(
    struct db *db, const char *host, long status, const char *body, size_t len, const char *now_sql)
{
	static const char sql[] =
	    "UPDATE crawl_hosts SET robots_fetched_at = ?, robots_status = ?, "
	    "robots = ? WHERE host = ?";
	struct db_param p[] = {
	    DB_CSTR(now_sql), DB_I64(status), body ? DB_STR(body, len) : DB_NULL, DB_CSTR(host)};

	return db_exec(db, sql, p, 4, NULL, NULL);
}
