#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "db/db.h"
#include "db/retry.h"
#include "util/hostlist.h"
#include "util/log.h"
#include "util/timefmt.h"

/* The prepared statements a connection keeps, by their SQL's address (statements are static
 * strings): a table of DB_STMT_SLOTS, at most DB_STMT_LIVE at once. src/db has about 300
 * statements and a long-lived connection (an fcgi thread) meets most of them in time; the
 * server's max_prepared_stmt_count (16,382 by default) is shared by every connection of
 * every host, so the cache starts over, closing all it holds, when it reaches DB_STMT_LIVE
 * rather than growing without bound. */
#define DB_STMT_SLOTS 512
#define DB_STMT_LIVE 384
#define DB_MAX_PARAMS 80 /* batch statements name 64 ids (store_outbox.c) */
#define DB_CELL_INITIAL 256
#define DB_RESULT_MAX (64UL * 1024 * 1024)
#define DB_SAVEPOINT_ATTEMPTS 5 /* a joined db_tx that asks for a retry itself */
#define DB_FAILBACK_SECONDS 30  /* after a failover, how soon a transaction tries the writer */

/* Retries of whole transactions since the process started, all connections together: the
 * logs show it, so that a busy cluster is seen before it becomes a failing one. */
static unsigned long db_retries_total;

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
	/* [database] hosts, the writer first (hostlist_order); cur is the one in use, failed
	 * the monotonic second it became another than the writer. nhosts 0: host/socket. */
	struct hostport hosts[HOSTLIST_MAX];
	size_t nhosts, cur;
	time_t failed;
	uint32_t rnd;             /* jitter of the retry pauses */
	unsigned request_retries; /* request transactions rolled back in a row (db_request_*) */
	char init[256];           /* the session settings every connection starts with */
	struct db_stmt_slot slots[DB_STMT_SLOTS];
	unsigned nstmts; /* slots in use */
};

static lc_err db_connect(struct db *);
static lc_err db_causal_barrier(struct db *);
static lc_err db_tx_alive(struct db *);
static void db_disconnect(struct db *);
static void db_stmts_close(struct db *);
static lc_err db_classify(struct db *, unsigned, const char *, int);
static int db_node_away(struct db *);
static void db_pause(struct db *, unsigned);
static time_t db_now(void);
static lc_err db_prepare(struct db *, const char *, MYSQL_STMT **);
static lc_err db_bind_params(MYSQL_STMT *, const struct db_param *, size_t, MYSQL_BIND *);
static lc_err db_run(struct db *, const char *, const struct db_param *, size_t, struct db_rows *,
    uint64_t *, uint64_t *);
static lc_err db_fetch_all(struct db *, MYSQL_STMT *, struct db_rows *);
static lc_err db_doom(struct db *, lc_err);
static lc_err db_tx_joined(struct db *, lc_err (*)(struct db *, void *), void *);

struct db *
db_new(const struct config *cfg)
{
	struct db *db = calloc(1, sizeof(*db));
	char why[160] = "database.writer is not one host[:port]";

	if (db == NULL)
		return NULL;
	db->cfg = cfg;
	db->rnd = (uint32_t)getpid() ^ (uint32_t)time(NULL) ^ (uint32_t)(uintptr_t)db;
	/* config_load checked both keys; a list that still fails here is a bug, and the
	 * single host keeps the process usable */
	if (cfg->db_hosts[0] &&
	    (hostlist_parse(
	         cfg->db_hosts, db->hosts, HOSTLIST_MAX, &db->nhosts, why, sizeof(why)) != LC_OK ||
	        hostlist_order(db->hosts, &db->nhosts, HOSTLIST_MAX, cfg->db_writer,
	            cfg->db_port ? cfg->db_port : 3306) != LC_OK)) {
		log_msg(LOG_ERROR, "database.hosts unusable (%s); using database.host", why);
		db->nhosts = 0;
	}
	snprintf(db->init, sizeof(db->init),
	    "SET time_zone='+00:00', sql_mode='STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'");
	if (cfg->db_sync_wait > 0) {
		size_t used = strlen(db->init);
		snprintf(db->init + used, sizeof(db->init) - used, ", wsrep_sync_wait=%u",
		    cfg->db_sync_wait);
	}
	return db;
}

