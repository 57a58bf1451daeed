/* ids.h: public ids ("scmp_" + 22 URL-safe characters from the CSPRNG) and secret tokens. */
#ifndef LC_IDS_H
#define LC_IDS_H

#include <stddef.h>
#include "util/err.h"

#define ID_MAX 48          /* buffer size that fits every public id */
#define ID_RANDOM_CHARS 22 /* 16 random bytes in base64url without padding */
#define KEY_MAX 64         /* buffer size for an API key */
#define KEY_HASH_LEN 32    /* SHA-256 */

/* id_new writes prefix (e.g. "scmp_") followed by 22 random URL-safe characters.
 * Needs sodium_init() to have run. out must hold ID_MAX bytes. */
void id_new(const char *prefix, char out[ID_MAX]);

/* id_has_shape is 1 when s[0..len) is prefix plus 16..40 characters of [A-Za-z0-9_-]. */
int id_has_shape(const char *prefix, const char *s, size_t len);

/* key_new writes a new secret API key "lck_" + 43 random URL-safe characters. */
void key_new(char out[KEY_MAX]);

/* key_hash writes the SHA-256 of the key; only this is stored. */
void key_hash(const char *key, size_t len, unsigned char out[KEY_HASH_LEN]);

#endif
