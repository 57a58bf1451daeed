/* ready.c: readiness means the database answers; a program may start only on a
 * database whose schema is the one its sql/ directory describes. */
#include <stdio.h>

#include "core/core.h"
#include "db/migrate.h"

lc_err
core_ready(struct core *core)
{
	return db_ping(core->db);
}

/* Why a refusal and not a wait: `linkcamp migrate` is one deploy step run against the
 * writer. A linkcamp-fcgi or worker of the new version started before it would run its
 * statements against the old tables (and, on a Galera cluster, GET_LOCK is node-local,
 * so nothing would stop two hosts from migrating at once if starting migrated). Starting
 * is refused with the command to run; the process manager restarts it after the step.
 * A database that cannot be reached is not a refusal: the programs already start without
 * one and answer 503 until it is back, and that is checked again then by nobody — the
 * deploy step is what keeps the schema current, this check only stops the race. */
lc_err
core_schema_check(const struct config *cfg, char *why, size_t why_len)
{
	struct db *db;
	char first[128] = "";
	int pending = 0;
	lc_err e;

	why[0] = '\0';
	if ((db = db_new(cfg)) == NULL)
		return LC_ENOMEM;
	e = migrate_pending(db, cfg->sql_dir, &pending, first, sizeof(first));
	if (e == LC_EDBDOWN || e == LC_ERETRY) {
		snprintf(why, why_len, "database not reachable: schema not checked");
		e = LC_OK;
	} else if (e != LC_OK) {
		snprintf(why, why_len,
		    "cannot read the applied migrations (%s: %s): run "
		    "`linkcamp migrate` first",
		    lc_strerror(e), db_last_error(db));
	} else if (pending > 0) {
		snprintf(why, why_len,
		    "%d migration(s) pending, first %s: run `linkcamp migrate` "
		    "first (it is the deploy step; the programs never migrate)",
		    pending, first);
		e = LC_ECONFLICT;
	}
	db_free(db);
	return e;
}
