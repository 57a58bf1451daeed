/* mailbox_pause.c: a person pausing a mailbox by hand (docs/mailboxes.md, "Health").
 * A pause by hand is the pause the worker makes after an AUTH failure or repeated policy
 * refusals (mailbox_auth_failed_tx): the mailbox's due messages are held with
 * mailbox_paused, link_building.mailbox.paused goes out with the reason, and only an
 * explicit resume (mailboxes_resume) sends again. */
#include <stdio.h>
#include <string.h>

#include "core/mailbox.h"
#include "db/store_mailboxes.h"
#include "util/timefmt.h"
#include "util/utf8.h"

struct pause_tx {
	const struct principal *who;
	const char *public_id, *by, *reason;
	struct core_fail *fail;
};

/* reason_ok: one line of at most 200 characters of valid UTF-8, no control characters
 * (it is shown on pages, sent in a webhook and read in a timeline). */
static int
reason_ok(const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return utf8_valid(s, n) && utf8_chars(s, n) <= 200;
}

static lc_err
pause_tx(struct db *db, void *arg)
{
	struct pause_tx *t = arg;
	char day[TIME_SQL_LEN], why[MAILBOX_TEXT_MAX + 1];
	struct db_rows r;
	int64_t id, now = now_ms();
	unsigned status;
	lc_err e;

	sqltime_format(now - now % (INT64_C(86400) * 1000), day);
	if ((e = store_mailbox_find(db, t->who->workspace_id, t->public_id, 1, day, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_ENOTFOUND;
	}
	id = db_i64(&r, 0, MBX_COL_ID);
	status = (unsigned)db_i64(&r, 0, MBX_COL_STATUS);
	db_rows_free(&r);
	if (status == MBX_PAUSED) {
		t->fail->code = "already_paused";
		t->fail->detail = "This mailbox is paused already.";
		return LC_ECONFLICT;
	}
	if (t->reason && t->reason[0])
		snprintf(why, sizeof(why), "paused by %s: %s", t->by, t->reason);
	else
		snprintf(why, sizeof(why), "paused by %s", t->by);
	why[utf8_prefix(why, sizeof(why) - 1)] = '\0'; /* cut at a character */
	return mailbox_auth_failed_tx(db, id, why, now);
}

lc_err
mailboxes_pause(struct core *core, const struct principal *who, const char *public_id,
    const char *by, const char *reason, struct core_fail *fail)
{
	struct pause_tx t = {who, public_id, by, reason, fail};

	if (reason && !reason_ok(reason)) {
		fail->code = "validation_failed";
		fail->param = "reason";
		fail->detail = "A reason is one line of at most 200 characters.";
		return LC_EINVAL;
	}
	return db_tx(core->db, pause_tx, &t);
}
