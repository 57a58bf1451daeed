#include <stdlib.h>
#include <string.h>
#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "db/db.h"
#include "util/log.h"
#include "util/timefmt.h"

#define DB_STMT_SLOTS 128
#define DB_MAX_PARAMS 80 /* batch statements name 64 ids (store_outbox.c) */
#define DB_CELL_INITIAL 256
#define DB_RESULT_MAX (64UL * 1024 * 1024)
#define DB_TX_ATTEMPTS 5

struct db_stmt_slot {
	const char *sql; /* identity: statements are static strings */
	MYSQL_STMT *stmt;
};

struct db {
	const struct config *cfg;
	MYSQL *conn;
	int in_tx;
	/* a request transaction (db_request_begin): db_tx calls join it as savepoints; doomed
	 * is the error that ended it early (deadlock, lost connection), LC_OK while it lives */
	int outer;
	unsigned depth;
	lc_err doomed;
	char error[256];
	struct db_stmt_slot slots[DB_STMT_SLOTS];
};

static lc_err db_connect(struct db *);
static void db_disconnect(struct db *);
static lc_err db_classify(struct db *, unsigned, const char *);
static lc_err db_prepare(struct db *, const char *, MYSQL_STMT **);
static lc_err db_bind_params(MYSQL_STMT *, const struct db_param *, size_t, MYSQL_BIND *);
static lc_err db_run(struct db *, const char *, const struct db_param *, size_t,
    struct db_rows *, uint64_t *, uint64_t *);
static lc_err db_fetch_all(MYSQL_STMT *, struct db_rows *);
static lc_err db_doom(struct db *, lc_err);
static lc_err db_tx_joined(struct db *, lc_err (*)(struct db *, void *), void *);

struct db *
db_new(const struct config *cfg)
{
	struct db *db = calloc(1, sizeof(*db));

	if (db)
		db->cfg = cfg;
	return db;
}

static void
db_disconnect(struct db *db)
{
	size_t i;

	for (i = 0; i < DB_STMT_SLOTS; i++) {
		if (db->slots[i].stmt)
			mysql_stmt_close(db->slots[i].stmt);
		db->slots[i].stmt = NULL;
		db->slots[i].sql = NULL;
	}
	if (db->conn)
		mysql_close(db->conn);
	db->conn = NULL;
	db->in_tx = 0;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_disconnect(db);
	free(db);
}

