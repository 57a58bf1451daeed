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

#endif
