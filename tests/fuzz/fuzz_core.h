/* fuzz_core.h: the core the front-end targets (headers, json, mcp) run against. It is the
 * real core with a database that is never there: every check before the database runs for
 * real, and a request that passes them all ends in 503. Header-only, like fuzz.h. */
#ifndef LC_FUZZ_CORE_H
#define LC_FUZZ_CORE_H

#include <stdio.h>
#include <stdlib.h>
#include <jansson.h>

#include "core/core.h"
#include "db/db.h"
#include "util/config.h"
#include "util/log.h"

static struct core *fuzz_core_at_exit; /* the core fuzz_core_fini frees the handle of */

static inline void
fuzz_core_fini(void)
{
	db_free(fuzz_core_at_exit->db);
	fuzz_core_at_exit->db = NULL;
}

/* fuzz_core_init gives core (the target's own, zeroed) a handle on a database that is never
 * there, keeps cfg (which must outlive it) and silences the logs of the expected 503s.
 * Returns 1 the first time, so the target can finish its own set-up, and 0 after. */
static inline int
fuzz_core_init(struct core *core, struct config *cfg)
{
	if (core->db != NULL)
		return 0;
	snprintf(cfg->db_socket, sizeof(cfg->db_socket), "/nonexistent/linkcamp-fuzz.sock");
	snprintf(cfg->db_user, sizeof(cfg->db_user), "fuzz");
	snprintf(cfg->db_name, sizeof(cfg->db_name), "fuzz");
	if ((core->db = db_new(cfg)) == NULL)
		abort();
	core->public_url = "https://linkcamp.example";
	log_set_level((enum log_level)(LOG_ERROR + 1));
	json_object_seed(1);
	fuzz_core_at_exit = core;
	atexit(fuzz_core_fini);
	return 1;
}

#endif
