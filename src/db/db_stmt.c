/* db_stmt.c: statements on a connection: the cache of prepared statements, binding the
 * parameters, fetching every row of a result into struct db_rows, and the public calls
 * that run a statement (db_query and its shapes, db_exec, db_exec_text). */
#include <stdlib.h>
#include <string.h>

#include "db/db_internal.h"
#include "util/log.h"

#define DB_MAX_PARAMS 80 /* batch statements name 64 ids (store_outbox.c) */
#define DB_CELL_INITIAL 256
#define DB_RESULT_MAX (64UL * 1024 * 1024)

static lc_err db_prepare(struct db *, const char *, MYSQL_STMT **);
static lc_err db_bind_params(MYSQL_STMT *, const struct db_param *, size_t, MYSQL_BIND *);
static lc_err db_run(struct db *, const char *, const struct db_param *, size_t, struct db_rows *,
    uint64_t *, uint64_t *);
static lc_err db_fetch_all(struct db *, MYSQL_STMT *, struct db_rows *);

/* db_stmts_close closes every cached statement and empties the cache. */
void
db_stmts_close(struct db *db)
{
	size_t i;

	for (i = 0; i < DB_STMT_SLOTS; i++) {
		if (db->slots[i].stmt)
			mysql_stmt_close(db->slots[i].stmt);
		db->slots[i].stmt = NULL;
		db->slots[i].sql = NULL;
	}
	db->nstmts = 0;
}

static lc_err
db_prepare(struct db *db, const char *sql, MYSQL_STMT **out)
{
	size_t i, h = ((uintptr_t)sql >> 4) % DB_STMT_SLOTS;
	struct db_stmt_slot *s = NULL;
	MYSQL_STMT *st;
	lc_err e;

	if ((e = db_connect(db)) != LC_OK)
		return e;
	for (i = 0; i < DB_STMT_SLOTS; i++) {
		s = &db->slots[(h + i) % DB_STMT_SLOTS];
		if (s->sql == sql) {
			*out = s->stmt;
			return LC_OK;
		}
		if (s->sql == NULL)
			break;
	}
	if (i == DB_STMT_SLOTS || db->nstmts >= DB_STMT_LIVE) {
		/* no statement is in use between two calls (db_run fetches every row before it
		 * returns), so all can go; the ones in use come back at their next call */
		log_msg(LOG_INFO, "database: the statement cache starts over (%u statements)",
		    db->nstmts);
		db_stmts_close(db);
		s = &db->slots[h];
	}
	if ((st = mysql_stmt_init(db->conn)) == NULL)
		return LC_ENOMEM;
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		e = db_classify(db, mysql_stmt_errno(st), mysql_stmt_error(st), 0);
		if (e == LC_EDB)
			log_msg(LOG_ERROR, "prepare failed: %.200s", sql);
		mysql_stmt_close(st);
		return e;
	}
	s->sql = sql;
	s->stmt = st;
	db->nstmts++;
	*out = st;
	return LC_OK;
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
 * per row for all of its cells, so a page of results costs a few dozen mallocs. An error
 * the server sends while the rows arrive (Galera's abort often comes here, not from the
 * execute) is classified like one from the statement, before the result is freed, which
 * would clear it. */
