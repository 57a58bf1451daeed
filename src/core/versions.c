/* versions.c: the rule behind the API's response cache. A workspace's data version
 * (workspaces.data_version) moves in the same transaction as every change to what the
 * campaign endpoints show: events_record() (counters, stamps, day aggregates, notes,
 * campaign status), and prospects added without an event. A reader that reads the
 * version first and the data after can therefore keep what it built under that version:
 * any later change moves the version before it becomes visible. A transaction that
 * moves a message's credits and records its event moves the version with the credits
 * (store_credit_move_touch, WS_VERSION_MOVE_SQL) and records the event with version_moved:
 * the workspace row written once, the version moved once, as here. */
#include "core/core.h"
#include "db/store_accounts.h"

lc_err
data_changed_tx(struct db *db, int64_t workspace_id, int contacted)
{
	/* one statement on the row every writer of the workspace waits for */
	return store_workspace_touch(db, workspace_id, contacted);
}

lc_err
data_version(struct core *core, const struct principal *who, uint64_t *version)
{
	return store_workspace_version(core->db, who->workspace_id, version);
}
