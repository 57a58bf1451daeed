/* imap_sync.c: one mailbox's IMAP sync (imap_sync.h, docs/imap.md).
 *
 * Exactly once: each folder's checkpoint (UIDVALIDITY, last UID) is written after every
 * message the inbound path stored, so a worker killed mid-round starts after the last
 * stored message; the one message that may have been stored but not checkpointed comes
 * again and inbound_ingest drops it (the same Message-ID in the same workspace). A new
 * UIDVALIDITY reads the folder again from the start under the same protection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/imap_sync.h"
#include "core/inbound.h"
#include "core/mailbox_imap.h"
#include "db/store_imap.h"
#include "imap/imap_conn.h"
#include "util/log.h"
#include "util/timefmt.h"

#define RETRY_BASE_MS 5000
#define RETRY_MAX_MS (15 * 60 * 1000)

struct imap_box {
	int64_t mailbox_id, version, workspace_id;
	struct imap_conn *conn;
	unsigned failures;
	int idling;
};

/* What one round works with, read from the store. */
struct settings {
	struct db_rows rows;
	const char *host, *user, *folders;
	unsigned port, security, state;
	const unsigned char *box;
	size_t box_len;
};

struct ingest_arg {
	struct core *core;
	int64_t workspace_id;
	uint32_t uid;
	const char *folder;
	int64_t mailbox_id;
};

static lc_err load(struct core *, int64_t, struct settings *);
static void record(struct core *, struct imap_box *, unsigned, const char *, int);
static lc_err connect_box(struct imap_box *, const struct settings *, char *, size_t, int *);
static lc_err sync_folder(
    struct core *, struct imap_box *, const char *, int *, char *, size_t, char *, size_t);
static lc_err ingest_cb(void *, const char *, size_t);
static int64_t retry_delay(unsigned);

struct imap_box *
imap_box_new(int64_t mailbox_id)
{
	struct imap_box *b = calloc(1, sizeof(*b));

	if (b)
		b->mailbox_id = mailbox_id;
	return b;
}

void
imap_box_free(struct imap_box *b)
{
	if (b == NULL)
		return;
	imap_conn_close(b->conn);
	free(b);
}

int
imap_box_fd(struct imap_box *b)
{
	return b->conn && b->idling ? imap_conn_idle_fd(b->conn) : -1;
}

int
imap_box_ready(struct imap_box *b)
{
	return b->conn && b->idling && imap_conn_idle_ready(b->conn);
}

int64_t
imap_box_version(const struct imap_box *b)
{
	return b->version;
}

lc_err
imap_sync_list(struct core *core, const char *owner, struct db_rows *rows)
{
	char now[TIME_SQL_LEN], until[TIME_SQL_LEN];
	int64_t t = now_ms();
	lc_err e;

	sqltime_format(t, now);
	sqltime_format(t + IMAP_LEASE_MS, until);
	if ((e = store_imap_lease(core->db, owner, now, until, IMAP_LEASE_TAKE)) != LC_OK)
		return e;
	return store_imap_versions(core->db, owner, rows);
}

lc_err
imap_sync_release(struct core *core, const char *owner)
{
	return store_imap_release(core->db, owner);
}

static lc_err
load(struct core *core, int64_t mailbox_id, struct settings *s)
{
	lc_err e;

	memset(s, 0, sizeof(*s));
	if ((e = store_imap_load(core->db, mailbox_id, &s->rows)) != LC_OK)
		return e;
	if (s->rows.nrows != 1) {
		db_rows_free(&s->rows);
		return LC_ENOTFOUND;
	}
	s->host = db_str(&s->rows, 0, IML_COL_HOST);
	s->user = db_str(&s->rows, 0, IML_COL_USERNAME);
	s->folders = db_str(&s->rows, 0, IML_COL_FOLDERS);
	s->port = (unsigned)db_i64(&s->rows, 0, IML_COL_PORT);
	s->security = (unsigned)db_i64(&s->rows, 0, IML_COL_SECURITY);
	s->state = (unsigned)db_i64(&s->rows, 0, IML_COL_STATE);
	s->box = (const unsigned char *)db_str(&s->rows, 0, IML_COL_BOX);
	s->box_len = db_len(&s->rows, 0, IML_COL_BOX);
	return LC_OK;
}

/* record writes the state the round reached on the mailbox (for its current version). */
static void
record(struct core *core, struct imap_box *b, unsigned state, const char *error, int synced)
{
	char now[TIME_SQL_LEN], clean[IMAP_ERROR_MAX + 1];

	sqltime_format(now_ms(), now);
	if (error)
		imap_clean_text(error, clean, sizeof(clean));
	if (store_imap_state(core->db, b->mailbox_id, b->version, state, error ? clean : NULL,
	        synced, b->failures, now) != LC_OK)
		log_msg(LOG_WARN, "imap: mailbox %lld: recording its state failed",
		    (long long)b->mailbox_id);
}

