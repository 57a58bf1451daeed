/* invocations.c: the record of an API/MCP action that costs or waits. */
#include <string.h>

#include "core/sending.h"
#include "db/store_outbox.h"
#include "util/timefmt.h"
static void
invocation_from_row(const struct db_rows *rows, size_t i, void *item)
{
	struct invocation *out = item;

	out->public_id = db_str(rows, i, INV_COL_PUBLIC);
	out->action = db_str(rows, i, INV_COL_ACTION);
	out->status = (unsigned)db_i64(rows, i, INV_COL_STATUS);
	out->credits_reserved = (unsigned)db_i64(rows, i, INV_COL_RESERVED);
	out->credits_charged = (unsigned)db_i64(rows, i, INV_COL_CHARGED);
	out->created_ms = db_ms(rows, i, INV_COL_CREATED);
	out->message_public_id = db_str(rows, i, INV_COL_MSG_PUBLIC);
	out->message_status = (unsigned)db_i64(rows, i, INV_COL_MSG_STATUS);
	out->schedule_ms = db_ms(rows, i, INV_COL_MSG_SCHEDULE);
	out->event_public_id = db_str(rows, i, INV_COL_EVENT_PUBLIC);
	out->event_type = db_str(rows, i, INV_COL_EVENT_TYPE);
	out->event_ms = db_ms(rows, i, INV_COL_EVENT_AT);
	out->event_campaign_id = db_str(rows, i, INV_COL_EVENT_CAMPAIGN);
	out->event_relationship_id = db_str(rows, i, INV_COL_EVENT_REL);
	out->message_held_reason =
	    out->message_status == MS_HELD ? (unsigned)db_i64(rows, i, INV_COL_MSG_HELD_REASON) : 0;
	out->message_next_slot_ms =
	    out->message_status == MS_HELD ? db_ms(rows, i, INV_COL_MSG_NEXT_SLOT) : -1;
}

lc_err
invocations_get(
    struct core *core, const struct principal *who, const char *public_id, struct page *v)
{
	static const struct page_spec spec = {sizeof(struct invocation), invocation_from_row, 0, 0};
	lc_err e;

	memset(v, 0, sizeof(*v));
	if (!id_has_shape("inv_", public_id, strlen(public_id)))
		return LC_ENOTFOUND;
	if ((e = store_inv_get(core->db, who->workspace_id, public_id, &v->rows)) != LC_OK ||
	    (e = page_one(v, &spec)) != LC_OK)
		page_free(v);
	return e;
}