static lc_err
db_connect(struct db *db)
{
	const struct config *c = db->cfg;
	unsigned timeout = 2;
	my_bool on = 1;

	if (db->conn)
		return LC_OK;
	if ((db->conn = mysql_init(NULL)) == NULL)
		return LC_ENOMEM;
	mysql_options(db->conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	timeout = 30;
	mysql_options(db->conn, MYSQL_OPT_READ_TIMEOUT, &timeout);
	mysql_options(db->conn, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	mysql_options(db->conn, MYSQL_REPORT_DATA_TRUNCATION, &on);
	mysql_options(db->conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(db->conn, MYSQL_INIT_COMMAND,
	    "SET time_zone='+00:00', sql_mode='STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'");
	if (mysql_real_connect(db->conn, c->db_socket[0] ? NULL : c->db_host, c->db_user,
	        c->db_password, c->db_name, c->db_port, c->db_socket[0] ? c->db_socket : NULL,
	        CLIENT_FOUND_ROWS) == NULL) {
		snprintf(db->error, sizeof(db->error), "%s", mysql_error(db->conn));
		mysql_close(db->conn);
		db->conn = NULL;
		return LC_EDBDOWN;
	}
	return LC_OK;
}

/* db_classify maps a client/server error number to our error and drops the connection
 * when it is gone, so the next call reconnects and re-prepares. */
static lc_err
db_classify(struct db *db, unsigned err, const char *msg)
{
	snprintf(db->error, sizeof(db->error), "%u: %s", err, msg ? msg : "");
	switch (err) {
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_SERVER_LOST_EXTENDED:
	case ER_CONNECTION_KILLED:
	case ER_SERVER_SHUTDOWN:
	case 4031: /* ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8) */
		db_disconnect(db);
		return LC_EDBDOWN;
	case ER_LOCK_DEADLOCK:
	case ER_LOCK_WAIT_TIMEOUT:
	case ER_CHECKREAD: /* 1020: record changed since last read */
		return LC_ERETRY;
	case ER_DUP_ENTRY:
		return LC_ECONFLICT;
	case CR_OUT_OF_MEMORY:
		return LC_ENOMEM;
	default:
		log_msg(LOG_ERROR, "database error %s", db->error);
		return LC_EDB;
	}
}

static lc_err
db_prepare(struct db *db, const char *sql, MYSQL_STMT **out)
{
	size_t i, h = ((uintptr_t)sql >> 4) % DB_STMT_SLOTS;
	MYSQL_STMT *st;
	lc_err e;

	if ((e = db_connect(db)) != LC_OK)
		return e;
	for (i = 0; i < DB_STMT_SLOTS; i++) {
		struct db_stmt_slot *s = &db->slots[(h + i) % DB_STMT_SLOTS];
		if (s->sql == sql) {
			*out = s->stmt;
			return LC_OK;
		}
		if (s->sql == NULL) {
			if ((st = mysql_stmt_init(db->conn)) == NULL)
				return LC_ENOMEM;
			if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
				e = db_classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
				if (e == LC_EDB)
					log_msg(LOG_ERROR, "prepare failed: %.200s", sql);
				mysql_stmt_close(st);
				return e;
			}
			s->sql = sql;
			s->stmt = st;
			*out = st;
			return LC_OK;
		}
	}
	log_msg(LOG_ERROR, "statement cache full");
	return LC_ENOMEM;
}

static lc_err
db_bind_params(MYSQL_STMT *st, const struct db_param *p, size_t n, MYSQL_BIND *b)
{
	static my_bool is_null = 1;
	size_t i;

	if (n != mysql_stmt_param_count(st) || n > DB_MAX_PARAMS) {
		log_msg(LOG_ERROR, "parameters: %zu given, %lu expected, at most %d", n,
		    mysql_stmt_param_count(st), DB_MAX_PARAMS);
		return LC_EDB;
	}
	memset(b, 0, n * sizeof(*b));
	for (i = 0; i < n; i++) {
		switch (p[i].type) {
		case DBP_NULL:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			b[i].is_null = &is_null;
			break;
		case DBP_I64:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)&p[i].i;
			break;
		case DBP_STR:
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)(p[i].s ? p[i].s : "");
			b[i].buffer_length = p[i].len;
			b[i].length = (unsigned long *)&p[i].len;
			break;
		}
	}
	if (n > 0 && mysql_stmt_bind_param(st, b) != 0)
		return LC_EDB;
	return LC_OK;
}

/* db_fetch_all copies every row of an executed statement into r as text: one allocation
 * per row for all of its cells, so a page of results costs a few dozen mallocs. */
