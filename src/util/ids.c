#include <string.h>
#include <sodium.h>

#include "util/ids.h"

void
id_new(const char *prefix, char out[ID_MAX])
{
	unsigned char raw[16];
	size_t plen = strlen(prefix);

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, prefix, plen);
	sodium_bin2base64(
	    out + plen, ID_MAX - plen, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int
id_has_shape(const char *prefix, const char *s, size_t len)
{
	size_t plen = strlen(prefix), i;

	if (len < plen + 16 || len > plen + 40 || memcmp(s, prefix, plen) != 0)
		return 0;
	for (i = plen; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		        c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

void
key_new(char out[KEY_MAX])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, "lck_", 4);
	sodium_bin2base64(
	    out + 4, KEY_MAX - 4, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

void
key_hash(const char *key, size_t len, unsigned char out[KEY_HASH_LEN])
{
	crypto_hash_sha256(out, (const unsigned char *)key, len);
}
