/* cli_domain.h: `linkcamp domain add|list|check` and the doctor's DNS checks
 * (docs/dkim.md). */
#ifndef LC_CLI_DOMAIN_H
#define LC_CLI_DOMAIN_H

#include "core/core.h"
#include "util/config.h"

/* cli_domain runs argv[1..] (argv[0] is "domain"); returns the exit status:
 *   domain add WS_ID DOMAIN [--selector S]   makes the keys, prints the id and the
 *                                            records to publish
 *   domain list WS_ID                         one line per domain
 *   domain zone WS_ID DOMAIN_ID               the DKIM records as zone file lines
 *   domain check WS_ID DOMAIN_ID [--from ADDRESS]   the DNS check, item by item
 *                                            (exit 1 when an item is not ok) */
int cli_domain(struct core *core, const struct config *cfg, int argc, char **argv);

/* cli_domain_doctor checks [dns] resolver and every sending domain (up to 200) for
 * `linkcamp doctor`, printing lines like the doctor's ("ok", "warn", "FAIL"); *failed is
 * set when a resolver does not answer or a DKIM key record is missing or wrong. */
void cli_domain_doctor(struct core *core, const struct config *cfg, int *failed);

#endif