static int64_t
retry_delay(unsigned failures)
{
	int64_t d = RETRY_BASE_MS;

	while (failures-- > 1 && d < RETRY_MAX_MS)
		d *= 2;
	return d < RETRY_MAX_MS ? d : RETRY_MAX_MS;
}

/* connect_box opens the password only for the login and wipes it right after. */
static lc_err
connect_box(struct imap_box *b, const struct settings *s, char *why, size_t whylen, int *auth)
{
	char password[MAILBOX_PASSWORD_MAX + 1];
	struct imap_account a;
	lc_err e;

	*auth = 0;
	if (mailbox_open(s->box, s->box_len, password) != LC_OK) {
		snprintf(why, whylen,
		    "the stored password cannot be opened (the key changed?): "
		    "set it again");
		*auth = 1;
		return LC_EAUTH;
	}
	memset(&a, 0, sizeof(a));
	a.host = s->host;
	a.port = s->port;
	a.user = s->user;
	a.password = password;
	a.starttls = s->security == MBX_STARTTLS;
	a.timeout_ms = IMAP_TIMEOUT_MS;
	e = imap_conn_open(&a, &b->conn, why, whylen);
	sodium_memzero(password, sizeof(password));
	*auth = e == LC_EAUTH;
	return e;
}

static lc_err
ingest_cb(void *arg, const char *raw, size_t len)
{
	struct ingest_arg *ia = arg;
	struct principal who;
	struct inbound_result res;
	lc_err e;

	memset(&who, 0, sizeof(who));
	who.workspace_id = ia->workspace_id;
	e = inbound_ingest(ia->core, &who, raw, len, &res);
	if (e == LC_EINVAL) {
		/* not a mail message: kept where it is, passed over for good */
		log_msg(LOG_WARN, "imap: mailbox %lld: UID %u in %s is not a mail message; skipped",
		    (long long)ia->mailbox_id, ia->uid, ia->folder);
		return LC_OK;
	}
	return e;
}

/* sync_folder reads folder from its checkpoint. *more: a round's worth was read and more
 * waits. note receives a remark that is not a failure (a message over the size limit). */
static lc_err
sync_folder(struct core *core, struct imap_box *b, const char *folder, int *more, char *why,
    size_t whylen, char *note, size_t notelen)
{
	char now[TIME_SQL_LEN];
	struct db_rows r;
	struct imap_uid *list = NULL;
	struct ingest_arg ia = {core, b->workspace_id, 0, folder, b->mailbox_id};
	uint32_t validity, next, last = 0;
	uint64_t stored_validity = 0;
	size_t n = 0, i;
	int have;
	lc_err e;

	*more = 0;
	if ((e = imap_conn_examine(b->conn, folder, &validity, &next, why, whylen)) != LC_OK)
		return e;
	if ((e = store_imap_folder_get(core->db, b->mailbox_id, folder, &r)) != LC_OK)
		return e;
	have = r.nrows == 1;
	if (have) {
		stored_validity = (uint64_t)db_i64(&r, 0, 0);
		last = (uint32_t)db_i64(&r, 0, 1);
	}
	db_rows_free(&r);
	if (!have || stored_validity != validity) {
		if (stored_validity != 0)
			log_msg(LOG_INFO,
			    "imap: mailbox %lld: %s has a new UIDVALIDITY; reading it again",
			    (long long)b->mailbox_id, folder);
		last = 0;
		sqltime_format(now_ms(), now);
		if ((e = store_imap_folder_set(
		         core->db, b->mailbox_id, folder, validity, 0, now)) != LC_OK)
			return e;
	}
	if (next != 0 && next - 1 <= last)
		return LC_OK; /* nothing new: no listing at all */
	if ((e = imap_conn_list(b->conn, last, IMAP_ROUND_MAX, &list, &n, why, whylen)) != LC_OK)
		return e;
	for (i = 0; i < n; i++) {
		ia.uid = list[i].uid;
		if (list[i].size > INBOUND_MAX_BYTES) {
			/* refused from its announced size: never fetched, never in memory */
			snprintf(note, notelen,
			    "message UID %u in %s is %u bytes, over the %d-byte "
			    "limit: not fetched",
			    list[i].uid, folder, list[i].size, INBOUND_MAX_BYTES);
			log_msg(LOG_WARN, "imap: mailbox %lld: %s", (long long)b->mailbox_id, note);
		} else if ((e = imap_conn_fetch(b->conn, list[i].uid, list[i].size, ingest_cb, &ia,
		                why, whylen)) != LC_OK &&
		           e != LC_ENOTFOUND) {
			break; /* the checkpoint stays before this message: it comes again */
		}
		e = LC_OK;
		log_msg(LOG_DEBUG, "imap: mailbox %lld: %s UID %u read", (long long)b->mailbox_id,
		    folder, list[i].uid);
		sqltime_format(now_ms(), now);
		if ((e = store_imap_folder_set(
		         core->db, b->mailbox_id, folder, validity, list[i].uid, now)) != LC_OK)
			break;
	}
	if (e == LC_EDB || e == LC_EDBDOWN)
		snprintf(why, whylen, "the database is unavailable");
	*more = e == LC_OK && n == IMAP_ROUND_MAX;
	free(list);
	return e;
}

