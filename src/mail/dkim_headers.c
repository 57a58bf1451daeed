/* dkim_headers.c: the header fields linkcamp's DKIM signatures cover. */
#include <stddef.h>

#include "mail/dkim_headers.h"

/* everything a reader sees or a filter judges by */
const char *const dkim_sign_headers[] = {"from", "to", "cc", "reply-to", "subject", "date",
    "message-id", "in-reply-to", "references", "mime-version", "content-type",
    "content-transfer-encoding", "list-unsubscribe", "list-unsubscribe-post", "list-id", NULL};
/* a second From, Subject, To or Reply-To, or an unsubscribe header, added in transit breaks
 * the signature */
const char *const dkim_oversign_headers[] = {
    "from", "to", "subject", "reply-to", "list-unsubscribe", "list-unsubscribe-post", NULL};
