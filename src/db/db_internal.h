/* db_internal.h: what the files of the database layer share and nothing else includes: the
 * connection handle and the helpers one of them defines and another calls. db.c connects,
 * fails over and classifies errors; db_stmt.c caches, binds and runs statements and fetches
 * their rows; db_tx.c holds transactions and the request transaction. db_rows.c, which
 * reads a result's cells, needs none of it. These three and this header are the only files
 * of src/ that include <mysql.h>. */
#ifndef LC_DB_INTERNAL_H
#define LC_DB_INTERNAL_H

#include <stdint.h>
#include <time.h>
#include <mysql.h>

#include "db/db.h"
#include "util/hostlist.h"

/* The prepared statements a connection keeps, by their SQL's address (statements are static
 * strings): a table of DB_STMT_SLOTS, at most DB_STMT_LIVE at once. src/db has about 300
 * statements and a long-lived connection (an fcgi thread) meets most of them in time; the
 * server's max_prepared_stmt_count (16,382 by default) is shared by every connection of
 * every host, so the cache starts over, closing all it holds, when it reaches DB_STMT_LIVE
 * rather than growing without bound. */
#define DB_STMT_SLOTS 512
#define DB_STMT_LIVE 384

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

/* db_connect (db.c) connects when not connected: to the single host or socket, or to the
 * host of the list in use, then each next one, once round the list; a node of a cluster is
 * used only once it has passed the causal barrier. LC_OK at once when connected. Errors:
 * LC_EDBDOWN when no host answers (db->error says why), LC_ENOMEM, or the barrier's error
 * as db_classify gives it. */
lc_err db_connect(struct db *db);

/* db_classify (db.c) maps the client/server error err (message msg, may be NULL) to our
 * error and writes "err: msg" into db->error. on_commit: the error came from COMMIT.
 * LC_EDBDOWN when the server cannot serve us: the connection is closed (the statement cache
 * with it) and the next host of the list is in use; LC_ERETRY, LC_ECONFLICT (a duplicate
 * key), LC_ENOMEM, or LC_EDB (logged as an error). */
lc_err db_classify(struct db *db, unsigned err, const char *msg, int on_commit);

/* db_pause (db.c) sleeps the jittered, growing pause (db/retry.h) before the try that
 * follows attempt failures (attempt >= 1). */
void db_pause(struct db *db, unsigned attempt);

/* db_failback (db.c) closes a connection to another host than the writer once
 * DB_FAILBACK_SECONDS have passed since the failover, so that the next connection goes to
 * the writer. Call it only between transactions. */
void db_failback(struct db *db);

/* db_stmts_close (db_stmt.c) closes every statement the connection has cached and empties
 * the cache; the connection stays open. */
void db_stmts_close(struct db *db);

/* db_doom (db_tx.c) ends the request transaction when e says the server rolled it back,
 * may have, or lost it with the connection (LC_ERETRY, LC_EDBDOWN): every later statement
 * of the request returns e without running. Outside a request transaction it does nothing.
 * Returns e. */
lc_err db_doom(struct db *db, lc_err e);

/* db_tx_alive (db_tx.c) checks, after a statement that succeeded inside a transaction,
 * that the server still has the transaction open (no round trip). LC_OK when it does or
 * when no transaction is open; LC_ERETRY when the server rolled it back: in_tx is cleared,
 * a request transaction is doomed, db->error says so. */
lc_err db_tx_alive(struct db *db);

#endif
