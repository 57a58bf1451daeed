/* hdr_encode.h: writing one RFC 5322 header field, folded, with RFC 2047 encoded-words
 * where its text is not plain ASCII. compose.c builds every header of a message with it.
 *
 * A field is written in three steps: hdr_begin writes "Name:", the hdr_token, hdr_words,
 * hdr_phrase and hdr_text calls write its value token by token (a token is never split;
 * between tokens the field is folded with CRLF SP when the next would pass
 * HDR_LINE_SOFT, or HDR_LINE_EW on a line holding an encoded-word), and hdr_end writes
 * the CRLF. Every text given must already be valid UTF-8 without control characters
 * (compose.c checks a whole message before it writes a byte); the out buffer belongs to
 * the caller, and on an error it holds part of the field (compose.c then cuts it back). */
#ifndef LC_MAIL_HDR_ENCODE_H
#define LC_MAIL_HDR_ENCODE_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

#define HDR_LINE_SOFT 78  /* header lines are folded to this (RFC 5322 2.1.1 SHOULD) */
#define HDR_LINE_HARD 998 /* no line is ever longer (RFC 5322 2.1.1 MUST) */
#define HDR_LINE_EW 76    /* a line holding an encoded-word (RFC 2047 2) */

/* A header field being written; the caller only declares it, hdr_begin sets it up. */
struct hdr_field {
	struct buf *out;
	size_t col;  /* octets on the current physical line, CRLF not counted */
	size_t ntok; /* tokens written so far */
	int ew_line; /* the current line holds an encoded-word */
	int ew_next; /* the next token is an encoded-word */
};

/* hdr_is_atext is 1 for a character of atext (RFC 5322 3.2.3), the letters of an atom and
 * of a dot-atom's parts. */
int hdr_is_atext(unsigned char c);

/* hdr_is_wsp is 1 for WSP (RFC 5322): a space or a horizontal tab. */
int hdr_is_wsp(char c);

/* hdr_begin starts field name (printable ASCII without ":", borrowed) in out, which h
 * borrows until hdr_end. Errors: LC_ENOMEM when out's max is exceeded. */
lc_err hdr_begin(struct hdr_field *h, struct buf *out, const char *name);

/* hdr_token writes pre, s[0..n) and post as one unbreakable token after a space or, when
 * it would pass the line's soft limit and is not the field's first token, after a fold.
 * Errors: LC_EINVAL when the token cannot fit in HDR_LINE_HARD octets even on a line of
 * its own; LC_ENOMEM when out's max is exceeded. */
lc_err hdr_token(struct hdr_field *h, const char *pre, const char *s, size_t n, const char *post);

/* hdr_words writes the words of s[0..n), split at runs of spaces and tabs, as tokens, so
 * the field is folded between words. Errors: those of hdr_token. */
lc_err hdr_words(struct hdr_field *h, const char *s, size_t n);

/* hdr_encoded writes UTF-8 s[0..n) as RFC 2047 UTF-8 encoded-words of at most 75
 * characters, each holding whole characters only, one token per word. Q is used when it
 * is not longer than B; a B word another follows has no "=" padding (see hdr_encode.c).
 * Errors: LC_ENOMEM when out's max is exceeded. */
lc_err hdr_encoded(struct hdr_field *h, const char *s, size_t n);

/* hdr_phrase writes the display name s[0..n) (RFC 5322 3.2.5): as atoms when it is a
 * phrase of plain atoms, as a quoted-string when it is printable ASCII that fits on the
 * current line, otherwise as encoded-words (which never go inside quotes). Errors: those
 * of hdr_token. */
lc_err hdr_phrase(struct hdr_field *h, const char *s, size_t n);

/* hdr_text writes unstructured text s[0..n) (a subject): as folded plain words when it is
 * printable ASCII with single spaces, no "=?" and words that fit a line, otherwise as
 * encoded-words. Errors: those of hdr_token. */
lc_err hdr_text(struct hdr_field *h, const char *s, size_t n);

/* hdr_end ends the field with CRLF. Errors: LC_ENOMEM when out's max is exceeded. */
lc_err hdr_end(struct hdr_field *h);

#endif
