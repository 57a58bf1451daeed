/* json_body.c: which request bodies are read as JSON, for the bearer-key fronts (the API
 * and /mcp) alike. */
#include <string.h>
#include <strings.h>
#include <jansson.h>

#include "http/dispatch.h"

static int media_type_is(const char *, const char *);

/* media_type_is is 1 when the Content-Type ct (may be NULL) is type, with or without
 * parameters. */
static int
media_type_is(const char *ct, const char *type)
{
	size_t n = strlen(type);

	return ct != NULL && strncasecmp(ct, type, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int
http_body_is_json(const char *content_type, const char *body, size_t len)
{
	json_error_t jerr;
	json_t *doc;
	size_t i = 0;

	if (media_type_is(content_type, "application/json"))
		return 1;
	/* curl -d '{...}' without -H sends its JSON as a form: taken as JSON when it is an
	 * object. Safe on bearer-key routes only: a cross-site form cannot carry the key. */
	if (!media_type_is(content_type, "application/x-www-form-urlencoded"))
		return 0;
	while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
		i++;
	if (i == len || body[i] != '{')
		return 0;
	doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	i = json_is_object(doc);
	json_decref(doc);
	return (int)i;
}
