/* fuzz_mime.c: libFuzzer target for the inbound mail parser (src/mail/mime.c), the one
 * parser that sees bytes from anybody on the internet. Besides running mime_parse it feeds
 * the same bytes to the HTML converter, the quote stripper and the unsubscribe rules, and
 * aborts when a result breaks a promise of mime.h (valid UTF-8 without NUL, msg-id and link
 * shapes, size limits), so the fuzzer finds wrong output, not only crashes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mail/mime.h"
#include "util/utf8.h"

static void fuzz_init(void);
static void fuzz_die(const char *);
static void fuzz_str(const char *, int);
static void fuzz_id(const char *);
static void fuzz_check(const struct mime_parsed *);

/* fuzz_init runs GMime's set-up once and its shutdown at exit, for leak checkers. */
static void
fuzz_init(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	mime_global_init();
	atexit(mime_global_shutdown);
}

static void
fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_mime: broken promise: %s\n", what);
	abort();
}

/* fuzz_str checks a string of the result: valid UTF-8 (which excludes NUL) and no CR; one
 * line unless multiline. */
static void
fuzz_str(const char *s, int multiline)
{
	if (s == NULL)
		return;
	if (!utf8_valid(s, strlen(s)))
		fuzz_die("string not valid UTF-8");
	if (strchr(s, '\r') != NULL)
		fuzz_die("CR in a string");
	if (!multiline && strchr(s, '\n') != NULL)
		fuzz_die("LF in a header string");
}

static void
fuzz_id(const char *id)
{
	size_t l;

	if (id == NULL)
		return;
	l = strlen(id);
	if (l < 3 || id[0] != '<' || id[l - 1] != '>' || strchr(id, ' ') || l > MIME_ID_LEN_MAX)
		fuzz_die("msg-id shape");
}

static void
fuzz_check(const struct mime_parsed *p)
{
	size_t i;

	if (p->text == NULL || p->text_new == NULL || p->subject == NULL)
		fuzz_die("text, text_new or subject NULL");
	fuzz_str(p->text, 1);
	fuzz_str(p->text_new, 1);
	fuzz_str(p->subject, 0);
	fuzz_str(p->from_email, 0);
	fuzz_str(p->from_name, 0);
	fuzz_str(p->to_email, 0);
	fuzz_str(p->auto_submitted, 0);
	fuzz_str(p->references, 0);
	fuzz_str(p->bounce_recipient, 0);
	fuzz_str(p->bounce_status, 0);
	fuzz_id(p->message_id);
	fuzz_id(p->in_reply_to);
	fuzz_id(p->bounce_original_message_id);
	if (strlen(p->text) > MIME_TEXT_MAX)
		fuzz_die("text over MIME_TEXT_MAX");
	fuzz_str(p->recipients, 0);
	fuzz_str(p->bounce_action, 0);
	if (p->klass > MIME_DELAYED || (p->bounce_hard != 0 && p->bounce_hard != 1))
		fuzz_die("class or bounce_hard out of range");
	if (p->klass != MIME_BOUNCE && p->klass != MIME_DELAYED &&
	    (p->bounce_status || p->bounce_recipient || p->bounce_action))
		fuzz_die("bounce fields outside a bounce");
	if (p->klass == MIME_DELAYED && p->bounce_hard)
		fuzz_die("a delayed DSN is never hard");
	/* a return day only for an auto-reply, at 00:00 UTC */
	if (p->ooo_return_ms != -1 && (p->klass != MIME_AUTO_REPLY || p->ooo_return_ms < 0 ||
	                                  p->ooo_return_ms % 86400000 != 0))
		fuzz_die("ooo_return_ms");
	if (p->nlinks > MIME_LINKS_MAX || (p->nlinks > 0 && p->links == NULL))
		fuzz_die("links");
	for (i = 0; i < p->nlinks; i++) {
		fuzz_str(p->links[i], 0);
		if (strlen(p->links[i]) > MIME_LINK_LEN_MAX || strchr(p->links[i], ' ') ||
		    strstr(p->text_new, p->links[i]) == NULL)
			fuzz_die("link shape");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_parsed p;
	char *copy, *out;
	lc_err e;

	fuzz_init();
	e = mime_parse((const char *)data, size, &p);
	if (e == LC_OK) {
		fuzz_check(&p);
		mime_parsed_free(&p);
	} else if (e != LC_EINVAL) {
		fuzz_die("mime_parse error other than LC_EINVAL");
	} else if (p.text != NULL || p.subject != NULL) {
		fuzz_die("output left after an error");
	}
	/* the text helpers on the raw bytes (NUL-terminated copy where they want a string) */
	if (mime_html_to_text((const char *)data, size, &out) != LC_OK)
		fuzz_die("mime_html_to_text failed");
	fuzz_str(out, 1);
	free(out);
	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	if (mime_text_new(copy, &out) != LC_OK)
		fuzz_die("mime_text_new failed");
	if (strlen(out) > strlen(copy) + 1)
		fuzz_die("text_new longer than its text");
	free(out);
	(void)mime_is_unsubscribe(copy, copy);
	free(copy);
	return 0;
}
