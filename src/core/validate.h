/* validate.h: the field rules of campaigns and prospects, shared by every front. */
#ifndef LC_VALIDATE_H
#define LC_VALIDATE_H

#include <stddef.h>
#include "core/core.h"

#define NAME_MAX_CHARS 200
#define URL_MAX_BYTES 2048
#define EMAIL_MAX_BYTES 320
#define DOMAIN_MAX_BYTES 253
#define SUBJECT_MAX_CHARS 998
#define BODY_MAX_BYTES (100 * 1024)
#define PROSPECTS_MAX 1000

/* campaign_id_valid is 1 when s has the shape of any campaign id. */
int campaign_id_valid(const char *s);
/* text_valid: UTF-8, 1..max_chars code points (min_chars 0 allows empty), and no control
 * characters except, when multiline, LF, CR and TAB. */
int text_valid(const char *s, size_t min_chars, size_t max_chars, int multiline);
/* email_valid: a pragmatic addr-spec (local@domain), ASCII, no spaces, <= 320 bytes. */
int email_valid(const char *s);
/* domain_valid: a DNS host name of LDH labels with at least one dot. */
int domain_valid(const char *s);
/* url_valid: an absolute http(s) URL with a host, printable ASCII, <= 2048 bytes. */
int url_valid(const char *s);
/* validate_campaign_new checks every field; LC_EINVAL with *bad_param on failure. */
lc_err validate_campaign_new(const struct campaign_new *in, const char **bad_param);

#endif