static time_t
db_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* db_pause sleeps before the retry that follows attempt failures. */
static void
db_pause(struct db *db, unsigned attempt)
{
	unsigned ms = db_backoff_ms(attempt, DB_RETRY_BASE_MS, DB_RETRY_CAP_MS, db_rand(&db->rnd));
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0)
		; /* a signal cuts the pause short: sleep the rest */
}

/* db_stmts_close closes every cached statement and empties the cache. */
static void
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

static void
db_disconnect(struct db *db)
{
	db_stmts_close(db);
	if (db->conn)
		mysql_close(db->conn);
	db->conn = NULL;
	db->in_tx = 0;
}

/* db_next_host moves to the next host of the list (the connection is already closed). */
static void
db_next_host(struct db *db)
{
	if (db->nhosts < 2)
		return;
	db->cur = (db->cur + 1) % db->nhosts;
	if (db->cur != 0)
		db->failed = db_now();
}

/* db_failback goes back to the writer, between transactions, some time after a failover,
 * so that the writes of every process meet on one node again once it is back. */
static void
db_failback(struct db *db)
{
	if (db->nhosts < 2 || db->cur == 0 || db_now() - db->failed < DB_FAILBACK_SECONDS)
		return;
	db_disconnect(db);
	db->cur = 0;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_disconnect(db);
	free(db);
}