enum imap_next
imap_box_run(struct core *core, struct imap_box *b, int64_t *due)
{
	char why[IMAP_WHY_MAX] = "", note[IMAP_ERROR_MAX] = "", folder[IMAP_FOLDER_MAX + 1];
	struct settings s;
	const char *p, *nl;
	int auth = 0, more = 0, any_more = 0, first = 1, first_ok = 0;
	int64_t version;
	lc_err e;

	*due = now_ms() + RETRY_BASE_MS;
	if ((e = load(core, b->mailbox_id, &s)) == LC_ENOTFOUND)
		return IMAP_NEXT_GONE;
	if (e != LC_OK)
		return IMAP_NEXT_AT; /* the database: try again shortly */
	version = db_i64(&s.rows, 0, IML_COL_VERSION);
	b->workspace_id = db_i64(&s.rows, 0, IML_COL_WORKSPACE);
	if (s.state == IMAP_AUTH_FAILED) {
		/* a refused login stays paused, across restarts too, until the settings change
		 * (which makes the state pending again) */
		imap_conn_close(b->conn);
		b->conn = NULL;
		b->idling = 0;
		b->version = version;
		db_rows_free(&s.rows);
		return IMAP_NEXT_PAUSED;
	}
	if (version != b->version) {
		/* new settings: a new connection with them, and a clean slate */
		imap_conn_close(b->conn);
		b->conn = NULL;
		b->idling = 0;
		b->failures = 0;
		b->version = version;
	}
	if (b->conn && b->idling) {
		b->idling = 0;
		if (imap_conn_idle_done(b->conn, why, sizeof(why)) != LC_OK) {
			imap_conn_close(b->conn); /* dropped while idling: reconnect below */
			b->conn = NULL;
		}
	}
	if (b->conn == NULL) {
		if (s.state != IMAP_ERROR)
			record(core, b, IMAP_SYNCING, NULL, 0);
		if ((e = connect_box(b, &s, why, sizeof(why), &auth)) != LC_OK) {
			if (auth) {
				record(core, b, IMAP_AUTH_FAILED, why, 0);
				log_msg(LOG_WARN,
				    "imap: mailbox %lld: login refused; its sync is paused",
				    (long long)b->mailbox_id);
				db_rows_free(&s.rows);
				return IMAP_NEXT_PAUSED;
			}
			goto failed;
		}
	}
	for (p = s.folders; *p; p = *nl ? nl + 1 : nl) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		snprintf(folder, sizeof(folder), "%.*s", (int)(nl - p), p);
		e = sync_folder(core, b, folder, &more, why, sizeof(why), note, sizeof(note));
		if (first)
			first_ok = e == LC_OK;
		first = 0;
		if (e == LC_ENOTFOUND) {
			/* a folder that does not exist (a Junk never created) is not a failure */
			snprintf(note, sizeof(note), "folder %.100s: %.180s", folder, why);
			continue;
		}
		if (e != LC_OK)
			goto failed;
		any_more |= more;
	}
	b->failures = 0;
	if (any_more) {
		record(core, b, IMAP_SYNCING, note[0] ? note : NULL, 1);
		*due = now_ms();
		db_rows_free(&s.rows);
		return IMAP_NEXT_AT;
	}
	/* IDLE watches the first folder (when it exists); the others are read at every round */
	if (first_ok && imap_conn_has_idle(b->conn)) {
		snprintf(folder, sizeof(folder), "%.*s", (int)strcspn(s.folders, "\n"), s.folders);
		uint32_t v, n;
		if (strchr(s.folders, '\n') != NULL &&
		    imap_conn_examine(b->conn, folder, &v, &n, why, sizeof(why)) != LC_OK)
			goto failed;
		if (imap_conn_idle(b->conn, why, sizeof(why)) != LC_OK)
			goto failed;
		b->idling = 1;
		record(core, b, IMAP_IDLE, note[0] ? note : NULL, 1);
		*due = now_ms() + IMAP_IDLE_REFRESH_MS;
		db_rows_free(&s.rows);
		return IMAP_NEXT_IDLE;
	}
	record(core, b, IMAP_POLLING, note[0] ? note : NULL, 1);
	*due = now_ms() + IMAP_POLL_MS;
	db_rows_free(&s.rows);
	return IMAP_NEXT_AT;
failed:
	imap_conn_close(b->conn);
	b->conn = NULL;
	b->idling = 0;
	b->failures++;
	record(core, b, IMAP_ERROR, why[0] ? why : "the sync failed", 0);
	log_msg(LOG_WARN, "imap: mailbox %lld: sync failed (%u in a row)", (long long)b->mailbox_id,
	    b->failures);
	*due = now_ms() + retry_delay(b->failures);
	db_rows_free(&s.rows);
	return IMAP_NEXT_AT;
}
