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

#define PLACEMENT_CLAIM_MAX 32
#define PLACEMENT_PAGE_MAX (2 * 1024 * 1024) /* page bytes the checker reads */

/* placement_status_name is the public name of a stored status (static string). */
const char *placement_status_name(unsigned status);

/* One placement as the API shows it; strings borrow from the rows it was read with and
 * from the relationship it was asked for. Times < 0: never. */
struct placement_view {
	const char *id, *relationship_id, *campaign_id, *link_url, *error;
	unsigned status;
	long http_status; /* 0: none */
	int64_t checked_ms, verified_ms, lost_ms, created_ms, next_check_ms;
};

struct placement_list {
	struct db_rows rows; /* owns the strings of items, with rel */
	struct page rel;     /* the relationship asked for */
	struct placement_view *items;
	size_t n;
};

/* placements_create records linkUrl for the principal's relationship rel_public (both
 * borrowed) and queues its check. One placement per (relationship, URL): a repeat answers
 * the existing one (*created 0), and a repeat of a not_found one queues it again. On
 * success out holds one item (free with placement_list_free). LC_EINVAL with fail set
 * (validation_failed, param linkUrl); LC_ENOTFOUND when the relationship is not the
 * workspace's; db errors. */
lc_err placements_create(struct core *core, const struct principal *who, const char *rel_public,
    const char *link_url, int allow_http, struct placement_list *out, int *created,
    struct core_fail *fail);
#define PLACEMENT_REPLY_LINKS_MAX 10 /* placements one reply may create */

/* placement_host_on_domain is 1 when the host of url (an absolute URL that passed
 * webhook_url_check) is domain or one of its subdomains, a leading "www." ignored on both
 * sides (ASCII case-insensitive); 0 otherwise. */
int placement_host_on_domain(const char *url, const char *domain);
/* placements_from_reply queues a pending placement, inside the caller's transaction, for
 * each of the first PLACEMENT_REPLY_LINKS_MAX links (n of them, borrowed) of a prospect's
 * human reply that is a valid linkUrl (allow_http as for the API) on the relationship's
 * domain; links the relationship already has are left as they are. db errors. */
lc_err placements_from_reply(struct db *db, int64_t workspace_id, int64_t campaign_id,
    int64_t relationship_id, char *const *links, size_t n, int allow_http,
    const char *now_sql);
/* placements_list reads the relationship's placements, oldest first (free with
 * placement_list_free). LC_ENOTFOUND when the relationship is not the workspace's. */
lc_err placements_list(struct core *core, const struct principal *who, const char *rel_public,
    struct placement_list *out);
/* placement_list_free frees l (safe on a zeroed list). */
void placement_list_free(struct placement_list *l);

/* ---- the worker's side (placement_check.c) ---- */

/* One claimed check. Strings are malloc'd; placement_job_clear frees them. */
struct placement_job {
	int64_t id, fence, workspace_id, campaign_id, relationship_id;
	unsigned status, misses;
	char *link_url, *target_url;
};

/* What one fetch found. */
struct placement_result {
	int found;        /* the page links to the target */
	long http_status; /* 0: none */
	const char *error; /* why the link was not seen (borrowed), or NULL */
};

/* The checker's schedule (config [placements]). */
struct placement_timing {
	unsigned recheck_seconds;  /* a verified link's next check */
	unsigned backoff_scale_ms; /* one second of the retry schedule */
};

/* placement_claim leases up to max (≤ PLACEMENT_CLAIM_MAX) due checks for lease_seconds;
 * *jobs (free each with placement_job_clear, then free()) and *n. */
lc_err placement_claim(struct core *core, unsigned lease_seconds, unsigned max,
    struct placement_job **jobs, size_t *n);
/* placement_job_clear frees a job's strings. */
void placement_job_clear(struct placement_job *j);
/* placement_record writes the outcome of one check of job (still leased under its fence;
 * nothing is written when the lease was lost) and records link_placed or link_lost when
 * the check decided one, in the same transaction. */
lc_err placement_record(struct core *core, const struct placement_job *job,
    const struct placement_result *res, const struct placement_timing *t);
/* placement_reap returns checks whose lease expired to the queue; *n of them. */
lc_err placement_reap(struct core *core, unsigned *n);

#endif
