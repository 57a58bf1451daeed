/* mime_internal.h: declarations shared by mime.c, mime_util.c, mime_text.c, mime_html.c,
 * mime_classify.c and mime_ooo.c. The helpers of mime_util.c call nothing else here; the
 * text helpers of mime_text.c call only those: no circle between the files.
 *
 * Not part of the public API (that is mime.h): nothing outside src/mail/mime*.c includes this.
 * Helpers borrow their arguments; whoever returns a string says who frees it. */
#ifndef LC_MAIL_MIME_INTERNAL_H
#define LC_MAIL_MIME_INTERNAL_H

#include <stddef.h>
#include <gmime/gmime.h>
#include "mail/mime.h"
#include "util/buf.h"
#include "util/err.h"

#define MIME_HDR_MAX 65536 /* bytes of one header value we look at */

#define MIME_DEPTH_MAX 64                 /* MIME levels walked looking for a body or a report */
#define MIME_WORK_MAX ((size_t)256 << 20) /* hard cap of any intermediate buffer */
#define MIME_ADDR_MAX 320

/* mime.c: ASCII string helpers (locale-independent) and GMime access. */

/* mime_lower returns c lower-cased (ASCII only). */
char mime_lower(char c);
/* mime_is_digit is 1 for an ASCII digit. */
int mime_is_digit(char c);
/* mime_is_alpha is 1 for an ASCII letter. */
int mime_is_alpha(char c);
/* mime_is_alnum is 1 for an ASCII letter or digit. */
int mime_is_alnum(char c);
/* mime_is_wsp is 1 for ASCII whitespace (space, TAB, CR, LF, FF, VT). */
int mime_is_wsp(char c);
/* mime_has_prefix is 1 when s[0..len) starts with prefix, ASCII case-insensitively. */
int mime_has_prefix(const char *s, size_t len, const char *prefix);
/* mime_find returns the first ASCII case-insensitive needle in s[0..len) (inside s), or NULL. */
const char *mime_find(const char *s, size_t len, const char *needle);
/* mime_eq is 1 when s[0..len) (s may be NULL) equals lit, ASCII case-insensitively. */
int mime_eq(const char *s, size_t len, const char *lit);
/* mime_in_list is 1 when s[0..len) equals one of the NULL-terminated list, case-insensitively. */
int mime_in_list(const char *s, size_t len, const char *const *list);
/* mime_buf_take moves b's string into *out (caller frees; "" when b is empty); LC_ENOMEM. */
lc_err mime_buf_take(struct buf *b, char **out);
/* mime_dup_line stores a cleaned, trimmed one-line copy of s in *out (caller frees) or NULL. */
lc_err mime_dup_line(const char *s, int keep_empty, char **out);
/* mime_fold returns a case-folded copy of valid UTF-8 s that the caller g_frees, or NULL. */
char *mime_fold(const char *s);
/* mime_msgids appends the msg-ids of header value s[0..n) to b as "<id> ..." and counts them. */
lc_err mime_msgids(const char *s, size_t n, struct buf *b, size_t *count);
/* mime_header_ids stores the msg-ids of header name of obj in *out (caller frees) or NULL. */
lc_err mime_header_ids(GMimeObject *obj, const char *name, int first_only, char **out);
/* mime_part_bytes decodes part into a memory *stream the caller unrefs; *data borrows it. */
void mime_part_bytes(GMimePart *part, const char **data, size_t *len, GMimeStream **stream);
/* mime_ct_is is 1 when obj's content type is type/subtype (subtype "*" matches any). */
int mime_ct_is(GMimeObject *obj, const char *type, const char *subtype);

/* mime_text.c: UTF-8, charsets, format=flowed, HTML, quote stripping, links. */

/* mime_utf8_seq returns the length (1..4) of the well-formed UTF-8 sequence at s, or 0. */
size_t mime_utf8_seq(const unsigned char *s, size_t n);
/* mime_clean appends s[0..n) to b as valid UTF-8 without NUL (see mime_text.c); LC_ENOMEM. */
lc_err mime_clean(struct buf *b, const char *s, size_t n, int oneline);
/* mime_to_utf8 appends s[0..n), declared in charset cs (may be NULL), to b as UTF-8. */
lc_err mime_to_utf8(struct buf *b, const char *cs, const char *s, size_t n);
/* windows-1252 code points of bytes 0x80..0x9F (also for HTML numeric references there). */
extern const unsigned short mime_cp1252_hi[32];
/* mime_put_cp appends code point cp as UTF-8 (U+FFFD for surrogates, 0 and > U+10FFFF). */
lc_err mime_put_cp(struct buf *b, unsigned cp);
/* mime_html_charset copies a <meta> charset of html into cs (size csz); returns cs or NULL. */
const char *mime_html_charset(const char *html, size_t n, char *cs, size_t csz);
/* mime_blank is 1 when s[0..n) holds only whitespace. */
int mime_blank(const char *s, size_t n);
/* mime_flowed appends format=flowed (RFC 3676) text s[0..n) to b as fixed lines. */
lc_err mime_flowed(struct buf *b, const char *s, size_t n, int delsp);
/* mime_html_convert appends the text of UTF-8 HTML s[0..n) to out (libxml2, mime_html.c);
 * LC_ENOMEM. */
lc_err mime_html_convert(const char *s, size_t n, struct buf *out);
/* mime_html_init readies libxml2's parser; called once, before any thread, by mime_init_once. */
void mime_html_init(void);
/* mime_line_starts is 1 when line l[0..n), after blanks, starts with one of list. */
int mime_line_starts(const char *l, size_t n, const char *const *list);
/* mime_strip appends text without its quoted part to out (struct mime_parsed.text_new). */
lc_err mime_strip(const char *text, struct buf *out);
/* mime_links adds the http(s) URLs of text to out->links (owned by out). */
lc_err mime_links(const char *text, struct mime_parsed *out);

/* mime_classify.c */

/* mime_classify sets p->klass and the bounce fields (see mime_parse). */
lc_err mime_classify(GMimeMessage *msg, struct mime_parsed *p);

#endif
