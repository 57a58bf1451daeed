/* references.c: the References field of an answer to an inbound message (RFC 5322 3.6.4):
 * the parent's References (or, without one, nothing), then our message the parent
 * answered when the parent's References does not already name it (many clients write only
 * In-Reply-To), then the parent's own Message-ID. */
#include <stdlib.h>
#include <string.h>

#include "core/inbound.h"

static int refs_has(const char *, const char *);
static size_t refs_add(char *, size_t, const char *);

/* refs_has says whether the whitespace-separated list refs contains the token id. */
static int
refs_has(const char *refs, const char *id)
{
	size_t n = strlen(id);
	const char *p = refs;

	while (p && *p) {
		p += strspn(p, " \t");
		if (strncmp(p, id, n) == 0 && (p[n] == '\0' || p[n] == ' ' || p[n] == '\t'))
			return 1;
		p += strcspn(p, " \t");
	}
	return 0;
}

/* refs_add writes id (if any) at s + at, after a space unless at is 0, and returns the new
 * end; s has room (the caller sized it). */
static size_t
refs_add(char *s, size_t at, const char *id)
{
	size_t n;

	if (id == NULL)
		return at;
	if (at > 0)
		s[at++] = ' ';
	n = strlen(id);
	memcpy(s + at, id, n);
	return at + n;
}

lc_err
inbound_references_new(const char *parent_refs, const char *ours, const char *parent_id, char **out)
{
	size_t len, at;
	char *s;

	*out = NULL;
	if (parent_refs && parent_refs[strspn(parent_refs, " \t")] == '\0')
		parent_refs = NULL;
	if (ours && (ours[0] == '\0' || (parent_refs && refs_has(parent_refs, ours)) ||
	                (parent_id && strcmp(ours, parent_id) == 0)))
		ours = NULL;
	if (parent_id &&
	    (parent_id[0] == '\0' || (parent_refs && refs_has(parent_refs, parent_id))))
		parent_id = NULL;
	len = (parent_refs ? strlen(parent_refs) + 1 : 0) + (ours ? strlen(ours) + 1 : 0) +
	      (parent_id ? strlen(parent_id) + 1 : 0) + 1;
	if ((s = malloc(len)) == NULL)
		return LC_ENOMEM;
	at = refs_add(s, 0, parent_refs);
	at = refs_add(s, at, ours);
	at = refs_add(s, at, parent_id);
	s[at] = '\0';
	if (s[0] == '\0') {
		free(s);
		return LC_OK;
	}
	*out = s;
	return LC_OK;
}
