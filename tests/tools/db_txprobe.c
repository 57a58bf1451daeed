/* db_txprobe.c: proves that a transaction the server rolls back under linkcamp's database
 * layer is run again whole and never half-committed (src/db/db_tx.c, db_tx_alive; issue 18).
 * Test tooling only, not installed: tests/integration/test_db_tx_alive.py runs it against
 * the test stack's MariaDB.
 *
 * On Galera a replicated write set that conflicts with an open transaction aborts it
 * between two of its statements ("brute force"); the next statement then succeeds with the
 * transaction gone, and without a check every statement after it would commit on its own.
 * One MariaDB reproduces that state deterministically: a deadlock met inside a stored
 * procedure whose handler swallows 1213. InnoDB rolls the victim's whole transaction back
 * (the victim is the lighter one: ours, which changed two rows against the rival's 49), the
 * CALL answers OK, and the answer's SERVER_STATUS_IN_TRANS is clear — what a statement
 * after a brute-force abort sees.
 *
 * usage: db_txprobe -c CONFIG
 * Runs the scenario twice — in a db_tx, and in a request transaction (db_request_begin,
 * the db_tx joined under a savepoint, run again whole on LC_ERETRY as the API does) — on
 * tables and a procedure of its own (named after its pid, dropped at the end) and writes
 * one JSON object a scenario on stdout:
 *   {"scenario": "tx", "attempts": ["retry", "ok"], "rolledBack": 1,
 *    "log": [[2, "first"], [2, "last"]], "rows": [[1, 1], [2, 1]], "result": "ok"}
 * attempts: how each run of the transaction's function ended; rolledBack: the deadlocks
 * the procedure's handler swallowed (the server's rollbacks the probe provoked); log: the
 * committed (attempt, step) rows; rows: the rows the transaction and its rival changed.
 * The test judges them. Exit 0 when every scenario ran to its end, 1 on a setup or
 * database error (a line on stderr). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "db/db.h"
#include "util/config.h"
#include "util/err.h"

#define PROBE_SQL 512
#define PROBE_ATTEMPTS 8

/* The statements of one run, built once from the probe's table names: db_exec_text takes
 * text, and the names carry the pid so that two probes never share a table. */
struct probe {
	struct db *a, *b; /* a: the transaction under test; b: its rival */
	char create_rows[PROBE_SQL], fill_rows[PROBE_SQL], create_log[PROBE_SQL];
	char create_proc[PROBE_SQL], drop_proc[PROBE_SQL], drop[PROBE_SQL];
	char reset_log[PROBE_SQL], reset_rows[PROBE_SQL];
	char rival_begin[PROBE_SQL], rival_take[PROBE_SQL];
	char mine_take[PROBE_SQL], call[PROBE_SQL];
	char read_log[PROBE_SQL], read_rows[PROBE_SQL];
	char log_first[PROBE_SQL], log_last[PROBE_SQL];
	unsigned attempt;
	const char *ends[PROBE_ATTEMPTS]; /* how each attempt of fn ended */
	int rival_started;
	pthread_t rival;
	lc_err rival_err;
};

static const char *
probe_err_name(lc_err e)
{
	switch (e) {
	case LC_OK: return "ok";
	case LC_ERETRY: return "retry";
	case LC_EDBDOWN: return "down";
	default: return "error";
	}
}

/* probe_names fills the statements for tables lc_txprobe_<pid>_{rows,log} and procedure
 * lc_txprobe_<pid>_take. -1 when one does not fit (it always does: the pid is short). */
