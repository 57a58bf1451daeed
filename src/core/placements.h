/* placements.h: link placements (SPEC §6, docs/placements.md). The API records the page a
 * prospect says links to the campaign's target; the worker's checker fetches it, and the
 * first check that finds the link records link_placed (through events_record, so counters,
 * the relationship's status, aggregates, metrics and the webhook move in one place). A
 * verified link is checked again every recheck interval; one gone on two checks in a row
 * is lost (link_lost event, link_building.link.lost webhook). */
#ifndef LC_PLACEMENTS_H
#define LC_PLACEMENTS_H

#include "core/core.h"
#include "core/sending.h"
#include "util/cursor.h"
#include <jansson.h>

#define PLACEMENT_CLAIM_MAX 32
#define PLACEMENT_PAGE_MAX (2 * 1024 * 1024) /* page bytes the checker reads */

/* placement_status_name is the public name of a stored status (static string). */
const char *placement_status_name(unsigned status);

/* One placement as the API shows it: the item of the struct page (core/paging.h) its
 * reads return; strings borrow from the page, the relationship's ids are copies. Times
 * < 0: never. */
struct placement_view {
	const char *id, *link_url, *error;
	char relationship_id[ID_MAX], campaign_id[ID_MAX];
	unsigned status;
	long http_status; /* 0: none */
	int64_t checked_ms, verified_ms, lost_ms, created_ms, next_check_ms;
	int verdict;                 /* PV_*, -1 before the first check */
	const char *issues;          /* comma-separated issue names, or NULL */
	const char *expected_anchor; /* or NULL */
	int expected_rel;            /* PL_REL_*, -1: not set (follow is expected) */
	int64_t guarantee_ms;        /* < 0: none */
	int64_t price_cents;         /* minor units of price_currency; < 0: none */
	const char *price_currency;  /* ISO 4217 code, or NULL */
	int price_digits;            /* price_currency's exponent (money_currency_digits) */
};

/* What a client says it expects of a placement (POST and PATCH bodies). has_*: the key
 * was given; a NULL value (or price_null) clears it. Strings borrowed. */
struct placement_expect_in {
	int has_anchor, has_rel, has_guarantee, has_price;
	const char *anchor, *rel, *guarantee; /* guarantee: RFC 3339 */
	double price;                         /* a bare JSON number (price_text NULL) */
	const char *price_text;               /* or a decimal text, exact ("150.00") */
	int price_null;
	int has_currency;
	const char *currency; /* priceCurrency (ISO 4217), NULL: the workspace's default */
};

/* placements_create records linkUrl for the principal's relationship rel_public (both
 * borrowed) and queues its check. One placement per (relationship, URL): a repeat answers
 * the existing one (*created 0), and a repeat of a not_found one queues it again. On
 * success out holds one struct placement_view (page_free out in every case). LC_EINVAL with fail
 * set (validation_failed, param linkUrl); LC_ENOTFOUND when the relationship is not the
 * workspace's; db errors. */
lc_err placements_create(struct core *core, const struct principal *who, const char *rel_public,
    const char *link_url, int allow_http, const struct placement_expect_in *x, struct page *out,
    int *created, struct core_fail *fail);
/* placements_update sets what x gives of the expectations of placement pid of the
 * principal's relationship rel_public; out holds it after (as placements_create's).
 * LC_EINVAL with fail set; LC_ENOTFOUND (fail->code relationship_not_found or
 * placement_not_found). */
lc_err placements_update(struct core *core, const struct principal *who, const char *rel_public,
    const char *pid, const struct placement_expect_in *x, struct page *out, struct core_fail *fail);

/* A page of a placement's checks, newest first. */
struct placement_checks {
	struct db_rows rows, pl_rows;
	struct page rel; /* the relationship asked for */
	int64_t total;
	size_t n;
	int has_next;
	char next_cursor[CURSOR_MAX];
};
/* placements_checks reads up to limit checks of placement pid of the principal's
 * relationship rel_public older than check id before_id (0: the newest). LC_ENOTFOUND
 * with *what "relationship_not_found" or "placement_not_found". Free with
 * placement_checks_free. */
lc_err placements_checks(struct core *core, const struct principal *who, const char *rel_public,
    const char *pid, unsigned limit, int64_t before_id, struct placement_checks *out,
    const char **what);
/* placement_checks_free frees c (safe on a zeroed one). */
void placement_checks_free(struct placement_checks *c);
/* placement_check_json is row i of store_pl_checks_list's columns as the API's and the
 * webhooks' evidence object (a new reference, NULL when out of memory). */