static lc_err
db_fetch_all(struct db *db, MYSQL_STMT *st, struct db_rows *r)
{
	MYSQL_RES *meta;
	MYSQL_BIND *b = NULL;
	unsigned long *lens = NULL;
	my_bool *nulls = NULL, *errs = NULL;
	char *scratch = NULL;
	size_t ncols, cap = 0, c, total = 0;
	lc_err e = LC_ENOMEM;
	unsigned err = 0;
	char msg[200];
	int rc;

	memset(r, 0, sizeof(*r));
	if ((meta = mysql_stmt_result_metadata(st)) == NULL)
		return mysql_stmt_errno(st) == 0
		           ? LC_OK
		           : db_classify(db, mysql_stmt_errno(st), mysql_stmt_error(st), 0);
	ncols = mysql_num_fields(meta);
	mysql_free_result(meta);
	r->ncols = ncols;
	if ((b = calloc(ncols, sizeof(*b))) == NULL ||
	    (lens = calloc(ncols, sizeof(*lens))) == NULL ||
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
		goto failed;
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
					goto failed;
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
	if (rc == MYSQL_NO_DATA) {
		e = LC_OK;
		goto out;
	}
	e = LC_EDB;
failed:
	/* the client library leaves an error packet met while reading rows on the connection,
	 * not on the statement (the cluster test saw Galera's aborts arrive so). It is kept
	 * here and classified once the result is freed: "down" closes the statement. */
	if (mysql_stmt_errno(st) != 0) {
		err = mysql_stmt_errno(st);
		snprintf(msg, sizeof(msg), "%s", mysql_stmt_error(st));
	} else if (mysql_errno(db->conn) != 0) {
		err = mysql_errno(db->conn);
		snprintf(msg, sizeof(msg), "%s", mysql_error(db->conn));
	} else {
		log_msg(LOG_ERROR, "reading a result failed without a server error");
	}
out:
	mysql_stmt_free_result(st);
	free(b);
	free(lens);
	free(nulls);
	free(errs);
	free(scratch);
	if (e != LC_OK)
		db_rows_free(r);
	if (err != 0)
		e = db_classify(db, err, msg, 0);
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
		return db_doom(db, db_classify(db, mysql_stmt_errno(st), mysql_stmt_error(st), 0));
	if (rows) {
		if ((e = db_fetch_all(db, st, rows)) != LC_OK)
			return db_doom(db, e);
		if ((e = db_tx_alive(db)) != LC_OK)
			db_rows_free(rows);
		return e;
	}
	if (affected)
		*affected = mysql_stmt_affected_rows(st);
	if (insert_id)
		*insert_id = mysql_stmt_insert_id(st);
	return db_tx_alive(db);
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
db_count_rows(
    struct db *db, const char *sql, const struct db_param *params, size_t nparams, unsigned *count)
{
	struct db_rows r;
	lc_err e;

	*count = 0;
	if ((e = db_query(db, sql, params, nparams, &r)) != LC_OK)
		return e;
	*count = (unsigned)r.nrows;
	db_rows_free(&r);
	return LC_OK;
}

lc_err
db_query_i64(
    struct db *db, const char *sql, const struct db_param *params, size_t nparams, int64_t *value)
{
	struct db_rows r;
	lc_err e;

	*value = 0;
	if ((e = db_query(db, sql, params, nparams, &r)) != LC_OK)
		return e;
	if (r.nrows == 1)
		*value = db_i64(&r, 0, 0);
	db_rows_free(&r);
	return LC_OK;
}

lc_err
db_exec(struct db *db, const char *sql, const struct db_param *params, size_t nparams,
    uint64_t *affected, uint64_t *insert_id)
{
	return db_run(db, sql, params, nparams, NULL, affected, insert_id);
}

lc_err
db_exec_claim(struct db *db, const char *sql, const struct db_param *params, size_t nparams)
{
	uint64_t n = 0;
	lc_err e;

	if ((e = db_exec(db, sql, params, nparams, &n, NULL)) != LC_OK)
		return e;
	return n == 1 ? LC_OK : LC_ERETRY;
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
		return db_doom(
		    db, db_classify(db, mysql_errno(db->conn), mysql_error(db->conn), 0));
	/* drain every result of a multi-statement or SELECT; an error met while storing one
	 * counts as the statement's */
	do {
		MYSQL_RES *res = mysql_store_result(db->conn);
		if (res)
			mysql_free_result(res);
		else if (mysql_errno(db->conn))
			break;
	} while (mysql_next_result(db->conn) == 0);
	if (db->conn && mysql_errno(db->conn))
		return db_doom(
		    db, db_classify(db, mysql_errno(db->conn), mysql_error(db->conn), 0));
	return db_tx_alive(db);
}
