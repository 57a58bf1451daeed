/* campaign_input.h: the JSON body of a new campaign (POST /v1/link-building/campaign
 * and `linkcamp campaign create`) into the core's struct campaign_new. */
#ifndef LC_CAMPAIGN_INPUT_H
#define LC_CAMPAIGN_INPUT_H

#include <jansson.h>
#include "core/core.h"

/* campaign_input_parse fills out from doc (borrowed; out's strings borrow from it) and
 * *prospects (caller frees with free()). LC_EINVAL with *bad_param naming the field that
 * is missing, unknown or of the wrong type (it may point into buf, of buflen bytes);
 * LC_ENOMEM. Field rules are the core's. */
lc_err campaign_input_parse(json_t *doc, struct campaign_new *out, struct prospect_in **prospects,
    const char **bad_param, char *buf, size_t buflen);

#endif
