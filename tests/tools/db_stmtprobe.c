/* db_stmtprobe.c: proves that a connection's prepared-statement cache (src/db/db_stmt.c) serves
 * more distinct statements than it holds, and keeps no more than its limit prepared on the
 * server at once. Test tooling only, not installed: tests/integration/test_db_stmt_cache.py
 * runs it against the test stack's MariaDB.
 *
 * The cache knows a statement by its SQL's address, so the probe makes PROBE_STATEMENTS
 * distinct ones on the heap ("SELECT ? + k", k = 0..), runs them all twice on one
 * connection and checks every answer; then it reads the session's COM_STMT_PREPARE and
 * COM_STMT_CLOSE counters. One JSON object on stdout:
 *   {"statements": 2000, "answered": 2000, "prepared": 2004, "closed": 1800, "live": 204}
 * live = prepared - closed: what the connection holds on the server at the end.
 * usage: db_stmtprobe -c CONFIG. Exit 0 when it ran to its end, 1 on a setup or database
 * error (a line on stderr). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "util/config.h"
#include "util/err.h"

#define PROBE_STATEMENTS 1000
#define PROBE_SQL 48

static int
session_counter(struct db *db, const char *name, long long *out)
{
	static const char sql[] = "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
	                          "WHERE VARIABLE_NAME = ?";
	struct db_param p[] = {DB_CSTR(name)};
	struct db_rows r;

	if (db_query(db, sql, p, 1, &r) != LC_OK)
		return -1;
	*out = r.nrows == 1 ? db_i64(&r, 0, 0) : -1;
	db_rows_free(&r);
	return *out < 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct db *db = NULL;
	char(*sql)[PROBE_SQL] = NULL, why[256];
	long long prepared = 0, closed = 0;
	unsigned k, pass, answered = 0;
	int rc = 1;

	if (argc != 3 || strcmp(argv[1], "-c") != 0) {
		fprintf(stderr, "usage: db_stmtprobe -c CONFIG\n");
		return 2;
	}
	if (config_load(&cfg, argv[2], why, sizeof(why)) != LC_OK) {
		fprintf(stderr, "db_stmtprobe: %s\n", why);
		return 1;
	}
	if (db_library_init() != 0) {
		fprintf(stderr, "db_stmtprobe: the MySQL client library did not start\n");
		return 1;
	}
	if ((sql = calloc(PROBE_STATEMENTS, sizeof(*sql))) == NULL || (db = db_new(&cfg)) == NULL) {
		fprintf(stderr, "db_stmtprobe: out of memory\n");
		goto done;
	}
	for (k = 0; k < PROBE_STATEMENTS; k++)
		snprintf(sql[k], sizeof(sql[k]), "SELECT ? + %u", k);
	for (pass = 0; pass < 2; pass++) {
		for (k = 0; k < PROBE_STATEMENTS; k++) {
			struct db_param p[] = {DB_I64(1000000)};
			struct db_rows r;

			if (db_query(db, sql[k], p, 1, &r) != LC_OK) {
				fprintf(stderr, "db_stmtprobe: statement %u: %s\n", k,
				    db_last_error(db));
				goto done;
			}
			if (r.nrows == 1 && db_i64(&r, 0, 0) == 1000000 + (long long)k)
				answered++;
			db_rows_free(&r);
		}
	}
	if (session_counter(db, "COM_STMT_PREPARE", &prepared) != 0 ||
	    session_counter(db, "COM_STMT_CLOSE", &closed) != 0) {
		fprintf(stderr, "db_stmtprobe: reading the session's counters: %s\n",
		    db_last_error(db));
		goto done;
	}
	printf("{\"statements\": %u, \"answered\": %u, \"prepared\": %lld, \"closed\": %lld, "
	       "\"live\": %lld}\n",
	    2 * PROBE_STATEMENTS, answered, prepared, closed, prepared - closed);
	rc = 0;
done:
	db_free(db);
	free(sql);
	db_library_end();
	return rc;
}
