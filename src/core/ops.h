/* ops.h: what the operator's /metrics reads from the database — backlogs, not history. */
#ifndef LC_OPS_H
#define LC_OPS_H

#include <stdint.h>

#include "core/core.h"

/* The unsettled message statuses the backlog counts, in the order of ops_backlog.msg. */
#define OPS_MSG_STATES 5
extern const unsigned ops_msg_status[OPS_MSG_STATES];

struct ops_backlog {
	uint64_t msg[OPS_MSG_STATES]; /* messages per status of ops_msg_status */
	int64_t msg_oldest_due_ms;    /* earliest due_at of a claimable message; -1: none */
	uint64_t webhook_pending, webhook_sending;
	int64_t webhook_oldest_due_ms; /* earliest due_at of a pending delivery; -1: none */
	uint64_t placement_due, placement_checking;
};

/* ops_backlog_read fills out with a handful of index reads (store_ops.c); it never scans
 * history. Errors: the store's (LC_EDBDOWN when the database does not answer). */
lc_err ops_backlog_read(struct core *core, struct ops_backlog *out);

#endif
