/* report.h: the client's report (issue 17 item 6, docs/report.md): a workspace's or one
 * campaign's funnel and every placement with its verdict, read for the signed-in pages,
 * the share links and the CSV export; and the share links themselves — signed, expiring,
 * revocable capabilities that show one report without an account. */
#ifndef LC_REPORT_H
#define LC_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include "core/core.h"
#include "core/sending.h"
#include "util/buf.h"
#include "util/ids.h"

#define REPORT_ROWS_MAX 2000              /* placements one report shows (oldest first) */
#define REPORT_CSV_MAX ((size_t)16 << 20) /* bytes of a report's CSV (2,000 rows fit) */
#define REPORT_SHARE_DAYS_DEFAULT 30
#define REPORT_SHARE_DAYS_MAX 90
#define REPORT_SHARE_LABEL_MAX 200 /* bytes of UTF-8 */
#define REPORT_TOKEN_MAX 96        /* "<public id>.<43 characters>" and its NUL */
#define REPORT_WS_NAME_MAX 256

/* What the report says of a placement: the verdict of its last check, "lost" once the
 * checker declared it lost, "pending" before its first check. */
enum report_verdict {
	RV_LIVE = 0,
	RV_LIVE_ISSUES,
	RV_MISSING,
	RV_UNVERIFIABLE,
	RV_LOST,
	RV_PENDING,
	RV_N
};
/* report_verdict_name is the public name of v ("live", ..., "pending"; static). */
const char *report_verdict_name(unsigned v);

/* One placement of the report; strings borrow from the report's rows (NULL: none). */
struct report_row {
	const char *id, *link_url, *domain, *campaign_id, *campaign_name;
	const char *anchor; /* the first matching link's anchor text at the last check */
	const char *rel;    /* its rel tokens, space-separated ("" when it had none) */
	const char *issues; /* the last check's issue names, comma-separated */
	const char *expected_anchor;
	const char *expected_rel;         /* "follow", ... (static) */
	unsigned verdict;                 /* RV_* */
	int64_t checked_ms, guarantee_ms; /* < 0: never / none */
};

struct report {
	struct db_rows rows, campaign;                        /* own the strings below */
	const char *campaign_id, *campaign_name, *target_url; /* NULL: the whole workspace */
	int64_t campaigns, drafted, sent, delivered, opened, replied, placed;
	unsigned reply_rate, placement_rate; /* hundredths, over sent (metrics_rate) */
	size_t verdicts[RV_N];               /* placements per verdict, of the rows read */
	struct report_row *items;
	size_t n;
	int truncated; /* the scope has more than REPORT_ROWS_MAX placements */
};

/* report_read reads the report of the principal's workspace, or of its campaign
 * campaign_public (borrowed; NULL: all campaigns). LC_ENOTFOUND when the campaign is not
 * the workspace's; db errors; LC_ENOMEM. Free with report_free (also after a failure). */
lc_err report_read(struct core *core, const struct principal *who, const char *campaign_public,
    struct report *out);
/* report_free frees r; safe on a zeroed report. */
void report_free(struct report *r);
/* report_csv appends r as RFC 4180 CSV (UTF-8, CRLF, a header row, every cell quoted and
 * made formula-safe by csv_cell) to out. LC_ENOMEM when out's maximum is reached. */
lc_err report_csv(const struct report *r, struct buf *out);

/* ---- share links (report_share.c) ---- */

/* One share link as the API and the pages show it; strings borrow from the list's rows. */
struct report_share {
	const char *id, *campaign_id, *campaign_name, *label, *created_by;
	int64_t created_ms, expires_ms, revoked_ms; /* revoked_ms < 0: not revoked */
};
struct report_share_list {
	struct db_rows rows; /* owns the strings of items */
	struct report_share *items;
	size_t n;
	int64_t total;
	int has_next;
	char next_cursor[40];
};

/* report_share_state is "active", "expired" or "revoked" at now_ms (static). */
const char *report_share_state(const struct report_share *s, int64_t now);

/* report_share_create makes a share link of the principal's workspace (or of its
 * campaign campaign_public, borrowed, when not NULL) valid for days days (1 to
 * REPORT_SHARE_DAYS_MAX), labelled label (may be NULL), recording created_by (who made it:
 * a user's address or "api key"). token receives the link's secret, shown once: only its
 * hash is stored. out holds the new link (free with report_share_list_free in any case).
 * LC_EINVAL with fail set (validation_failed and param) for bad input; LC_ENOTFOUND
 * (fail: campaign_not_found) for a campaign not the workspace's; db errors. */
lc_err report_share_create(struct core *core, const struct principal *who,
    const char *campaign_public, long days, const char *label, const char *created_by,
    struct report_share_list *out, char token[REPORT_TOKEN_MAX], struct core_fail *fail);
/* report_share_list reads up to limit of the workspace's links, newest first, after the
 * cursor position before_id (0: from the newest). Free with report_share_list_free. */
lc_err report_share_list(struct core *core, const struct principal *who, unsigned limit,
    int64_t before_id, struct report_share_list *out);
/* report_share_revoke revokes the workspace's link public_id (again is no change); out
 * holds it after. LC_ENOTFOUND for a link of another workspace, unknown or malformed.
 * Who may make and revoke links is the fronts' rule: any workspace key, and approvers
 * (not viewers) on the pages. */
lc_err report_share_revoke(struct core *core, const struct principal *who, const char *public_id,
    struct report_share_list *out);
/* report_share_list_free frees l; safe on a zeroed list. */
void report_share_list_free(struct report_share_list *l);

/* report_share_url writes the public address of the link token (public_url + "/r/" +
 * token) into out (len bytes); LC_ENOMEM when it does not fit. */
lc_err report_share_url(const struct core *core, const char *token, char *out, size_t len);

/* report_share_open checks a link's token (borrowed, len bytes, from the URL): the row is
 * found by the public id before the '.', and the SHA-256 of the secret after it is
 * compared with the stored hash in constant time. On success who is a read-only principal
 * of the link's workspace, ws_name its name and campaign its campaign's public id (""
 * for the whole workspace). LC_ENOTFOUND for a malformed, unknown, revoked or expired
 * link alike (the caller shows them the same page); db errors. */
lc_err report_share_open(struct core *core, const char *token, size_t len, struct principal *who,
    char ws_name[REPORT_WS_NAME_MAX], char campaign[ID_MAX]);

#endif
