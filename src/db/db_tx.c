/* db_tx.c: transactions: db_tx with its retries, a db_tx joined to the request
 * transaction under a savepoint, the request transaction itself (db_request_begin/end and
 * the error that dooms it), the check that the server has not rolled one back under us,
 * and the log of retries. */
#include <stdio.h>

#include "db/db_internal.h"
#include "db/retry.h"
#include "util/log.h"

#define DB_SAVEPOINT_ATTEMPTS 5 /* a joined db_tx that asks for a retry itself */

/* Retries of whole transactions since the process started, all connections together: the
 * logs show it, so that a busy cluster is seen before it becomes a failing one. */
static unsigned long db_retries_total;

static lc_err db_tx_joined(struct db *, lc_err (*)(struct db *, void *), void *);

/* db_tx_alive checks, after a statement that succeeded inside a transaction, that the
 * server still has the transaction open (SERVER_STATUS_IN_TRANS of the statement's answer,
 * no round trip). Galera can roll a transaction back under us — a replicated write set
 * that conflicts with it aborts it ("brute force") — and the statements that follow would
 * then run and commit each on its own: a row written a moment before not found, half of a
 * request's writes kept. A transaction found gone dooms the request (LC_ERETRY: it is run
 * again from its start), as a deadlock reported on the statement does. */
lc_err
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
lc_err
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