/* db_connect_one opens a connection to host:port, or to the socket when host is NULL. */
static lc_err
db_connect_one(struct db *db, const char *host, unsigned port, const char *sock)
{
	const struct config *c = db->cfg;
	unsigned timeout = 2;
	my_bool on = 1;

	if ((db->conn = mysql_init(NULL)) == NULL)
		return LC_ENOMEM;
	mysql_options(db->conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	timeout = 30;
	mysql_options(db->conn, MYSQL_OPT_READ_TIMEOUT, &timeout);
	mysql_options(db->conn, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	mysql_options(db->conn, MYSQL_REPORT_DATA_TRUNCATION, &on);
	mysql_options(db->conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(db->conn, MYSQL_INIT_COMMAND, db->init);
	if (mysql_real_connect(db->conn, host, c->db_user, c->db_password, c->db_name, port, sock,
	        CLIENT_FOUND_ROWS) == NULL) {
		snprintf(db->error, sizeof(db->error), "%u: %s", mysql_errno(db->conn),
		    mysql_error(db->conn));
		mysql_close(db->conn);
		db->conn = NULL;
		return LC_EDBDOWN;
	}
	return LC_OK;
}

/* db_causal_barrier makes a new connection to a node of the cluster see every transaction
 * the cluster committed before it: one causal read (wsrep_sync_wait=1) waits until the node
 * has applied them, then the session goes back to the configured sync_wait. A process
 * arriving on a node after a failover (or back on the writer after one) otherwise may not
 * find the rows it wrote a moment ago on the node it left: Galera applies other nodes'
 * write sets asynchronously, and a request retried there answered 404 for its own row
 * (docs/scaling.md). A SELECT without a table waits too (MariaDB's own Galera tests rely on
 * it), so this works on an empty database before `linkcamp migrate`. A server without
 * wsrep knows the variable and ignores it. An error is classified as any statement's is
 * (a node that cannot serve us is dropped and the next one is in use). */
static lc_err
db_causal_barrier(struct db *db)
{
	char reset[48];
	const char *step[3] = {"SET SESSION wsrep_sync_wait = 1", "SELECT 1", reset};
	size_t i;

	snprintf(reset, sizeof(reset), "SET SESSION wsrep_sync_wait = %u", db->cfg->db_sync_wait);
	for (i = 0; i < 3; i++) {
		MYSQL_RES *res;

		if (mysql_real_query(db->conn, step[i], strlen(step[i])) != 0) {
			unsigned err = mysql_errno(db->conn);

			return db_classify(db, err, mysql_error(db->conn), 0);
		}
		if ((res = mysql_store_result(db->conn)) != NULL)
			mysql_free_result(res);
		else if (mysql_field_count(db->conn) != 0)
			return db_classify(db, mysql_errno(db->conn), mysql_error(db->conn), 0);
	}
	return LC_OK;
}

/* db_connect connects when not connected: to the single host or socket, or to the host
 * of the list in use, then each next one, once round the list. */
static lc_err
db_connect(struct db *db)
{
	const struct config *c = db->cfg;
	size_t tried;
	lc_err e = LC_EDBDOWN;

	if (db->conn)
		return LC_OK;
	if (db->nhosts == 0)
		return db_connect_one(db, c->db_socket[0] ? NULL : c->db_host, c->db_port,
		    c->db_socket[0] ? c->db_socket : NULL);
	for (tried = 0; tried < db->nhosts; tried++) {
		const struct hostport *h = &db->hosts[db->cur];

		e = db_connect_one(
		    db, h->host, h->port ? h->port : (c->db_port ? c->db_port : 3306), NULL);
		if (e == LC_OK) {
			/* a node that fails the barrier was dropped and the next one chosen */
			if ((e = db_causal_barrier(db)) == LC_EDBDOWN)
				continue;
			if (e != LC_OK) {
				db_disconnect(db);
				return e;
			}
			if (db->cur != 0)
				log_msg(LOG_WARN, "database: writer %s unavailable, using %s:%u",
				    db->hosts[0].host, h->host, h->port);
			return LC_OK;
		}
		if (e != LC_EDBDOWN)
			return e;
		log_msg(LOG_WARN, "database: cannot connect to %s:%u (%s)", h->host, h->port,
		    db->error);
		db_next_host(db);
	}
	return e;
}

/* db_node_away asks the server whether it is a Galera node cut off from the primary
 * component (wsrep_cluster_status "non-Primary"). Such a node answers a statement that
 * reads a table with 1047, but a causal wait (wsrep_sync_wait: START TRANSACTION, the
 * barrier's SELECT 1) at once with 1205, "lock wait timeout": retried in place, a
 * transaction failed that way 40 times in a row, and the barrier kept the process on the
 * node (docs/scaling.md). SHOW STATUS does not wait, so it can ask. Not wsrep_ready: a
 * server without Galera says OFF there too (its cluster status is "Disconnected"). 1 when
 * the node is cut off; 0 otherwise, also when the question itself fails. */
static int
db_node_away(struct db *db)
{
	static const char sql[] = "SHOW STATUS LIKE 'wsrep_cluster_status'";
	MYSQL_RES *res;
	MYSQL_ROW row;
	int away = 0;

	if (db->conn == NULL || mysql_real_query(db->conn, sql, sizeof(sql) - 1) != 0)
		return 0;
	if ((res = mysql_store_result(db->conn)) == NULL)
		return 0;
	if (mysql_num_fields(res) >= 2 && (row = mysql_fetch_row(res)) != NULL && row[1] &&
	    strcmp(row[1], "non-Primary") == 0)
		away = 1;
	mysql_free_result(res);
	return away;
}

/* db_classify maps a client/server error number to our error (retry.c) and drops the
 * connection when the server cannot serve us, so the next call reconnects, to the next
 * host when there are several, and re-prepares. on_commit: the error came from COMMIT.
 * A lock wait timeout from a node that is not ready is "down", not contention. */
static lc_err
db_classify(struct db *db, unsigned err, const char *msg, int on_commit)
{
	enum db_errclass class = db_errclass_of(err, on_commit);

	snprintf(db->error, sizeof(db->error), "%u: %s", err, msg ? msg : "");
	if (class == DBE_RETRY && err == ER_LOCK_WAIT_TIMEOUT && !on_commit && db_node_away(db))
		class = DBE_DOWN;
	switch (class) {
	case DBE_DOWN:
		log_msg(LOG_WARN, "database unavailable: %s", db->error);
		db_disconnect(db);
		db_next_host(db);
		return LC_EDBDOWN;
	case DBE_RETRY: return LC_ERETRY;
	case DBE_DUP: return LC_ECONFLICT;
	case DBE_NOMEM: return LC_ENOMEM;
	case DBE_OTHER: break;
	}
	log_msg(LOG_ERROR, "database error %s", db->error);
	return LC_EDB;
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

/* db_tx_alive checks, after a statement that succeeded inside a transaction, that the
 * server still has the transaction open (SERVER_STATUS_IN_TRANS of the statement's answer,
 * no round trip). Galera can roll a transaction back under us — a replicated write set
 * that conflicts with it aborts it ("brute force") — and the statements that follow would
 * then run and commit each on its own: a row written a moment before not found, half of a
 * request's writes kept. A transaction found gone dooms the request (LC_ERETRY: it is run
 * again from its start), as a deadlock reported on the statement does. */
static lc_err
db_tx_alive(struct db *db)
{
	unsigned status = 0;

	if (!db->in_tx || db->conn == NULL)
		return LC_OK;
	if (mariadb_get_infov(db->conn, MARIADB_CONNECTION_SERVER_STATUS, &status) != 0 ||
	    (status & SERVER_STATUS_IN_TRANS))
		return LC_OK;
	snprintf(db->error, sizeof(db->error), "the server rolled the transaction back");
	log_msg(LOG_WARN, "database: %s between two statements; running it again", db->error);
	db->in_tx = 0;
	return db_doom(db, LC_ERETRY);
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

/* db_tx_note logs a transaction that needed retries: how many, the last reason, and the
 * process's total, so that contention shows in the logs before it fails anything. */
static void
db_tx_note(struct db *db, unsigned retries, lc_err e)
{
	unsigned long total;

	if (retries == 0)
		return;
	total = __atomic_add_fetch(&db_retries_total, retries, __ATOMIC_RELAXED);
	if (e == LC_ERETRY)
		log_msg(LOG_WARN,
		    "transaction given up after %u tries (%s); %lu retries since start",
		    retries + 1, db->error, total);
	else
		log_msg(LOG_INFO, "transaction retried %u times (last %s); %lu retries since start",
		    retries, db->error, total);
}

lc_err
db_tx(struct db *db, lc_err (*fn)(struct db *, void *), void *arg)
{
	unsigned retries = 0, down = 0, down_max = db->nhosts > 1 ? (unsigned)db->nhosts : 1;
	lc_err e = LC_EDB;
	int committing;

	if (db->outer)
		return db_tx_joined(db, fn, arg);
	db_failback(db);
	for (;;) {
		committing = 0;
		if ((e = db_connect(db)) == LC_OK) {
			if (mysql_query(db->conn, "START TRANSACTION") != 0) {
				e = db_classify(
				    db, mysql_errno(db->conn), mysql_error(db->conn), 0);
			} else {
				db->in_tx = 1;
				e = fn(db, arg);
				if (e == LC_OK) {
					committing = 1;
					if (mysql_commit(db->conn) != 0)
						e = db_classify(db, mysql_errno(db->conn),
						    mysql_error(db->conn), 1);
				} else if (db->conn) {
					mysql_rollback(db->conn);
				}
				db->in_tx = 0;
			}
		}
		if (e == LC_ERETRY && retries + 1 < DB_RETRY_LIMIT) {
			db_pause(db, ++retries);
			continue;
		}
		/* a connection lost before COMMIT lost the transaction with it: run it again on
		 * the next host. One lost during COMMIT may have committed, so it is not run again;
		 * the caller hears LC_EDBDOWN (every claim is fenced, every API write idempotent).
		 */
		if (e == LC_EDBDOWN && !committing && down++ < down_max)
			continue;
		break;
	}
	db_tx_note(db, retries, e);
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
	for (attempt = 0; attempt < DB_SAVEPOINT_ATTEMPTS; attempt++) {
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
	/* the request before this one on this connection was rolled back by the server: its
	 * caller runs it again right away, so the pause that spreads the writers out is here */
	if (db->request_retries > 0)
		db_pause(db, db->request_retries);
	db_failback(db);
	for (attempt = 0; attempt < (db->nhosts > 1 ? (int)db->nhosts : 2); attempt++) {
		if ((e = db_connect(db)) != LC_OK)
			return e;
		if (mysql_query(db->conn, "START TRANSACTION") == 0) {
			db->in_tx = 1;
			db->outer = 1;
			db->depth = 0;
			db->doomed = LC_OK;
			return LC_OK;
		}
		e = db_classify(db, mysql_errno(db->conn), mysql_error(db->conn), 0);
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
			e = db_classify(db, mysql_errno(db->conn), mysql_error(db->conn), 1);
	} else if (db->conn) {
		mysql_rollback(db->conn);
	}
	if (e == LC_OK && commit && db->conn == NULL)
		e = LC_EDBDOWN;
	if (e == LC_ERETRY) {
		if (db->request_retries < DB_RETRY_LIMIT)
			db->request_retries++;
		db_tx_note(db, 1, LC_OK);
	} else {
		db->request_retries = 0;
	}
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