json_t *placement_check_json(const struct db_rows *r, size_t i);
/* placement_event_evidence is the evidence of the check that decided link_placed (lost
 * 0) or link_lost (lost 1) of placement (rel_public, link_url), or NULL (none, db error,
 * out of memory); the placement's public id goes into placement_public (len bytes). */
json_t *placement_event_evidence(struct db *db, const char *rel_public, const char *link_url,
    int lost, char *placement_public, size_t len);
#define PLACEMENT_REPLY_LINKS_MAX 10 /* placements one reply may create */

/* placements_from_reply queues a pending placement, inside the caller's transaction, for
 * each of the first PLACEMENT_REPLY_LINKS_MAX links (n of them, borrowed) of a prospect's
 * human reply that is a valid linkUrl (allow_http as for the API) on the relationship's
 * domain; links the relationship already has are left as they are. db errors. */
lc_err placements_from_reply(struct db *db, int64_t workspace_id, int64_t campaign_id,
    int64_t relationship_id, char *const *links, size_t n, int allow_http, const char *now_sql);
/* placements_list reads the relationship's placements, oldest first, all of them (one
 * page without a next; items: struct placement_view; page_free out in every case).
 * LC_ENOTFOUND when the relationship is not the workspace's. */
lc_err placements_list(
    struct core *core, const struct principal *who, const char *rel_public, struct page *out);

/* ---- the worker's side (placement_check.c) ---- */

/* One claimed check. Strings are malloc'd; placement_job_clear frees them. */
struct placement_job {
	int64_t id, fence, workspace_id, campaign_id, relationship_id;
	unsigned status, misses, missing_days;
	int64_t missing_ms; /* the last missing result counted toward lost; < 0: none */
	char *link_url, *target_url;
	char *domain;          /* the prospect's domain (redirects stay on it) */
	char *expected_anchor; /* or NULL */
	int expected_rel;      /* PL_REL_* */
};

/* ---- verdicts and their evidence (placement_verdict.c, docs/placements.md) ---- */

enum placement_verdict { PV_LIVE = 0, PV_LIVE_ISSUES, PV_MISSING, PV_UNVERIFIABLE, PV_N };
/* Expected rel (placements.expected_rel; NULL is follow). */
enum { PL_REL_FOLLOW = 0, PL_REL_NOFOLLOW, PL_REL_SPONSORED, PL_REL_UGC, PL_REL_N };
/* Issues of a live link (bits; names in placement_issue_names). */
enum {
	PI_NOT_FOLLOWED = 1 << 0,   /* nofollow/sponsored/ugc where a followed link was expected */
	PI_REL_DIFFERS = 1 << 1,    /* the expected rel token is absent */
	PI_ANCHOR_DIFFERS = 1 << 2, /* no matching link has the expected anchor text */
	PI_NOINDEX_META = 1 << 3,   /* <meta name=robots|googlebot content=noindex> */
	PI_NOINDEX_HEADER = 1 << 4, /* X-Robots-Tag: noindex (for all, or googlebot) */
	PI_CANONICAL_ELSEWHERE = 1 << 5, /* <link rel=canonical> names another page */
	PI_ROBOTS_DISALLOWED = 1 << 6,   /* robots.txt disallows search engines the page */
	PI_N = 7
};
#define PLACEMENT_HITS_MAX 10
#define PLACEMENT_ISSUES_MAX 200 /* bytes of the comma-separated issue names, NUL included */

/* One matching <a> on the page (strings borrowed from the inspector). */
struct placement_hit {
	const char *href, *anchor, *rel, *context;
	int nofollow, sponsored, ugc;
};

/* Everything one check saw; the worker fills it, placement_verdict judges it, and
 * placement_record stores it. Strings are borrowed; NULL when absent. */
struct placement_evidence {
	long http_status;        /* 0: none arrived */
	const char *fetch_error; /* why no page arrived (transport, refusal), or NULL */
	int not_fetched;         /* robots.txt disallows our checker: the page was not asked */
	int offsite_redirect;    /* a redirect left the prospect's site, or too many hops */
	const char *final_url;   /* after redirects */
	unsigned redirects;
	const char *content_type, *x_robots_tag, *last_modified;
	const char *body_sha256; /* 64 hex digits of the body read, or NULL */
	uint64_t body_size;      /* bytes read (after content decoding) */
	int truncated;           /* the page was longer than PLACEMENT_PAGE_MAX */
	int parsed;              /* a 2xx body was parsed */
	int parse_failed;        /* a 2xx body libxml2 made no document of */
	uint64_t anchors, scripts, text_bytes;
	int challenge; /* the page looks like a bot check */
	int meta_noindex;
	const char *meta_robots, *canonical;
	int canonical_elsewhere;  /* canonical set and not this page (link_url_same) */
	int robots_blocks_search; /* robots.txt disallows Googlebot this path */
	struct placement_hit hits[PLACEMENT_HITS_MAX];
	size_t nhits, hits_total;
	const char *hops; /* the URLs visited, a JSON array text [{"url","httpStatus",
	                   * "robots"}] (placement_checks.hops), or NULL */
};

