/* db.h: one MySQL/MariaDB connection, prepared statements cached per connection,
 * fully buffered results and transactions with retry. Not thread-safe: one per thread. */
#ifndef LC_DB_H
#define LC_DB_H

#include <stddef.h>
#include <stdint.h>
#include "util/config.h"
#include "util/err.h"

struct db;

enum db_param_type { DBP_NULL, DBP_I64, DBP_STR };

struct db_param {
	enum db_param_type type;
	long long i;
	const char *s;
	unsigned long len;
};

#define DB_I64(v) ((struct db_param){DBP_I64, (long long)(v), NULL, 0})
#define DB_STR(p, n) ((struct db_param){DBP_STR, 0, (p), (unsigned long)(n)})
#define DB_CSTR(p) ((struct db_param){DBP_STR, 0, (p), (unsigned long)strlen(p)})
#define DB_NULL ((struct db_param){DBP_NULL, 0, NULL, 0})

/* A fully buffered result: every cell as text (NULL cells have null set). */
struct db_rows {
	size_t nrows, ncols;
	char **cell;  /* nrows * ncols pointers into the row's block */
	char **block; /* one allocation per row holding its cells */
	unsigned long *len;
	unsigned char *null;
};

/* db_new allocates a connection handle for cfg (borrowed; must outlive the handle).
 * It does not connect; the first statement does, to [database] hosts' writer first when
 * hosts is set (a server that is down or not ready moves it to the next one), else to
 * host/port or socket. NULL on out of memory. */
struct db *db_new(const struct config *cfg);
/* db_free closes the connection; NULL is a no-op. */
void db_free(struct db *db);

/* db_ping checks the server with one round trip; LC_EDBDOWN when unreachable. */
lc_err db_ping(struct db *db);

/* db_server_version writes the connected server's version string into out (size len);
 * call after a successful db_ping. "" when not connected. */
void db_server_version(struct db *db, char *out, size_t len);

/* db_query runs a SELECT with bound params and fills out (caller frees with db_rows_free).
 * Outside a transaction a lost connection is re-established and the query retried once.
 * Errors: LC_EDBDOWN, LC_ERETRY, LC_EDB, LC_ENOMEM. */
lc_err db_query(struct db *db, const char *sql, const struct db_param *params, size_t nparams,
    struct db_rows *out);

/* db_count_rows runs a SELECT and gives in *count how many rows it returned (the rows are
 * not kept): "lock these rows, and how many are they", a cap checked under FOR UPDATE.
 * Errors as db_query; *count is 0 on error. */
lc_err db_count_rows(
    struct db *db, const char *sql, const struct db_param *params, size_t nparams, unsigned *count);

/* db_query_i64 runs a SELECT that answers one row and gives in *value its first column as
 * an integer: a COUNT(*), an id, a kept counter. *value is 0 when the query answers no
 * row or more than one, when that column is NULL, and on error. Errors as db_query. */
lc_err db_query_i64(
    struct db *db, const char *sql, const struct db_param *params, size_t nparams, int64_t *value);

/* db_exec runs a statement without a result set. affected/insert_id may be NULL.
 * Errors as db_query, plus LC_ECONFLICT on a duplicate key. */
lc_err db_exec(struct db *db, const char *sql, const struct db_param *params, size_t nparams,
    uint64_t *affected, uint64_t *insert_id);

/* db_exec_claim runs an UPDATE that claims one row and names in its WHERE the state it
 * claims the row from (docs/scaling.md, "Claims are guarded"). Errors as db_exec, plus
 * LC_ERETRY when it changed no row (another process, perhaps on another Galera node,
 * claimed it first) or more than one: the caller's transaction starts over. */
lc_err db_exec_claim(struct db *db, const char *sql, const struct db_param *params, size_t nparams);

/* db_exec_text runs SQL text without parameters (migrations, session settings). */
lc_err db_exec_text(struct db *db, const char *sql);

/* db_tx runs fn(db, arg) inside a transaction. It commits when fn returns LC_OK and rolls
 * back otherwise. On LC_ERETRY (deadlock, lock wait, a Galera certification failure, or
 * fn's own) it runs the whole transaction again after a jittered, growing pause, up to
 * DB_RETRY_LIMIT tries (db/retry.h), logging the count; on a connection lost before the
 * commit it runs it again on the next host, once round the list. A connection lost during
 * COMMIT is not retried (it may have committed): LC_EDBDOWN. fn must therefore be safe to
 * run more than once. Returns fn's error or the commit's. */
lc_err db_tx(struct db *db, lc_err (*fn)(struct db *, void *), void *arg);

/* db_request_begin starts a request transaction: until db_request_end, every statement
 * runs in it and every db_tx joins it under a savepoint (fn's failure undoes fn's writes;
 * nothing commits on its own), so the whole request commits or rolls back as one. A
 * deadlock or a lost connection dooms it: every later statement returns that error without
 * running. After a request transaction the server rolled back, it first pauses as db_tx
 * does between tries (the caller runs the request again). LC_EINVAL when one is already
 * open. */
lc_err db_request_begin(struct db *db);

/* db_request_end commits the request transaction (commit != 0) or rolls it back. Returns
 * LC_OK only when it committed; the error that doomed it (LC_ERETRY, LC_EDBDOWN: run the
 * whole request again) or the commit's otherwise. It is closed in any case. */
lc_err db_request_end(struct db *db, int commit);

/* db_last_error returns the server's last error message (static per connection). */
const char *db_last_error(struct db *db);

/* db_rows_free releases a result; safe on a zeroed struct. */
void db_rows_free(struct db_rows *r);
/* db_str borrows the text of a cell (NULL when SQL NULL). */
const char *db_str(const struct db_rows *r, size_t row, size_t col);
/* db_i64 parses a cell as an integer (0 when NULL). */
long long db_i64(const struct db_rows *r, size_t row, size_t col);
/* db_ms reads a DATETIME cell as UTC milliseconds; -1 when NULL or unparseable. */
int64_t db_ms(const struct db_rows *r, size_t row, size_t col);
/* db_isnull is 1 when the cell is SQL NULL. */
int db_isnull(const struct db_rows *r, size_t row, size_t col);
/* db_len returns the byte length of a cell. */
unsigned long db_len(const struct db_rows *r, size_t row, size_t col);

/* db_library_init prepares the MySQL client library; call it once in main, before any
 * thread starts. Returns 0, or -1 when the library cannot start. db_library_end undoes it
 * after every thread has ended. The programs use these so that <mysql.h> stays in src/db. */
int db_library_init(void);
void db_library_end(void);

/* db_thread_init and db_thread_end bracket a thread's use of the client library (each
 * thread that opens a connection calls both, the second as it ends). */
void db_thread_init(void);
void db_thread_end(void);

#endif
