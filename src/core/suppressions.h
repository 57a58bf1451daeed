/* suppressions.h: do-not-email by address and by domain, per workspace and account-wide
 * (docs/suppressions.md). The rule of what a list entry stops is SUPPRESSED_SQL
 * (db/store_suppressions.h); here are the ways in (API, CSV import, unsubscribe links and
 * replies, hard bounces) and the two checks: when a message is queued and when it is
 * claimed. */
#ifndef LC_SUPPRESSIONS_H
#define LC_SUPPRESSIONS_H

#include "core/paging.h"
#include "core/sending.h"
#include "core/validate.h"
#include "util/buf.h"

enum supp_kind { SUPP_ADDRESS = 0, SUPP_DOMAIN = 1 };
#define SUPP_VALUE_MAX (EMAIL_MAX_BYTES + 1)
#define SUPP_REASON_MAX_CHARS 200
#define SUPP_IMPORT_MAX_ROWS 100000 /* lines of one CSV import */
#define SUPP_EXPORT_MAX_ROWS                                                                       \
	200000 /* rows of one CSV export; a longer list is cut (said in a header) */

/* suppression_normalize checks in (untrusted) as an address (kind SUPP_ADDRESS) or a domain
 * (SUPP_DOMAIN; a leading '@' is allowed) and writes it lower-cased to out. Returns 1 when
 * valid, 0 otherwise. */
int suppression_normalize(const char *in, unsigned kind, char out[SUPP_VALUE_MAX]);

/* suppression_shared_domain is 1 for a domain whose addresses belong to unrelated people
 * (gmail.com, outlook.com, ...): never suppressed as a whole by an unsubscribe. */
int suppression_shared_domain(const char *domain);

/* suppression_check_tx sets *yes when mail from workspace ws to email is stopped by any
 * list (the address or its domain, the workspace's or its account's). One indexed read.
 * Errors: database errors. */
lc_err suppression_check_tx(struct db *db, int64_t ws, const char *email, int *yes);

/* suppression_unsubscribe_tx puts email on workspace ws's list because its owner asked
 * (source "unsubscribe_link" or "unsubscribe_reply"), and its domain too when the workspace
 * policy unsubscribeSuppressesDomain is on and the domain is not a shared one. Adding what
 * is there already changes nothing. Errors: database errors. */
lc_err suppression_unsubscribe_tx(
    struct db *db, int64_t ws, const char *email, const char *source, const char *now_sql);

/* suppression_claim_tx ends a claimed message m whose recipient is suppressed
 * (m->suppressed, read by the claim through SUPPRESSED_SQL): status suppressed, never sent,
 * its credits released. *changed as outbox_release_tx. The claim path's one call. */
lc_err suppression_claim_tx(struct db *db, const struct out_message *m, int *changed);

struct suppression_view {
	const char *value; /* borrowed from the page it was read into */
	unsigned kind;
	int account_wide;
	const char *workspace_public; /* NULL for account-wide */
	const char *reason, *source, *created_by;
	int64_t created_ms, id;
};

struct suppression_in {
	const char *address, *domain; /* exactly one */
	const char *reason;           /* may be NULL */
	int account_wide;
	const char *created_by; /* who: "api", a user's email */
	const char *source;     /* NULL: "api" */
};
/* suppressions_add adds an entry for who's workspace, or the account's list (needs an
 * account key: LC_EFORBIDDEN). *created is 0 when it was listed already. out gives the
 * entry as stored (one struct suppression_view; the caller page_frees it in every case).
 * Errors: LC_EINVAL with fail (validation_failed and the param), LC_EFORBIDDEN, database
 * errors. */
lc_err suppressions_add(struct core *core, const struct principal *who,
    const struct suppression_in *in, int *created, struct page *out, struct core_fail *fail);

/* suppressions_remove removes the address or domain (in->address/in->domain) from the
 * workspace's list or, with in->account_wide (an account key), the account's. Errors:
 * LC_EINVAL with fail, LC_EFORBIDDEN, LC_ENOTFOUND (not listed there), database errors. */
lc_err suppressions_remove(struct core *core, const struct principal *who,
    const struct suppression_in *in, struct core_fail *fail);

struct suppression_query {
	int scope; /* -1 both, 0 the workspace's list, 1 the account's */
	int has_cursor;
	int64_t cursor_ms, cursor_id;
	unsigned limit;
};
/* suppressions_list gives the entries that apply to who's workspace, newest first (items:
 * struct suppression_view; page_free in any case). Errors: LC_ENOMEM, database errors. */
lc_err suppressions_list(struct core *core, const struct principal *who,
    const struct suppression_query *q, struct page *page);

struct suppression_import {
	unsigned long added, already, rows;
	unsigned long bad_line; /* 0, or the first line that was refused (nothing is added then) */
	const char *bad_detail; /* static, with bad_line */
};
/* suppressions_import adds every row of a CSV (csv[0..len), untrusted): a header line
 * "value,reason" or "email,reason" (or "address"/"domain") is skipped; a value with '@' is an
 * address, without one a domain. All or nothing: one bad row refuses the file (LC_EINVAL
 * with fail and out->bad_line). Errors: LC_EINVAL, LC_EFORBIDDEN (account-wide without an
 * account key), LC_ENOMEM, database errors. */
lc_err suppressions_import(struct core *core, const struct principal *who, const char *csv,
    size_t len, int account_wide, const char *created_by, struct suppression_import *out,
    struct core_fail *fail);

/* suppressions_export appends to out a CSV (header value,kind,scope,workspace_id,reason,
 * source,created_by,created_at) of the entries that apply to who's workspace, newest first,
 * at most SUPP_EXPORT_MAX_ROWS (*truncated set when cut). Values that a spreadsheet would
 * run as a formula are quoted with a leading '. Errors: LC_ENOMEM, database errors. */
lc_err suppressions_export(
    struct core *core, const struct principal *who, struct buf *out, int *truncated);

#endif
