/* secret.c: random secrets for people, and the hashes kept of them (libsodium). */
#include <string.h>
#include <sodium.h>

#include "core/secret.h"

void
secret_new(char out[USER_SECRET_MAX])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(
	    out, USER_SECRET_MAX, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

int
secret_equal(const char *a, const char *b)
{
	size_t n;

	if (a == NULL || b == NULL || (n = strlen(a)) != strlen(b) || n == 0)
		return 0;
	return sodium_memcmp(a, b, n) == 0;
}

int
secret_shape(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		char c = s[i];
		if (i >= USER_SECRET_LEN || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		                                (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return i == USER_SECRET_LEN;
}

void
secret_hash(const char *s, unsigned char out[32])
{
	crypto_hash_sha256(out, (const unsigned char *)s, strlen(s));
}

void
address_hash(const char *s, unsigned char out[32])
{
	crypto_hash_sha256_state st;
	char c;

	crypto_hash_sha256_init(&st);
	for (; *s; s++) {
		c = (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a') : *s;
		crypto_hash_sha256_update(&st, (const unsigned char *)&c, 1);
	}
	crypto_hash_sha256_final(&st, out);
}
