/* notify_text.h: the words of an approval email (issue 20, docs/notifications.md): one
 * item reads as it always did; several items gathered in one workspace read as a list of
 * short blocks, at most NOTIFY_LIST_MAX of them, then how many more wait. Pure functions:
 * no database, no clock. */
#ifndef LC_NOTIFY_TEXT_H
#define LC_NOTIFY_TEXT_H

#include <stddef.h>

#include "core/core.h"
#include "util/buf.h"

#define NOTIFY_SUBJECT_MAX 160 /* bytes with the NUL: a subject fits one folded header */
#define NOTIFY_LIST_MAX 25     /* items an email lists; the rest are counted */
#define NOTIFY_EXCERPT 600     /* bytes of a lone item's body quoted */

/* One item waiting for approval, as the email names it. Every string is borrowed and
 * NUL-terminated; body may be cut already (only its first NOTIFY_EXCERPT bytes show). */
struct notify_item {
	unsigned kind; /* enum msg_kind (core/sending.h) */
	const char *to, *campaign, *subject, *body, *msg_public;
};

/* notify_text_clean copies src into dst (dstlen > 4) as one line a header may carry: each
 * control character (CR, LF, TAB, DEL ...) becomes a space, each byte that starts no
 * well-formed UTF-8 character becomes '?', and the text is cut on a character boundary
 * at max bytes (and at dstlen - 4), ending in "…" when cut. Never fails. */
void notify_text_clean(char *dst, size_t dstlen, const char *src, size_t max);

/* notify_text_subject writes the subject of the email listing items[0..n) (n >= 1) of
 * the workspace named ws_name (borrowed) into out (NOTIFY_SUBJECT_MAX bytes): for one
 * item "Approval needed: <its subject>", for several "Approval needed: N messages in
 * "<workspace>"". Always header-safe and shorter than NOTIFY_SUBJECT_MAX. */
void notify_text_subject(
    const char *ws_name, const struct notify_item *items, size_t n, char out[NOTIFY_SUBJECT_MAX]);

/* notify_text_body appends the text of the email listing items[0..n) (n >= 1, oldest
 * first) of workspace ws_public named ws_name to out, with links under public_url: for
 * one item its block and an excerpt of its body, for several a block per item (at most
 * NOTIFY_LIST_MAX) and "and N more are waiting: <the queue's link>". LC_ENOMEM (or
 * buf's limit) when out cannot hold it; out is the caller's to free either way. */
lc_err notify_text_body(const char *public_url, const char *ws_public, const char *ws_name,
    const struct notify_item *items, size_t n, struct buf *out);

#endif
