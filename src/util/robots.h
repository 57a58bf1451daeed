/* robots.h: robots.txt (RFC 9309) — does a site let a crawler fetch a path? Pure C over
 * the file's bytes (any bytes: a hostile site writes it); no I/O. */
#ifndef LC_ROBOTS_H
#define LC_ROBOTS_H

#include <stddef.h>

#define ROBOTS_MAX_BYTES (512 * 1024) /* RFC 9309 §2.5: at least 500 KiB are parsed */

/* robots_allowed is 1 when robots.txt txt (len bytes, borrowed) lets the crawler whose
 * product token is agent (e.g. "linkcamp-placement-check"; ASCII case-insensitive) fetch
 * path (the URL's path and query, starting with '/'), 0 when it disallows it. The groups
 * naming agent apply (merged), else the "*" group, else everything is allowed; within
 * them the longest matching rule wins ('*' matches any run, a final '$' anchors the end),
 * and allow wins a tie. Past ROBOTS_MAX_BYTES the file is not read. */
int robots_allowed(const char *txt, size_t len, const char *agent, const char *path);

/* robots_agent_token copies the product token of a User-Agent string (its first run of
 * letters, digits, '-' and '_') into out (outlen bytes); "" when it has none. */
void robots_agent_token(const char *user_agent, char *out, size_t outlen);

#endif
