/* opens.c: the open-tracking image. The token is a per-message random secret (128 bits),
 * so opens cannot be forged for other messages; only the first fetch counts. */
#include <string.h>

#include "core/sending.h"
#include "db/store_outbox.h"
#include "util/timefmt.h"

static lc_err open_tx(struct db *, void *);

static lc_err
open_tx(struct db *db, void *arg)
{
	const char *token = arg;
	char now[TIME_SQL_LEN];
	struct event_in ev;
	struct db_rows r;
	uint64_t changed = 0;
	unsigned status;
	lc_err e;

	if ((e = store_msg_by_open_token(db, token, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_ENOTFOUND;
	}
	status = (unsigned)db_i64(&r, 0, OPEN_COL_STATUS);
	if ((status != MS_SENT && status != MS_BOUNCED) || !db_isnull(&r, 0, OPEN_COL_OPENED)) {
		db_rows_free(&r);
		return LC_OK; /* not delivered, or opened before: nothing to count */
	}
	sqltime_format(now_ms(), now);
	if ((e = store_msg_opened(db, db_i64(&r, 0, OPEN_COL_ID), now, &changed)) == LC_OK &&
	    changed == 1) {
		memset(&ev, 0, sizeof(ev));
		ev.type = EV_EMAIL_OPENED;
		ev.workspace_id = db_i64(&r, 0, OPEN_COL_WS);
		ev.campaign_id = db_i64(&r, 0, OPEN_COL_CAMPAIGN);
		ev.relationship_id = db_i64(&r, 0, OPEN_COL_REL);
		ev.message_id = db_str(&r, 0, OPEN_COL_PUBLIC);
		ev.at_ms = now_ms();
		e = events_record(db, &ev, NULL);
	}
	db_rows_free(&r);
	return e;
}

lc_err
opens_record(struct core *core, const char *token)
{
	if (!id_has_shape("", token, strlen(token)) || strlen(token) != ID_RANDOM_CHARS)
		return LC_ENOTFOUND;
	return db_tx(core->db, open_tx, (void *)token);
}