/* What the client expects of the link (the placement's columns). */
struct placement_expect {
	const char *anchor; /* NULL: any */
	int rel;            /* PL_REL_* */
};

/* placement_verdict judges ev against x: the verdict, the issues of a live link (*issues,
 * PI_* bits) and a sentence saying why it is not live (*reason, static or NULL). The
 * rules are docs/placements.md's; a pure function. */
enum placement_verdict placement_verdict(const struct placement_evidence *ev,
    const struct placement_expect *x, unsigned *issues, const char **reason);
/* placement_verdict_name / placement_verdict_from_name: "live", "live_with_issues",
 * "missing", "unverifiable" (static; "unknown" / -1 otherwise). */
const char *placement_verdict_name(unsigned v);
/* placement_issues_format writes the names of the bits of issues, comma-separated, into
 * out (PLACEMENT_ISSUES_MAX bytes); "" for none. */
void placement_issues_format(unsigned issues, char *out);
/* placement_rel_name / placement_rel_from_name: "follow", "nofollow", "sponsored", "ugc"
 * (static; -1 for another name). */
const char *placement_rel_name(int rel);
int placement_rel_from_name(const char *s);
/* placement_xrobots_noindex is 1 when an X-Robots-Tag value (borrowed; several headers
 * joined with ", ") says noindex or none for every crawler or for googlebot. */
int placement_xrobots_noindex(const char *value);
/* placement_links_json makes the evidence's links as a JSON array text (malloc'd; NULL
 * when out of memory): [{"href","anchor","rel":[tokens],"context"}]. */
char *placement_links_json(const struct placement_evidence *ev);

/* The checker's schedule (config [placements]). */
struct placement_timing {
	unsigned recheck_seconds;      /* a verified link's next check */
	unsigned backoff_scale_ms;     /* one second of the retry schedule */
	unsigned lost_after;           /* clean missing results, on different days, = lost */
	unsigned lost_confirm_seconds; /* "another day" */
	unsigned lost_recheck_seconds; /* a lost link's next look */
};

/* placement_claim leases up to max (≤ PLACEMENT_CLAIM_MAX) due checks for lease_seconds;
 * *jobs (free each with placement_job_clear, then free()) and *n. */
lc_err placement_claim(struct core *core, unsigned lease_seconds, unsigned max,
    struct placement_job **jobs, size_t *n);
/* placement_job_clear frees a job's strings. */
void placement_job_clear(struct placement_job *j);
/* placement_record judges one check of job (placement_verdict), stores its evidence and
 * the placement's next state (still leased under its fence; nothing is written when the
 * lease was lost) and records link_placed or link_lost when the check decided one, in
 * the same transaction. *verdict (may be NULL) is the verdict; *lost (may be NULL) is 1
 * when this check made the placement lost (placement_reclaim follows). db errors,
 * LC_ENOMEM. */
lc_err placement_record(struct core *core, const struct placement_job *job,
    const struct placement_evidence *ev, const struct placement_timing *t,
    enum placement_verdict *verdict, int *lost);
/* placement_reclaim queues, for a placement job that was just lost before its
 * guaranteeUntil, a reclaim email to the prospect quoting the evidence, waiting for
 * approval (placement_reclaim.c); *queued 1 when it did. Nothing when no guarantee is in
 * force, the address is suppressed or credits do not cover it (logged). db errors. */
lc_err placement_reclaim(struct core *core, const struct placement_job *job, int *queued);
/* placement_defer gives a claimed job back to the queue, due wait_ms from now, without
 * a check (its host's visit slot is taken: crawl_take_slot). db errors. */
lc_err placement_defer(struct core *core, const struct placement_job *job, int64_t wait_ms);
/* placement_reap returns checks whose lease expired to the queue; *n of them. */
lc_err placement_reap(struct core *core, unsigned *n);

#endif
