/* bench/verify.c: proves that the generated data set is what the application would have
 * written. For a sample of campaigns it rebuilds each campaign and its prospects in a
 * scratch database (linkcamp_verify), replays the campaign's events from the bench
 * database in (occurred_at, id) order through the real events_record() of
 * src/core/events.c (pause, resume, cancel and complete also through
 * store_campaign_set_status(), as campaigns_transition() does), and compares every
 * counter, stamp, status, per-day aggregate and state note with the generated rows.
 *
 * usage: verify CONFIG EVERY
 *   CONFIG  the bench stack's linkcamp.conf (database "linkcamp"); the scratch database
 *           "linkcamp_verify" must exist, be empty and be granted to the same user.
 *   EVERY   check campaigns whose id is a multiple of EVERY, plus the first few of each
 *           status and every campaign with pause/resume notes (up to 40).
 * Exit 0 when everything matches; 1 with the first differences otherwise.
 *
 * Built by bench/run against build/release/liblinkcamp.a; not part of the product. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mysql.h>
#include <sodium.h>

#include "core/core.h"
#include "db/db.h"
#include "db/migrate.h"
#include "db/store_campaigns.h"
#include "db/store_relationships.h"
#include "util/config.h"
#include "util/log.h"
#include "util/timefmt.h"

struct replay {
	struct db *src, *dst;
	int64_t src_cid;
	struct db_rows camp, rels, evs;
	int64_t *rel_map; /* dst id of rels row i */
};

static int mismatches;

static void
die(const char *what, struct db *db)
{
	fprintf(stderr, "verify: %s: %s\n", what, db ? db_last_error(db) : "");
	exit(2);
}

static int64_t
find_rel(const struct replay *r, long long src_id)
{
	size_t lo = 0, hi = r->rels.nrows;

	/* rels are ordered by id */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		long long v = db_i64(&r->rels, mid, 0);
		if (v == src_id)
			return r->rel_map[mid];
		if (v < src_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static unsigned
event_type_of(const char *name)
{
	unsigned t;

	for (t = 0; t < EV_NTYPES; t++)
		if (strcmp(event_type_name(t), name) == 0)
			return t;
	return EV_NTYPES;
}

/* replay_tx inserts the campaign and its prospects, then records its events. */
static lc_err
replay_tx(struct db *dst, void *arg)
{
	struct replay *r = arg;
	const struct db_rows *c = &r->camp;
	unsigned status = CSTATUS_ACTIVE; /* every campaign starts active (drafts.c) */
	uint64_t cid = 0, rid = 0, changed = 0;
	char at[TIME_SQL_LEN];
	size_t i;
	lc_err e;

	if ((e = store_campaign_insert(dst, db_str(c, 0, 0), db_i64(c, 0, 1),
	         (unsigned)db_i64(c, 0, 2), db_str(c, 0, 3), db_str(c, 0, 4), db_str(c, 0, 5),
	         status, db_str(c, 0, 7), db_str(c, 0, 8), db_str(c, 0, 9), &cid)) != LC_OK)
		return e;
	for (i = 0; i < r->rels.nrows; i++) {
		if ((e = store_rel_insert(dst, db_str(&r->rels, i, 1), db_i64(c, 0, 1),
		         (int64_t)cid, db_str(&r->rels, i, 2), db_str(&r->rels, i, 3),
		         db_str(&r->rels, i, 4), db_str(&r->rels, i, 5), &rid)) != LC_OK)
			return e;
		r->rel_map[i] = (int64_t)rid;
	}
	for (i = 0; i < r->evs.nrows; i++) {
		struct event_in ev;
		const char *ts = db_str(&r->evs, i, 1);
		unsigned to = status;

		memset(&ev, 0, sizeof(ev));
		ev.type = event_type_of(db_str(&r->evs, i, 0));
		if (ev.type == EV_NTYPES)
			return LC_EINVAL;
		if (sqltime_parse(ts, strlen(ts), &ev.at_ms) != LC_OK)
			return LC_EINVAL;
		ev.workspace_id = db_i64(c, 0, 1);
		ev.campaign_id = (int64_t)cid;
		if (!db_isnull(&r->evs, i, 2) &&
		    (ev.relationship_id = find_rel(r, db_i64(&r->evs, i, 2))) < 0)
			return LC_EINVAL;
		ev.detail = db_str(&r->evs, i, 3);
		ev.message_id = db_str(&r->evs, i, 4);
		sqltime_format(ev.at_ms, at);
		/* campaigns_transition(): the status changes, then the event is recorded */
		switch (ev.type) {
		case EV_CAMPAIGN_PAUSED: to = CSTATUS_PAUSED; break;
		case EV_CAMPAIGN_RESUMED: to = CSTATUS_ACTIVE; break;
		case EV_CAMPAIGN_CANCELLED: to = CSTATUS_CANCELLED; break;
		case EV_CAMPAIGN_COMPLETED: to = CSTATUS_COMPLETED; break;
		default: break;
		}
		if (to != status) {
			if ((e = store_campaign_set_status(dst, (int64_t)cid, status, to,
			         to == CSTATUS_PAUSED ? ev.detail : NULL, at, &changed)) != LC_OK)
				return e;
			if (changed != 1)
				return LC_ECONFLICT;
			status = to;
		}
		if ((e = events_record(dst, &ev, NULL)) != LC_OK)
			return e;
	}
	return LC_OK;
}

/* compare runs sql (one parameter: the campaign's public id) on both databases. */
static void
compare(struct replay *r, const char *what, const char *sql, const char *public_id)
{
	struct db_param p[] = {DB_CSTR(public_id)};
	struct db_rows a, b;
	size_t i, j;

	if (db_query(r->src, sql, p, 1, &a) != LC_OK)
		die(what, r->src);
	if (db_query(r->dst, sql, p, 1, &b) != LC_OK)
		die(what, r->dst);
	if (a.nrows != b.nrows) {
		if (mismatches++ < 20)
			printf("MISMATCH %s of %s: %zu generated rows, %zu replayed\n", what,
			    public_id, a.nrows, b.nrows);
		goto out;
	}
	for (i = 0; i < a.nrows; i++)
		for (j = 0; j < a.ncols; j++) {
			const char *x = db_str(&a, i, j), *y = db_str(&b, i, j);
			if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0)) {
				if (mismatches++ < 20)
					printf(
					    "MISMATCH %s of %s row %zu column %zu: generated %s, "
					    "events_record gives %s\n",
					    what, public_id, i, j, x ? x : "NULL", y ? y : "NULL");
			}
		}
out:
	db_rows_free(&a);
	db_rows_free(&b);
}

