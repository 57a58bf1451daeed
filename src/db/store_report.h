/* store_report.h: SQL of the client's report and its share links
 * (sql/100_report_shares.sql, docs/report.md). The rules live in src/core/report.c and
 * src/core/report_share.c; these only read and write, each through an index. All return
 * db_* errors. */
#ifndef LC_STORE_REPORT_H
#define LC_STORE_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"

/* Columns of store_report_funnel: campaigns, then the summed counters. */
enum {
	RPF_COL_CAMPAIGNS,
	RPF_COL_DRAFTED,
	RPF_COL_SENT,
	RPF_COL_DELIVERED,
	RPF_COL_OPENED,
	RPF_COL_REPLIED,
	RPF_COL_PLACED
};
/* store_report_funnel sums the funnel counters of the workspace's campaigns, or of its
 * campaign campaign_id when that is > 0 (one row; ix_campaigns_ws_created / primary key). */
lc_err store_report_funnel(
    struct db *db, int64_t workspace_id, int64_t campaign_id, struct db_rows *out);

/* Columns of store_report_campaign. */
enum { RPC_COL_ID, RPC_COL_PUBLIC, RPC_COL_NAME, RPC_COL_TARGET };
/* store_report_campaign reads the workspace's campaign public_id (0 or 1 row). */
lc_err store_report_campaign(
    struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out);

/* Columns of store_report_rows. */
enum {
	RPR_COL_ID,
	RPR_COL_PUBLIC,
	RPR_COL_URL,
	RPR_COL_STATUS,
	RPR_COL_VERDICT,
	RPR_COL_ISSUES,
	RPR_COL_CHECKED,
	RPR_COL_GUARANTEE,
	RPR_COL_EXP_ANCHOR,
	RPR_COL_EXP_REL,
	RPR_COL_DOMAIN,
	RPR_COL_CAMPAIGN_PUBLIC,
	RPR_COL_CAMPAIGN_NAME,
	RPR_COL_ANCHOR,
	RPR_COL_REL
};
/* store_report_rows reads up to limit placements of the workspace (of its campaign
 * campaign_id when > 0) with id > after_id, in id order, each with its prospect's domain,
 * its campaign and the anchor text and rel tokens (a JSON array text) of the first
 * matching link of its last check (NULL when that check found none). One index range
 * (ix_placements_ws or ix_placements_ws_campaign) plus primary-key and
 * ix_placement_checks_placement probes per row. */
lc_err store_report_rows(struct db *db, int64_t workspace_id, int64_t campaign_id, int64_t after_id,
    unsigned limit, struct db_rows *out);

/* store_share_insert adds a share link. campaign_id 0: the whole workspace; label may be
 * NULL; hash is the SHA-256 of the link's secret (32 bytes). */
lc_err store_share_insert(struct db *db, const char *public_id, int64_t workspace_id,
    int64_t campaign_id, const unsigned char *hash, const char *label, const char *created_by,
    const char *now_sql, const char *expires_sql);

/* Columns of store_share_list and store_share_find. */
enum {
	RSL_COL_ID,
	RSL_COL_PUBLIC,
	RSL_COL_CAMPAIGN_PUBLIC,
	RSL_COL_CAMPAIGN_NAME,
	RSL_COL_LABEL,
	RSL_COL_CREATED_BY,
	RSL_COL_CREATED,
	RSL_COL_EXPIRES,
	RSL_COL_REVOKED
};
/* store_share_list reads up to limit of the workspace's share links with id < before_id
 * (0: from the newest), newest first (ix_report_shares_ws). */
lc_err store_share_list(
    struct db *db, int64_t workspace_id, int64_t before_id, unsigned limit, struct db_rows *out);
/* store_share_count counts the workspace's share links (one row, ix_report_shares_ws). */
lc_err store_share_count(struct db *db, int64_t workspace_id, struct db_rows *out);
/* store_share_find reads the workspace's share link public_id (0 or 1 row). */
lc_err store_share_find(
    struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out);
/* store_share_revoke sets revoked_at of the workspace's share link id unless it is set. */
lc_err store_share_revoke(struct db *db, int64_t workspace_id, int64_t id, const char *now_sql);

/* Columns of store_share_open. */
enum {
	RSO_COL_HASH,
	RSO_COL_EXPIRES,
	RSO_COL_REVOKED,
	RSO_COL_WORKSPACE,
	RSO_COL_WORKSPACE_PUBLIC,
	RSO_COL_WORKSPACE_NAME,
	RSO_COL_ACCOUNT,
	RSO_COL_CAMPAIGN_PUBLIC,
	RSO_COL_CAMPAIGN_ID
};
/* store_share_open reads share link public_id (any workspace: the link is its own
 * credential) with its token hash, its workspace and campaign (0 or 1 row). */
lc_err store_share_open(struct db *db, const char *public_id, struct db_rows *out);

#endif
