/* db.c: one connection to MySQL/MariaDB and its life: the handle, connecting (failover
 * across [database] hosts, the causal barrier of a cluster node, going back to the writer),
 * what a server error means and the pause before a retry, and the client library's start
 * and end. The statements are db_stmt.c's, transactions db_tx.c's, a result's cells
 * db_rows.c's; what they share is db_internal.h. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "db/db_internal.h"
#include "db/retry.h"
#include "util/hostlist.h"
#include "util/log.h"

#define DB_FAILBACK_SECONDS 30 /* after a failover, how soon a transaction tries the writer */

static lc_err db_causal_barrier(struct db *);
static void db_disconnect(struct db *);
static int db_node_away(struct db *);
static time_t db_now(void);

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
void
db_pause(struct db *db, unsigned attempt)
{
	unsigned ms = db_backoff_ms(attempt, DB_RETRY_BASE_MS, DB_RETRY_CAP_MS, db_rand(&db->rnd));
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0)
		; /* a signal cuts the pause short: sleep the rest */
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
void
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
lc_err
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
lc_err
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

const char *
db_last_error(struct db *db)
{
	return db->error;
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
