/* ready.c: readiness means the database answers. */
#include "core/core.h"

lc_err
core_ready(struct core *core)
{
	return db_ping(core->db);
}
