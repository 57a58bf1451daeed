/* like.h: "contains" patterns for SQL LIKE ... ESCAPE '!'. */
#ifndef LC_LIKE_H
#define LC_LIKE_H

#include <stddef.h>

/* like_contains writes "%<s with % _ ! escaped by !>%" into out (size outlen).
 * Returns 0, or -1 when it does not fit. */
int like_contains(const char *s, char *out, size_t outlen);

#endif
