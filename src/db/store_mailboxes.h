/* store_mailboxes.h: SQL for sender mailboxes, the mailboxes of campaigns, the mailbox a
 * message and a thread leave from, and mailbox tests (sql/040_mailboxes.sql). The rules
 * live in src/core/mailbox*.c; these only read and write. Functions that lock say so; all
 * return db_* errors. */
#ifndef LC_STORE_MAILBOXES_H
#define LC_STORE_MAILBOXES_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"

/* One mailbox row to write; password_box is binary (box_len bytes), NULL keeps the stored
 * one on update. reply_to may be NULL. */
struct store_mailbox {
	const char *public_id;
	int64_t workspace_id;
	const char *from_name, *from_address, *reply_to, *host, *username;
	unsigned port, security, daily_cap;
	unsigned days, start_min, end_min, warmup_start, warmup_step, gap_s, jitter_s;
	const char *time_zone;
	const unsigned char *password_box;
	size_t box_len;
	int plus_reply_to; /* Reply-To carries the message's reply token (issue 16) */
};

/* Columns of the mailbox reads below. MBX_COL_SENT_TODAY counts the mailbox's messages
 * routed since the day_start given to the read. */
enum {
	MBX_COL_ID,
	MBX_COL_PUBLIC,
	MBX_COL_WORKSPACE,
	MBX_COL_FROM_NAME,
	MBX_COL_FROM_ADDRESS,
	MBX_COL_REPLY_TO,
	MBX_COL_HOST,
	MBX_COL_PORT,
	MBX_COL_SECURITY,
	MBX_COL_USERNAME,
	MBX_COL_BOX,
	MBX_COL_DAILY_CAP,
	MBX_COL_STATUS,
	MBX_COL_PAUSED_REASON,
	MBX_COL_PAUSED_AT,
	MBX_COL_CREATED,
	MBX_COL_UPDATED,
	MBX_COL_SENT_TODAY,
	MBX_COL_DAYS,
	MBX_COL_WSTART,
	MBX_COL_WEND,
	MBX_COL_TZ,
	MBX_COL_WARMUP_START,
	MBX_COL_WARMUP_STEP,
	MBX_COL_WARMUP_FROM,
	MBX_COL_GAP,
	MBX_COL_JITTER,
	MBX_COL_PACE_DAY,
	MBX_COL_PACE_COUNT,
	MBX_COL_NEXT_SEND,
	MBX_COL_PLUS_REPLY_TO,
	MBX_NCOLS
};

/* store_mailbox_count_lock counts the workspace's mailboxes that are not deleted, locking
 * their index range so that two creations cannot both pass the cap. */
lc_err store_mailbox_count_lock(struct db *db, int64_t workspace_id, unsigned *count);
lc_err store_mailbox_insert(struct db *db, const struct store_mailbox *m, const char *now_sql);
/* store_mailbox_update rewrites the fields of mailbox id (password_box NULL: kept). */
lc_err store_mailbox_update(
    struct db *db, int64_t id, const struct store_mailbox *m, const char *now_sql);
/* store_mailbox_list reads the workspace's mailboxes that are not deleted, newest first. */
lc_err store_mailbox_list(
    struct db *db, int64_t workspace_id, const char *day_start_sql, struct db_rows *out);
/* store_mailbox_find reads one mailbox of the workspace that is not deleted (0 or 1 row);
 * lock adds FOR UPDATE. */
lc_err store_mailbox_find(struct db *db, int64_t workspace_id, const char *public_id, int lock,
    const char *day_start_sql, struct db_rows *out);
/* store_mailbox_by_id reads mailbox id whatever its workspace or status (0 or 1 row). */
lc_err store_mailbox_by_id(
    struct db *db, int64_t id, const char *day_start_sql, struct db_rows *out);
/* store_mailbox_set_status moves mailbox id to status with reason (may be NULL), stamping
 * paused_at when pausing; *changed is 0 when it already had that status or is deleted. */
lc_err store_mailbox_set_status(struct db *db, int64_t id, unsigned status, const char *reason,
    const char *now_sql, uint64_t *changed);

/* store_campaign_mailboxes_set replaces the mailboxes of campaign_id by ids[0..n). */
lc_err store_campaign_mailboxes_set(
    struct db *db, int64_t campaign_id, const int64_t *ids, size_t n);
/* A campaign's mailboxes, as both readers ask for them: not deleted, oldest first.
 * CAMPAIGN_MAILBOXES_WHERE(c) is the FROM and WHERE for campaign id expression c. */
#define CAMPAIGN_MAILBOXES_WHERE(c)                                                                \
	" FROM campaign_mailboxes cm JOIN mailboxes b ON b.id = cm.mailbox_id "                    \
	"WHERE cm.campaign_id = " c " AND b.status IN (0, 1) "
#define CAMPAIGN_MAILBOXES_ORDER " b.created_at, b.id "
/* store_campaign_mailboxes_get reads the public ids of the campaign's mailboxes that are not
 * deleted, oldest first (one column). */
lc_err store_campaign_mailboxes_get(struct db *db, int64_t campaign_id, struct db_rows *out);
/* store_campaign_mailboxes_drop unlinks a mailbox from every campaign. */
lc_err store_campaign_mailboxes_drop(struct db *db, int64_t mailbox_id);

/* Columns of store_route_info. */
enum { RTI_COL_MSG_MAILBOX, RTI_COL_REL_MAILBOX, RTI_COL_HAS_MAILBOXES };
/* store_route_info reads, for a message, the mailbox it already has, its thread's mailbox
 * and whether its campaign names any mailbox (one row). */
lc_err store_route_info(struct db *db, int64_t message_id, struct db_rows *out);
/* store_route_pick chooses the campaign's mailbox with the most capacity left today
 * (daily_cap minus messages routed since day_start), active ones first, then the fewest
 * threads routed so far, then the oldest; locks it. One column: its id (0 or 1 row). */
lc_err store_route_pick(
    struct db *db, int64_t campaign_id, const char *day_start_sql, struct db_rows *out);
/* store_route_assign records that message_id (and, when thread is set, its relationship)
 * leaves from mailbox_id, and counts a new thread on the mailbox when thread is set. */
lc_err store_route_assign(struct db *db, int64_t message_id, int64_t relationship_id,
    int64_t mailbox_id, int thread, const char *now_sql);
/* store_mailbox_release_held puts the mailbox's held messages back in the queue, due now,
 * except those of paused campaigns; *n counts them. */
lc_err store_mailbox_release_held(
    struct db *db, int64_t mailbox_id, const char *now_sql, uint64_t *n);

/* Columns of the mailbox test reads. */
enum {
	MBT_COL_ID,
	MBT_COL_PUBLIC,
	MBT_COL_MAILBOX,
	MBT_COL_STATE,
	MBT_COL_OK,
	MBT_COL_RESULT,
	MBT_COL_CREATED
};
lc_err store_mailbox_test_insert(struct db *db, const char *public_id, int64_t mailbox_id,
    int64_t workspace_id, const char *now_sql);
/* store_mailbox_test_get reads one test of the workspace (0 or 1 row). */
lc_err store_mailbox_test_get(
    struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out);
/* store_mailbox_test_claim takes the oldest waiting test (FOR UPDATE SKIP LOCKED) and marks it
 * running; out has its row (0 or 1); LC_ERETRY when another node took it first. Call
 * inside a transaction. */
lc_err store_mailbox_test_claim(struct db *db, const char *now_sql, struct db_rows *out);
lc_err store_mailbox_test_finish(
    struct db *db, int64_t id, int ok, const char *result, const char *now_sql);

#endif
