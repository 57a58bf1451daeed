/* notify_text.c: the words of an approval email (notify_text.h). Names and subjects come
 * from users and from the API: whatever they hold, a subject stays one short header line
 * and a list block stays one block, so each is cleaned before it is written. */
#include <stdio.h>
#include <string.h>

#include "core/notify_text.h"
#include "core/sending.h"
#include "util/utf8.h"

#define NOTIFY_SUBJECT_TEXT 120 /* bytes of an item's subject in a lone item's Subject */
#define NOTIFY_WS_TEXT 100      /* bytes of a workspace's name in a Subject */
#define NOTIFY_LINE_TEXT 200    /* bytes of a name or subject in a list block */

static const char *kind_phrase(unsigned);

/* kind_phrase names a message kind the way the notice's first sentence reads: "A
 * follow-up to ...", "A reply to ...", never the API's names (auto_response). */
static const char *
kind_phrase(unsigned kind)
{
	switch (kind) {
	case MSG_DRAFT: return "A draft";
	case MSG_RESPOND: return "A reply";
	case MSG_AUTO_RESPONSE: return "An automatic reply";
	case MSG_FOLLOW_UP: return "A follow-up";
	case MSG_SEND_EMAIL:
	default: return "An email";
	}
}

void
notify_text_clean(char *dst, size_t dstlen, const char *src, size_t max)
{
	static const char ellipsis[] = "…"; /* 3 bytes */
	size_t len = strlen(src), room = dstlen - sizeof(ellipsis), cut, i;

	if (max > room)
		max = room;
	cut = utf8_prefix(src, max);
	memcpy(dst, src, cut);
	dst[cut] = '\0';
	/* controls first (a CR or LF must read as a space, not as '?'), then what is not
	 * UTF-8: utf8_sanitize leaves the length as it is */
	for (i = 0; i < cut; i++)
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = ' ';
	utf8_sanitize(dst);
	if (cut < len)
		memcpy(dst + cut, ellipsis, sizeof(ellipsis));
}

void
notify_text_subject(
    const char *ws_name, const struct notify_item *items, size_t n, char out[NOTIFY_SUBJECT_MAX])
{
	/* sized so that the longest subject (a count of 20 digits) still fits: no cut */
	char subject[NOTIFY_SUBJECT_TEXT + 4], ws[NOTIFY_WS_TEXT + 4];

	if (n == 1) {
		notify_text_clean(subject, sizeof(subject), items[0].subject, NOTIFY_SUBJECT_TEXT);
		snprintf(out, NOTIFY_SUBJECT_MAX, "Approval needed: %s", subject);
		return;
	}
	notify_text_clean(ws, sizeof(ws), ws_name, NOTIFY_WS_TEXT);
	snprintf(out, NOTIFY_SUBJECT_MAX, "Approval needed: %zu messages in \"%s\"", n, ws);
}

lc_err
notify_text_body(const char *public_url, const char *ws_public, const char *ws_name,
    const struct notify_item *items, size_t n, struct buf *out)
{
	char name[NOTIFY_LINE_TEXT + 4], campaign[NOTIFY_LINE_TEXT + 4];
	char subject[NOTIFY_LINE_TEXT + 4];
	size_t i, listed = n < NOTIFY_LIST_MAX ? n : NOTIFY_LIST_MAX;
	lc_err e;

	if (n == 1) {
		const struct notify_item *it = &items[0];
		size_t blen = strlen(it->body), cut = utf8_prefix(it->body, NOTIFY_EXCERPT);

		/* the one-item email is the one approvers have always had (docs/notifications.md)
		 */
		return buf_printf(out,
		    "%s to %s in campaign \"%s\" is waiting for your approval:\n\n"
		    "%s/app/w/%s/approvals/%s\n\n"
		    "Opening the link shows the message; nothing is approved or rejected until you "
		    "press a button there.\n\nSubject: %s\n\n%.*s%s\n",
		    kind_phrase(it->kind), it->to, it->campaign, public_url, ws_public,
		    it->msg_public, it->subject, (int)cut, it->body, cut < blen ? "\n[…]" : "");
	}
	notify_text_clean(name, sizeof(name), ws_name, NOTIFY_LINE_TEXT);
	if ((e = buf_printf(out,
	         "%zu messages in \"%s\" are waiting for your approval.\n\n"
	         "Opening a link shows the message; nothing is approved or rejected until you "
	         "press a button there.\n",
	         n, name)) != LC_OK)
		return e;
	for (i = 0; i < listed; i++) {
		const struct notify_item *it = &items[i];

		notify_text_clean(campaign, sizeof(campaign), it->campaign, NOTIFY_LINE_TEXT);
		notify_text_clean(subject, sizeof(subject), it->subject, NOTIFY_LINE_TEXT);
		if ((e = buf_printf(out,
		         "\n%zu. %s to %s in campaign \"%s\"\n   Subject: %s\n   "
		         "%s/app/w/%s/approvals/%s\n",
		         i + 1, kind_phrase(it->kind), it->to, campaign, subject, public_url,
		         ws_public, it->msg_public)) != LC_OK)
			return e;
	}
	if (n > listed)
		return buf_printf(out, "\nand %zu more are waiting: %s/app/w/%s/approvals\n",
		    n - listed, public_url, ws_public);
	return LC_OK;
}