static lc_err
db_fetch_all(MYSQL_STMT *st, struct db_rows *r)
{
	MYSQL_RES *meta;
	MYSQL_BIND *b = NULL;
	unsigned long *lens = NULL;
	my_bool *nulls = NULL, *errs = NULL;
	char *scratch = NULL;
	size_t ncols, cap = 0, c, total = 0;
	lc_err e = LC_ENOMEM;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((meta = mysql_stmt_result_metadata(st)) == NULL)
		return LC_OK;
	ncols = mysql_num_fields(meta);
	mysql_free_result(meta);
	r->ncols = ncols;
	if ((b = calloc(ncols, sizeof(*b))) == NULL || (lens = calloc(ncols, sizeof(*lens))) == NULL ||
	    (nulls = calloc(ncols, sizeof(*nulls))) == NULL ||
	    (errs = calloc(ncols, sizeof(*errs))) == NULL ||
	    (scratch = malloc(ncols * DB_CELL_INITIAL)) == NULL)
		goto out;
	for (c = 0; c < ncols; c++) {
		b[c].buffer_type = MYSQL_TYPE_STRING;
		b[c].buffer = scratch + c * DB_CELL_INITIAL;
		b[c].buffer_length = DB_CELL_INITIAL;
		b[c].length = &lens[c];
		b[c].is_null = &nulls[c];
		b[c].error = &errs[c];
	}
	if (mysql_stmt_bind_result(st, b) != 0) {
		e = LC_EDB;
		goto out;
	}
	while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
		size_t rowlen = 0, off = 0, base;
		char *block;

		if (r->nrows == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			void *p1;
			if ((p1 = realloc(r->cell, ncap * ncols * sizeof(*r->cell))) == NULL)
				goto out;
			r->cell = p1;
			if ((p1 = realloc(r->len, ncap * ncols * sizeof(*r->len))) == NULL)
				goto out;
			r->len = p1;
			if ((p1 = realloc(r->null, ncap * ncols)) == NULL)
				goto out;
			r->null = p1;
			if ((p1 = realloc(r->block, ncap * sizeof(*r->block))) == NULL)
				goto out;
			r->block = p1;
			cap = ncap;
		}
		for (c = 0; c < ncols; c++)
			rowlen += (nulls[c] ? 0 : lens[c]) + 1;
		total += rowlen;
		if (total > DB_RESULT_MAX || (block = malloc(rowlen)) == NULL)
			goto out;
		base = r->nrows * ncols;
		r->block[r->nrows] = block;
		r->nrows++; /* the block is owned from here on, whatever happens next */
		for (c = 0; c < ncols; c++) {
			char *cell = block + off;
			size_t n = nulls[c] ? 0 : lens[c];

			if (n > DB_CELL_INITIAL) {
				MYSQL_BIND one;
				memset(&one, 0, sizeof(one));
				one.buffer_type = MYSQL_TYPE_STRING;
				one.buffer = cell;
				one.buffer_length = n + 1;
				if (mysql_stmt_fetch_column(st, &one, (unsigned)c, 0) != 0) {
					e = LC_EDB;
					goto out;
				}
			} else if (n > 0) {
				memcpy(cell, b[c].buffer, n);
			}
			cell[n] = '\0';
			r->cell[base + c] = cell;
			r->len[base + c] = n;
			r->null[base + c] = nulls[c] ? 1 : 0;
			off += n + 1;
		}
	}
	e = rc == MYSQL_NO_DATA ? LC_OK : LC_EDB;
out:
	mysql_stmt_free_result(st);
	free(b);
	free(lens);
	free(nulls);
	free(errs);
	free(scratch);
	if (e != LC_OK)
		db_rows_free(r);
	return e;
}

static lc_err
db_run(struct db *db, const char *sql, const struct db_param *params, size_t nparams,
    struct db_rows *rows, uint64_t *affected, uint64_t *insert_id)
{
	MYSQL_BIND binds[DB_MAX_PARAMS];
	MYSQL_STMT *st = NULL;
	lc_err e;

	if (db->outer && db->doomed != LC_OK)
		return db->doomed;
	if ((e = db_prepare(db, sql, &st)) != LC_OK)
		return db_doom(db, e);
	if ((e = db_bind_params(st, params, nparams, binds)) != LC_OK)
		return e;
	if (mysql_stmt_execute(st) != 0)
		return db_doom(db, db_classify(db, mysql_stmt_errno(st), mysql_stmt_error(st)));
	if (rows) {
		e = db_fetch_all(st, rows);
		if (e == LC_EDB && mysql_stmt_errno(st) != 0)
			e = db_classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		return db_doom(db, e);
	}
	if (affected)
		*affected = mysql_stmt_affected_rows(st);
	if (insert_id)
		*insert_id = mysql_stmt_insert_id(st);
	return LC_OK;
}