static int
probe_names(struct probe *p)
{
	char t[64];
	long pid = (long)getpid();
	int n = 0;

	snprintf(t, sizeof(t), "lc_txprobe_%ld", pid);
#define PF(field, ...) n |= snprintf(p->field, PROBE_SQL, __VA_ARGS__) >= PROBE_SQL
	PF(create_rows,
	    "CREATE TABLE %s_rows (id INT NOT NULL PRIMARY KEY, v INT NOT NULL) "
	    "ENGINE=InnoDB",
	    t);
	PF(fill_rows, "INSERT INTO %s_rows (id, v) SELECT seq, 0 FROM seq_1_to_50", t);
	PF(create_log,
	    "CREATE TABLE %s_log (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
	    "attempt INT NOT NULL, step VARCHAR(16) NOT NULL) ENGINE=InnoDB",
	    t);
	/* the handler is what turns the server's rollback into a statement that succeeded;
	 * it counts the rollbacks in a session variable, which no rollback undoes */
	PF(create_proc,
	    "CREATE PROCEDURE %s_take() BEGIN "
	    "DECLARE CONTINUE HANDLER FOR 1213 SET @lc_txprobe = @lc_txprobe + 1; "
	    "UPDATE %s_rows SET v = v + 1 WHERE id = 2; END",
	    t, t);
	/* one statement a text: linkcamp's connections do not take multi-statements */
	PF(drop_proc, "DROP PROCEDURE IF EXISTS %s_take", t);
	PF(drop, "DROP TABLE IF EXISTS %s_rows, %s_log", t, t);
	PF(reset_log, "DELETE FROM %s_log", t);
	PF(reset_rows, "UPDATE %s_rows SET v = 0", t);
	/* the rival changes 49 rows: InnoDB rolls back the transaction that did less */
	PF(rival_begin, "UPDATE %s_rows SET v = v + 1 WHERE id >= 2", t);
	PF(rival_take, "UPDATE %s_rows SET v = v + 1 WHERE id = 1", t);
	PF(mine_take, "UPDATE %s_rows SET v = v + 1 WHERE id = 1", t);
	PF(call, "CALL %s_take()", t);
	PF(read_log, "SELECT attempt, step FROM %s_log ORDER BY id", t);
	PF(read_rows, "SELECT id, v FROM %s_rows WHERE v <> 0 ORDER BY id", t);
	PF(log_first, "INSERT INTO %s_log (attempt, step) VALUES (@lc_txprobe_attempt, 'first')",
	    t);
	PF(log_last, "INSERT INTO %s_log (attempt, step) VALUES (@lc_txprobe_attempt, 'last')", t);
#undef PF
	return n ? -1 : 0;
}

/* probe_rival runs in its own thread: the rival's request for row 1, which waits for the
 * transaction under test and closes the cycle (or is waited for by it), then its rollback.
 * The rival holds 49 rows, so InnoDB picks the transaction under test as the victim. */
static void *
probe_rival(void *arg)
{
	struct probe *p = arg;
	lc_err e;

	db_thread_init();
	e = db_exec_text(p->b, p->rival_take);
	(void)db_request_end(p->b, 0);
	p->rival_err = e;
	db_thread_end();
	return NULL;
}

/* probe_fn is the transaction under test: a log row, row 1, then (CALL) row 2, then a last
 * log row. On its first run the rival holds row 2 and wants row 1: the server rolls this
 * transaction back inside the CALL, which still answers OK. A layer that did not notice
 * would run the last INSERT on its own and commit it (a half transaction). */
static lc_err
probe_fn(struct db *db, void *arg)
{
	struct probe *p = arg;
	char set[64];
	lc_err e;

	p->attempt++;
	snprintf(set, sizeof(set), "SET @lc_txprobe_attempt = %u", p->attempt);
	if ((e = db_exec_text(db, set)) == LC_OK && (e = db_exec_text(db, p->log_first)) == LC_OK &&
	    (e = db_exec_text(db, p->mine_take)) == LC_OK) {
		if (!p->rival_started) {
			if (pthread_create(&p->rival, NULL, probe_rival, p) != 0) {
				e = LC_EIO;
				goto out;
			}
			p->rival_started = 1;
		}
		if ((e = db_exec_text(db, p->call)) == LC_OK)
			e = db_exec_text(db, p->log_last);
	}
out:
	if (p->attempt <= PROBE_ATTEMPTS)
		p->ends[p->attempt - 1] = probe_err_name(e);
	/* the next attempt's UPDATE of row 1 waits, if need be, for the rival's rollback,
	 * which follows at once once this attempt has been rolled back */
	return e;
}

/* probe_json_rows turns a two-column result into [[a, b], ...] (b as an integer or text). */
static json_t *
probe_json_rows(const struct db_rows *r, int text_second)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < r->nrows; i++) {
		json_t *second = text_second ? json_string(db_str(r, i, 1) ? db_str(r, i, 1) : "")
		                             : json_integer(db_i64(r, i, 1));
		json_array_append_new(a, json_pack("[Io]", (json_int_t)db_i64(r, i, 0), second));
	}
	return a;
}

/* probe_run runs one scenario (request != 0: inside a request transaction) and prints its
 * object. Returns 0, or -1 on a database error outside the transaction under test. */
