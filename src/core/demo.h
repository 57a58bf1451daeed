/* demo.h: seeding the demo account for the local stack. */
#ifndef LC_DEMO_H
#define LC_DEMO_H

#include "core/core.h"

struct demo_result {
	char account_id[ID_MAX], workspace_id[ID_MAX], other_workspace_id[ID_MAX];
	char api_key[KEY_MAX], approver_key[KEY_MAX], account_key[KEY_MAX], other_api_key[KEY_MAX];
	char campaign_id[ID_MAX]; /* the SERP campaign of the first workspace */
	char domain_id[ID_MAX];   /* its sending domain northwind.example (DKIM selector "demo");
	                             empty without a [mailboxes] key_file */
	char other_domain_id[ID_MAX]; /* the second workspace's (selector "demo2") */
};

/* demo_seed creates the demo agency, its workspaces, keys, credits and campaigns with a
 * played history. Run it on an empty database; keys are written to out only. */
lc_err demo_seed(struct core *core, struct demo_result *out);

/* demo_mailboxes_seed gives the workspace of who two mailboxes (one paused by an AUTH
 * failure), makes campaign_id send from them and approves three of its drafts, held by
 * pacing with their next slot (demo_mailboxes.c). Nothing when no mailbox key is loaded. */
lc_err demo_mailboxes_seed(struct core *core, const struct principal *who, const char *campaign_id);
/* demo_placement seeds, inside the caller's transaction, the placement of relationship
 * rel_id (on domain; the campaign's target_url) with the verdict which (0 live, 1
 * live_with_issues, 2 missing, 3 unverifiable) and the evidence of one check at at_ms
 * (demo_placements.c). db errors. */
lc_err demo_placement(struct db *db, int64_t workspace_id, int64_t campaign_id, int64_t rel_id,
    const char *domain, const char *target_url, unsigned which, int64_t at_ms);

#endif