lc_err
db_query(struct db *db, const char *sql, const struct db_param *params, size_t nparams,
    struct db_rows *out)
{
	int was_tx = db->in_tx;
	lc_err e;

	memset(out, 0, sizeof(*out));
	e = db_run(db, sql, params, nparams, out, NULL, NULL);
	if (e == LC_EDBDOWN && !was_tx)
		e = db_run(db, sql, params, nparams, out, NULL, NULL);
	return e;
}

lc_err
db_exec(struct db *db, const char *sql, const struct db_param *params, size_t nparams,
    uint64_t *affected, uint64_t *insert_id)
{
	return db_run(db, sql, params, nparams, NULL, affected, insert_id);
}

lc_err
db_exec_text(struct db *db, const char *sql)
{
	lc_err e;

	if (db->outer && db->doomed != LC_OK)
		return db->doomed;
	if ((e = db_connect(db)) != LC_OK)
		return db_doom(db, e);
	if (mysql_real_query(db->conn, sql, strlen(sql)) != 0)
		return db_doom(db, db_classify(db, mysql_errno(db->conn), mysql_error(db->conn)));
	/* drain every result of a multi-statement or SELECT */
	do {
		MYSQL_RES *res = mysql_store_result(db->conn);
		if (res)
			mysql_free_result(res);
	} while (mysql_next_result(db->conn) == 0);
	if (mysql_errno(db->conn))
		return db_classify(db, mysql_errno(db->conn), mysql_error(db->conn));
	return LC_OK;
}

void
db_server_version(struct db *db, char *out, size_t len)
{
	const char *v = db->conn ? mysql_get_server_info(db->conn) : NULL;

	snprintf(out, len, "%s", v ? v : "");
}

lc_err
db_ping(struct db *db)
{
	struct db_rows r;
	static const char sql[] = "SELECT 1";
	lc_err e;

	e = db_query(db, sql, NULL, 0, &r);
	db_rows_free(&r);
	return e;
}

lc_err
db_tx(struct db *db, lc_err (*fn)(struct db *, void *), void *arg)
{
	lc_err e = LC_EDB;
	int attempt;

	if (db->outer)
		return db_tx_joined(db, fn, arg);
	for (attempt = 0; attempt < DB_TX_ATTEMPTS; attempt++) {
		if ((e = db_connect(db)) != LC_OK)
			return e;
		if (mysql_query(db->conn, "START TRANSACTION") != 0) {
			e = db_classify(db, mysql_errno(db->conn), mysql_error(db->conn));
			if (e == LC_EDBDOWN && attempt == 0)
				continue;
			return e;
		}
		db->in_tx = 1;
		e = fn(db, arg);
		if (e == LC_OK) {
			if (mysql_commit(db->conn) != 0)
				e = db_classify(db, mysql_errno(db->conn), mysql_error(db->conn));
		} else if (db->conn) {
			mysql_rollback(db->conn);
		}
		db->in_tx = 0;
		if (e == LC_ERETRY || (e == LC_EDBDOWN && attempt == 0))
			continue;
		return e;
	}
	return e;
}

/* db_doom ends the request transaction when e says the server has rolled it back (a
 * deadlock), may have (a lock wait timeout rolls back one statement, but the transaction
 * is no longer what its code expects), or lost it with the connection. Returns e. */
static lc_err
db_doom(struct db *db, lc_err e)
{
	if (db->outer && db->doomed == LC_OK && (e == LC_ERETRY || e == LC_EDBDOWN))
		db->doomed = e;
	return e;
}

/* db_tx_joined runs fn inside the request transaction, under a savepoint: fn's failure
 * undoes only fn's writes, as its own transaction's rollback would have; a retry that fn
 * asks for itself (LC_ERETRY without a server error) runs it again from the savepoint. A
 * server-side rollback dooms the whole request transaction instead: db_request_end
 * reports it and the caller runs the whole request again. */