static int
probe_run(struct probe *p, int request)
{
	struct db_rows r;
	json_t *out, *ends;
	lc_err e;
	unsigned i, runs = 0;

	p->attempt = 0;
	p->rival_started = 0;
	p->rival_err = LC_OK;
	if (db_exec_text(p->a, p->reset_log) != LC_OK ||
	    db_exec_text(p->a, p->reset_rows) != LC_OK ||
	    db_exec_text(p->a, "SET @lc_txprobe = 0") != LC_OK || db_request_begin(p->b) != LC_OK ||
	    db_exec_text(p->b, p->rival_begin) != LC_OK) {
		fprintf(stderr, "db_txprobe: setting up: %s\n", db_last_error(p->a));
		return -1;
	}
	if (!request) {
		e = db_tx(p->a, probe_fn, p);
	} else {
		/* as the API runs a request: all of it again while the server rolled it back */
		do {
			if ((e = db_request_begin(p->a)) != LC_OK)
				break;
			(void)db_tx(p->a, probe_fn, p);
			e = db_request_end(p->a, 1);
		} while (e == LC_ERETRY && ++runs < PROBE_ATTEMPTS);
	}
	if (p->rival_started)
		pthread_join(p->rival, NULL);
	else
		(void)db_request_end(p->b, 0);

	out = json_pack("{ss ss ss}", "scenario", request ? "request" : "tx", "result",
	    probe_err_name(e), "rival", probe_err_name(p->rival_err));
	ends = json_array();
	for (i = 0; i < p->attempt && i < PROBE_ATTEMPTS; i++)
		json_array_append_new(ends, json_string(p->ends[i]));
	json_object_set_new(out, "attempts", ends);
	if (db_query(p->a, "SELECT @lc_txprobe", NULL, 0, &r) == LC_OK) {
		json_object_set_new(
		    out, "rolledBack", json_integer(r.nrows ? db_i64(&r, 0, 0) : -1));
		db_rows_free(&r);
	}
	if (db_query(p->a, p->read_log, NULL, 0, &r) == LC_OK) {
		json_object_set_new(out, "log", probe_json_rows(&r, 1));
		db_rows_free(&r);
	}
	if (db_query(p->a, p->read_rows, NULL, 0, &r) == LC_OK) {
		json_object_set_new(out, "rows", probe_json_rows(&r, 0));
		db_rows_free(&r);
	}
	if (json_dumpf(out, stdout, JSON_COMPACT) == 0)
		fputc('\n', stdout);
	json_decref(out);
	return 0;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct probe *p;
	char why[256];
	int rc = 1;

	if (argc != 3 || strcmp(argv[1], "-c") != 0) {
		fprintf(stderr, "usage: db_txprobe -c CONFIG\n");
		return 2;
	}
	if (config_load(&cfg, argv[2], why, sizeof(why)) != LC_OK) {
		fprintf(stderr, "db_txprobe: %s\n", why);
		return 1;
	}
	if (db_library_init() != 0) {
		fprintf(stderr, "db_txprobe: the MySQL client library did not start\n");
		return 1;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL || probe_names(p) != 0 ||
	    (p->a = db_new(&cfg)) == NULL || (p->b = db_new(&cfg)) == NULL) {
		fprintf(stderr, "db_txprobe: out of memory\n");
		goto done;
	}
	if (db_exec_text(p->a, p->drop_proc) != LC_OK || db_exec_text(p->a, p->drop) != LC_OK ||
	    db_exec_text(p->a, p->create_rows) != LC_OK ||
	    db_exec_text(p->a, p->fill_rows) != LC_OK ||
	    db_exec_text(p->a, p->create_log) != LC_OK ||
	    db_exec_text(p->a, p->create_proc) != LC_OK) {
		fprintf(stderr, "db_txprobe: creating its tables: %s\n", db_last_error(p->a));
		goto done;
	}
	if (probe_run(p, 0) == 0 && probe_run(p, 1) == 0)
		rc = 0;
	if (db_exec_text(p->a, p->drop_proc) != LC_OK || db_exec_text(p->a, p->drop) != LC_OK) {
		fprintf(stderr, "db_txprobe: dropping its tables: %s\n", db_last_error(p->a));
		rc = 1;
	}
done:
	if (p) {
		db_free(p->b);
		db_free(p->a);
		free(p);
	}
	db_library_end();
	return rc;
}
