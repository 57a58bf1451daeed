/* ui_labels.c: one table from the API's identifiers to the words the pages show. The
 * identifiers come from src/core's name tables (names.c, inbound.c, pacing.c,
 * placement_verdict.c); an identifier added there and not here still shows, as itself,
 * and tests/unit/test_ui_labels.c fails until it has its words. */
#include <stdlib.h>
#include <string.h>

#include "ui/ui_labels.h"

struct label {
	const char *code, *words;
};

/* sorted by code (strcmp order) for bsearch; the unit test looks up every entry */
static const struct label labels[] = {
    {"anchor_differs", "anchor text differs"},
    {"auto_reply", "automatic reply"},
    {"auto_response", "automatic reply"},
    {"awaiting_approval", "awaiting approval"},
    {"canonical_elsewhere", "canonical points elsewhere"},
    {"daily_cap", "daily limit reached"},
    {"delayed", "delivery delayed"},
    {"domain_rate", "recipient domain's limit"},
    {"follow_up", "follow-up"},
    {"link_placed", "link placed"},
    {"mailbox_error", "mailbox error"},
    {"mailbox_paused", "mailbox paused"},
    {"no_response", "no response"},
    {"noindex_header", "noindex (X-Robots-Tag)"},
    {"noindex_meta", "noindex (meta robots)"},
    {"not_followed", "not followed (nofollow, sponsored or ugc)"},
    {"outside_window", "outside the sending window"},
    {"rel_differs", "rel differs from expected"},
    {"respond", "reply"},
    {"robots_disallowed", "robots.txt blocks Googlebot"},
    {"send_email", "one-off email"},
    {"suppressed", "do-not-email"},
    {"unknown", "outcome unknown"},
};

static int
label_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct label *)elem)->code);
}

const char *
ui_label(const char *code)
{
	const struct label *l;

	if (code == NULL)
		return NULL;
	l = bsearch(code, labels, sizeof(labels) / sizeof(labels[0]), sizeof(labels[0]), label_cmp);
	return l ? l->words : code;
}

void
ui_labels_join(const char *codes, char *out, size_t n)
{
	char code[64];
	size_t used = 0;
	const char *p = codes ? codes : "";

	out[0] = '\0';
	while (*p) {
		size_t len = strcspn(p, ","), wl, sep;
		const char *w;

		/* identifiers are short; a longer item is not one and is left out */
		if (len > 0 && len < sizeof(code)) {
			memcpy(code, p, len);
			code[len] = '\0';
			w = ui_label(code);
			wl = strlen(w);
			sep = used > 0 ? 2 : 0;
			if (used + sep + wl + 1 > n)
				return;
			memcpy(out + used, ", ", sep);
			memcpy(out + used + sep, w, wl + 1);
			used += sep + wl;
		}
		p += len;
		if (*p == ',')
			p++;
	}
}
