/* fuzz_mcp.h: the MCP server the mcp targets (fuzz_mcp.c, fuzz_mcp_stdio.c) run: the real
 * front (mcp_handle, tools through mcp_call_api) over the core of fuzz_core.h, acting for
 * workspace 1 as an approver. Header-only, like fuzz.h. */
#ifndef LC_FUZZ_MCP_H
#define LC_FUZZ_MCP_H

#include <stdio.h>

#include "fuzz_core.h"
#include "mcp/mcp.h"
#include "util/config.h"

struct fuzz_mcp {
	struct config cfg; /* outlives core, which keeps it */
	struct core core;
	struct mcp_caller caller;
	struct mcp_server srv;
};

/* fuzz_mcp_init sets m (the target's own, zeroed, static) up the first time it is called
 * and does nothing after. */
static inline void
fuzz_mcp_init(struct fuzz_mcp *m)
{
	if (!fuzz_core_init(&m->core, &m->cfg))
		return;
	m->caller.core = &m->core;
	m->caller.who.account_id = 1;
	m->caller.who.workspace_id = 1;
	m->caller.who.can_approve = 1;
	snprintf(m->caller.who.workspace_public, sizeof(m->caller.who.workspace_public), "ws_fuzz");
	m->caller.request_id = "req_fuzz";
	m->srv.dotted_names = 0;
	m->srv.call = mcp_call_api;
	m->srv.arg = &m->caller;
}

#endif