int
main(int argc, char **argv)
{
	static const char sample_sql[] =
	    "SELECT id FROM campaigns WHERE MOD(id, ?) = 0 "
	    "UNION SELECT id FROM (SELECT id FROM campaigns WHERE status = 0 LIMIT 5) s0 "
	    "UNION SELECT id FROM (SELECT id FROM campaigns WHERE status = 2 LIMIT 5) s2 "
	    "UNION SELECT id FROM (SELECT id FROM campaigns WHERE status = 3 LIMIT 5) s3 "
	    "UNION SELECT id FROM (SELECT id FROM campaigns WHERE status = 4 LIMIT 5) s4 "
	    "UNION SELECT id FROM (SELECT DISTINCT campaign_id AS id FROM campaign_state_notes "
	    "LIMIT 40) sn ORDER BY id";
	static const char camp_sql[] =
	    "SELECT public_id, workspace_id, type, name, target_url, sender, status, "
	    "template_subject, template_body, created_at FROM campaigns WHERE id = ?";
	static const char rels_sql[] =
	    "SELECT id, public_id, domain, contact_name, contact_email, created_at "
	    "FROM relationships WHERE campaign_id = ? ORDER BY id";
	static const char evs_sql[] =
	    "SELECT type, occurred_at, relationship_id, detail, message_public_id "
	    "FROM events WHERE campaign_id = ? ORDER BY occurred_at, id";
	static const char cmp_campaign[] =
	    "SELECT public_id, workspace_id, type, name, status, created_at, updated_at, "
	    "paused_at, pause_reason, drafts_count, sent_count, delivered_count, opened_count, "
	    "replied_count, placed_count, pending_approvals, first_reply_at, first_placed_at "
	    "FROM campaigns WHERE public_id = ?";
	static const char cmp_rels[] =
	    "SELECT r.public_id, r.domain, r.contact_name, r.contact_email, r.status, r.link_url, "
	    "r.created_at, r.updated_at, r.drafted_at, r.first_sent_at, r.last_contacted_at, "
	    "r.opened_at, r.last_reply_at, r.placed_at, r.bounced_at FROM relationships r "
	    "JOIN campaigns c ON c.id = r.campaign_id WHERE c.public_id = ? ORDER BY r.public_id";
	static const char cmp_days[] =
	    "SELECT d.day, d.kind, d.count FROM campaign_days d JOIN campaigns c "
	    "ON c.id = d.campaign_id WHERE c.public_id = ? ORDER BY d.day, d.kind";
	static const char cmp_notes[] =
	    "SELECT n.occurred_at, n.kind, n.reason FROM campaign_state_notes n JOIN campaigns c "
	    "ON c.id = n.campaign_id WHERE c.public_id = ? ORDER BY n.occurred_at, n.id";
	static const char cmp_events[] =
	    "SELECT e.type, e.occurred_at, e.detail, e.message_public_id, e.workspace_id, "
	    "r.public_id FROM events e JOIN campaigns c ON c.id = e.campaign_id "
	    "LEFT JOIN relationships r ON r.id = e.relationship_id "
	    "WHERE c.public_id = ? ORDER BY e.occurred_at, e.id";
	struct config cfg, vcfg;
	struct replay r;
	struct db_rows sample, rows;
	char why[256];
	size_t i, nrels = 0, nevents = 0;
	long every;
	int applied = 0;
	lc_err e;

	if (argc != 3 || (every = strtol(argv[2], NULL, 10)) < 1) {
		fprintf(stderr, "usage: verify CONFIG EVERY\n");
		return 64;
	}
	if (config_load(&cfg, argv[1], why, sizeof(why)) != LC_OK) {
		fprintf(stderr, "verify: %s\n", why);
		return 78;
	}
	log_set_level(LOG_WARN);
	if (sodium_init() < 0 || mysql_library_init(0, NULL, NULL) != 0)
		return 70;
	vcfg = cfg;
	if (strlen(cfg.db_name) + sizeof("_verify") > sizeof(vcfg.db_name))
		return 78;
	memcpy(vcfg.db_name + strlen(cfg.db_name), "_verify", sizeof("_verify"));
	memset(&r, 0, sizeof(r));
	if ((r.src = db_new(&cfg)) == NULL || (r.dst = db_new(&vcfg)) == NULL)
		return 70;
	if ((e = migrate_run(r.dst, cfg.sql_dir, &applied)) != LC_OK)
		die("migrate the scratch database", r.dst);

	/* Accounts and workspaces keep their ids, so workspace_id compares directly. */
	if (db_query(r.src, "SELECT id, public_id, name, created_at FROM accounts", NULL, 0,
	        &rows) != LC_OK)
		die("accounts", r.src);
	for (i = 0; i < rows.nrows; i++) {
		struct db_param p[] = {DB_I64(db_i64(&rows, i, 0)), DB_CSTR(db_str(&rows, i, 1)),
		    DB_CSTR(db_str(&rows, i, 2)), DB_CSTR(db_str(&rows, i, 3))};
		if (db_exec(r.dst,
		        "INSERT INTO accounts (id, public_id, name, created_at) "
		        "VALUES (?, ?, ?, ?)",
		        p, 4, NULL, NULL) != LC_OK)
			die("copy accounts", r.dst);
	}
	db_rows_free(&rows);
	if (db_query(r.src, "SELECT id, public_id, account_id, name, created_at FROM workspaces",
	        NULL, 0, &rows) != LC_OK)
		die("workspaces", r.src);
	for (i = 0; i < rows.nrows; i++) {
		struct db_param p[] = {DB_I64(db_i64(&rows, i, 0)), DB_CSTR(db_str(&rows, i, 1)),
		    DB_I64(db_i64(&rows, i, 2)), DB_CSTR(db_str(&rows, i, 3)),
		    DB_CSTR(db_str(&rows, i, 4))};
		if (db_exec(r.dst,
		        "INSERT INTO workspaces (id, public_id, account_id, name, "
		        "created_at) VALUES (?, ?, ?, ?, ?)",
		        p, 5, NULL, NULL) != LC_OK)
			die("copy workspaces", r.dst);
	}
	db_rows_free(&rows);

	{
		struct db_param p[] = {DB_I64(every)};
		if (db_query(r.src, sample_sql, p, 1, &sample) != LC_OK)
			die("sample", r.src);
	}
	for (i = 0; i < sample.nrows; i++) {
		struct db_param p[] = {DB_I64(db_i64(&sample, i, 0))};
		char public_id[ID_MAX + 8];

		r.src_cid = db_i64(&sample, i, 0);
		if (db_query(r.src, camp_sql, p, 1, &r.camp) != LC_OK || r.camp.nrows != 1 ||
		    db_query(r.src, rels_sql, p, 1, &r.rels) != LC_OK ||
		    db_query(r.src, evs_sql, p, 1, &r.evs) != LC_OK)
			die("read campaign", r.src);
		if ((r.rel_map = calloc(r.rels.nrows + 1, sizeof(*r.rel_map))) == NULL)
			return 70;
		if ((e = db_tx(r.dst, replay_tx, &r)) != LC_OK) {
			fprintf(stderr, "verify: replaying campaign %lld: %s (%s)\n",
			    (long long)r.src_cid, lc_strerror(e), db_last_error(r.dst));
			return 1;
		}
		snprintf(public_id, sizeof(public_id), "%s", db_str(&r.camp, 0, 0));
		compare(&r, "campaign", cmp_campaign, public_id);
		compare(&r, "relationships", cmp_rels, public_id);
		compare(&r, "campaign_days", cmp_days, public_id);
		compare(&r, "state notes", cmp_notes, public_id);
		compare(&r, "events", cmp_events, public_id);
		nrels += r.rels.nrows;
		nevents += r.evs.nrows;
		free(r.rel_map);
		db_rows_free(&r.camp);
		db_rows_free(&r.rels);
		db_rows_free(&r.evs);
	}
	printf("verify: %zu campaigns, %zu relationships, %zu events replayed through "
	       "events_record(): %s\n",
	    sample.nrows, nrels, nevents, mismatches ? "MISMATCHES" : "identical");
	db_rows_free(&sample);
	db_free(r.src);
	db_free(r.dst);
	mysql_library_end();
	return mismatches ? 1 : 0;
}