static lc_err
db_tx_joined(struct db *db, lc_err (*fn)(struct db *, void *), void *arg)
{
	char sp[48], undo[64];
	lc_err e = LC_EDB;
	int attempt;

	snprintf(sp, sizeof(sp), "SAVEPOINT lc_tx%u", db->depth);
	snprintf(undo, sizeof(undo), "ROLLBACK TO SAVEPOINT lc_tx%u", db->depth);
	for (attempt = 0; attempt < DB_TX_ATTEMPTS; attempt++) {
		if ((e = db_exec_text(db, sp)) != LC_OK)
			return e;
		db->depth++;
		e = fn(db, arg);
		db->depth--;
		if (e == LC_OK || db->doomed != LC_OK)
			return db->doomed != LC_OK ? db->doomed : LC_OK;
		if (db_exec_text(db, undo) != LC_OK)
			return db_doom(db, LC_ERETRY);
		if (e != LC_ERETRY)
			return e;
	}
	return e;
}

lc_err
db_request_begin(struct db *db)
{
	lc_err e = LC_EDB;
	int attempt;

	if (db->outer)
		return LC_EINVAL;
	for (attempt = 0; attempt < 2; attempt++) {
		if ((e = db_connect(db)) != LC_OK)
			return e;
		if (mysql_query(db->conn, "START TRANSACTION") == 0) {
			db->in_tx = 1;
			db->outer = 1;
			db->depth = 0;
			db->doomed = LC_OK;
			return LC_OK;
		}
		e = db_classify(db, mysql_errno(db->conn), mysql_error(db->conn));
		if (e != LC_EDBDOWN)
			return e;
	}
	return e;
}

lc_err
db_request_end(struct db *db, int commit)
{
	lc_err e = db->doomed;

	if (!db->outer)
		return LC_EINVAL;
	if (e == LC_OK && commit && db->conn) {
		if (mysql_commit(db->conn) != 0)
			e = db_classify(db, mysql_errno(db->conn), mysql_error(db->conn));
	} else if (db->conn) {
		mysql_rollback(db->conn);
	}
	if (e == LC_OK && commit && db->conn == NULL)
		e = LC_EDBDOWN;
	db->outer = 0;
	db->in_tx = 0;
	db->depth = 0;
	db->doomed = LC_OK;
	return e;
}

const char *
db_last_error(struct db *db)
{
	return db->error;
}

void
db_rows_free(struct db_rows *r)
{
	size_t i;

	if (r->block)
		for (i = 0; i < r->nrows; i++)
			free(r->block[i]);
	free(r->block);
	free(r->cell);
	free(r->len);
	free(r->null);
	memset(r, 0, sizeof(*r));
}

const char *
db_str(const struct db_rows *r, size_t row, size_t col)
{
	size_t i = row * r->ncols + col;

	return r->null[i] ? NULL : r->cell[i];
}

long long
db_i64(const struct db_rows *r, size_t row, size_t col)
{
	size_t i = row * r->ncols + col;

	return r->null[i] ? 0 : strtoll(r->cell[i], NULL, 10);
}

int
db_isnull(const struct db_rows *r, size_t row, size_t col)
{
	return r->null[row * r->ncols + col];
}

unsigned long
db_len(const struct db_rows *r, size_t row, size_t col)
{
	return r->len[row * r->ncols + col];
}

int64_t
db_ms(const struct db_rows *r, size_t row, size_t col)
{
	const char *s = db_str(r, row, col);
	int64_t ms;

	if (s == NULL || sqltime_parse(s, db_len(r, row, col), &ms) != LC_OK)
		return -1;
	return ms;
}

int
db_library_init(void)
{
	return mysql_library_init(0, NULL, NULL) == 0 ? 0 : -1;
}

void
db_library_end(void)
{
	mysql_library_end();
}

void
db_thread_init(void)
{
	/* a failure here shows at the thread's first connection, which reports it */
	(void)mysql_thread_init();
}

void
db_thread_end(void)
{
	mysql_thread_end();
}
