/* fuzz_link_find.c: libFuzzer target for the placement checker's HTML link finder and URL
 * comparison (src/hook/link_find.c), which read pages fetched from anybody's site. The
 * first line of the input is the target URL, the rest the page, read as if fetched from
 * https://blog.example/post/1. Promises checked, from link_find.h and docs/placements.md:
 * link_find answers 0, 1 or -1 (no document at all) for any bytes; a link is only ever found for an
 * absolute http(s) target, and link_url_same of two URLs is 1 only when both are absolute http(s)
 * URLs; link_url_same is reflexive on those and ignores a fragment, a trailing slash, the case of
 * the scheme and the host, a final dot of the host, and http versus https when no port is given;
 * and a page that is nothing but <a href="target"> links to a plain target. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "hook/link_find.h"
#include "util/buf.h"

#define PAGE_URL "https://blog.example/post/1"

static void fuzz_die(const char *);
static void fuzz_init(void);
static void fuzz_same(const char *);
static int fuzz_plain(const char *);

static void
fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_link_find: broken promise: %s\n", what);
	abort();
}

static void
fuzz_init(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	link_find_init();
	atexit(link_find_cleanup);
}

/* fuzz_plain is 1 when t is a URL of only unreserved characters, '/' and ':' after a
 * scheme, with no query, fragment, user info or percent escape. */
static int
fuzz_plain(const char *t)
{
	return (strncasecmp(t, "http://", 7) == 0 || strncasecmp(t, "https://", 8) == 0) &&
	       strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/:") ==
	           strlen(t);
}

/* fuzz_same checks link_url_same's rules on variants of the valid URL t. */
static void
fuzz_same(const char *t)
{
	struct buf b;
	const char *rest, *host;
	size_t i, hl;
	char *v;

	if (link_url_same(t, t) != 1)
		fuzz_die("link_url_same is not reflexive");
	if (!fuzz_plain(t))
		return;
	buf_init(&b, 1 << 20);
	/* a fragment, a trailing slash */
	if (buf_printf(&b, "%s#frag", t) != LC_OK || link_url_same(b.data, t) != 1)
		fuzz_die("a fragment changes the page");
	b.len = 0;
	if (buf_printf(&b, "%s/", t) != LC_OK || link_url_same(b.data, t) != 1 ||
	    link_url_same(t, b.data) != 1)
		fuzz_die("a trailing slash changes the page");
	/* the case of scheme and host */
	b.len = 0;
	if (buf_printf(&b, "%s", t) != LC_OK)
		fuzz_die("buf");
	v = b.data;
	rest = strstr(t, "://") + 3;
	host = v + (rest - t);
	hl = strcspn(host, "/");
	for (i = 0; v + i < host + hl; i++)
		if (v[i] >= 'a' && v[i] <= 'z')
			v[i] = (char)(v[i] - 32);
		else if (v[i] >= 'A' && v[i] <= 'Z')
			v[i] = (char)(v[i] + 32);
	if (link_url_same(v, t) != 1)
		fuzz_die("the case of the scheme or host changes the page");
	/* http and https without a port; a final dot of the host */
	if (strchr(rest, ':') == NULL) {
		b.len = 0;
		if (buf_printf(&b, "%s://%s", strncasecmp(t, "https", 5) == 0 ? "http" : "https",
		        rest) != LC_OK ||
		    link_url_same(b.data, t) != 1)
			fuzz_die("http versus https changes the page");
		hl = strcspn(rest, "/");
		b.len = 0;
		if (hl > 0 && rest[hl - 1] != '.' &&
		    (buf_printf(&b, "%.*s.%s", (int)(rest - t + hl), t, rest + hl) != LC_OK ||
		        link_url_same(b.data, t) != 1))
			fuzz_die("a final dot of the host changes the page");
	}
	/* a page with just that link */
	b.len = 0;
	if (buf_printf(&b, "<a href=\"%s\">x</a>", t) != LC_OK ||
	    link_find(b.data, b.len, PAGE_URL, t) != 1)
		fuzz_die("a page of just <a href=target> does not link to target");
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t tl = nl ? (size_t)(nl - (const char *)data) : size;
	char *target;
	int r, valid;

	fuzz_init();
	if ((target = malloc(tl + 1)) == NULL)
		return 0;
	memcpy(target, data, tl);
	target[tl] = '\0';
	valid = link_url_same(target, target);
	if (valid && strlen(target) == tl)
		fuzz_same(target);
	if (link_url_same(target, PAGE_URL) && !valid)
		fuzz_die("link_url_same matched a URL that is not absolute http(s)");
	r = link_find(nl ? nl + 1 : "", nl ? size - tl - 1 : 0, PAGE_URL, target);
	if (r != 0 && r != 1 && r != -1)
		fuzz_die("link_find answer outside 0, 1 and -1");
	if (r == 1 && !valid)
		fuzz_die("link found for a target that is not an absolute http(s) URL");
	free(target);
	return 0;
}
