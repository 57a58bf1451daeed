/* mailbox_test.c: connection tests of sender mailboxes. The FastCGI processes never talk
 * SMTP and never decrypt a password, so a test is a row a worker claims, runs and
 * answers (src/mailbox_run.c); the API waits for the answer. */
#include <stdlib.h>
#include <string.h>

#include "core/mailbox.h"
#include "db/store_mailboxes.h"
#include "util/timefmt.h"

struct queue_tx {
	const struct principal *who;
	const char *public_id;
	char *test_id;
};

struct claim_tx {
	int64_t test_id, mailbox_id;
};

static lc_err queue_tx(struct db *, void *);
static lc_err claim_tx(struct db *, void *);

static lc_err
queue_tx(struct db *db, void *arg)
{
	struct queue_tx *t = arg;
	char now[TIME_SQL_LEN];
	struct db_rows r;
	int64_t id;
	lc_err e;

	sqltime_format(now_ms(), now);
	if ((e = store_mailbox_find(db, t->who->workspace_id, t->public_id, 0, now, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_ENOTFOUND;
	}
	id = db_i64(&r, 0, MBX_COL_ID);
	db_rows_free(&r);
	id_new("mbt_", t->test_id);
	return store_mailbox_test_insert(db, t->test_id, id, t->who->workspace_id, now);
}

lc_err
mailbox_test_queue(
    struct core *core, const struct principal *who, const char *public_id, char test_id[ID_MAX])
{
	struct queue_tx t = {who, public_id, test_id};

	return db_tx(core->db, queue_tx, &t);
}

lc_err
mailbox_test_result(struct core *core, const struct principal *who, const char *test_id, int *done,
    int *ok, char **result)
{
	struct db_rows r;
	const char *s;
	lc_err e;

	*done = *ok = 0;
	*result = NULL;
	if ((e = store_mailbox_test_get(core->db, who->workspace_id, test_id, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_ENOTFOUND;
	}
	if (db_i64(&r, 0, MBT_COL_STATE) == 2 && (s = db_str(&r, 0, MBT_COL_RESULT)) != NULL) {
		*done = 1;
		*ok = db_i64(&r, 0, MBT_COL_OK) != 0;
		if ((*result = strdup(s)) == NULL)
			e = LC_ENOMEM;
	}
	db_rows_free(&r);
	return e;
}

static lc_err
claim_tx(struct db *db, void *arg)
{
	struct claim_tx *t = arg;
	char now[TIME_SQL_LEN];
	struct db_rows r;
	lc_err e;

	t->test_id = t->mailbox_id = 0;
	sqltime_format(now_ms(), now);
	if ((e = store_mailbox_test_claim(db, now, &r)) != LC_OK)
		return e;
	if (r.nrows == 1) {
		t->test_id = db_i64(&r, 0, MBT_COL_ID);
		t->mailbox_id = db_i64(&r, 0, MBT_COL_MAILBOX);
	}
	db_rows_free(&r);
	return LC_OK;
}

lc_err
mailbox_test_claim(struct core *core, int64_t *test_row_id, int64_t *mailbox_id)
{
	struct claim_tx t = {0, 0};
	lc_err e = db_tx(core->db, claim_tx, &t);

	*test_row_id = e == LC_OK ? t.test_id : 0;
	*mailbox_id = e == LC_OK ? t.mailbox_id : 0;
	return e;
}

lc_err
mailbox_test_finish(struct core *core, int64_t test_row_id, int ok, const char *result)
{
	char now[TIME_SQL_LEN];

	sqltime_format(now_ms(), now);
	return store_mailbox_test_finish(core->db, test_row_id, ok, result, now);
}
