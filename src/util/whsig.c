/* whsig.c: Standard Webhooks secrets and v1 signatures with libsodium's HMAC-SHA256. */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "util/whsig.h"

#define SECRET_PREFIX "whsec_"
#define SECRET_BYTES 32

void
whsig_secret_new(char out[WHSIG_SECRET_MAX])
{
	unsigned char raw[SECRET_BYTES];

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, SECRET_PREFIX, sizeof(SECRET_PREFIX) - 1);
	sodium_bin2base64(out + sizeof(SECRET_PREFIX) - 1,
	    WHSIG_SECRET_MAX - (sizeof(SECRET_PREFIX) - 1), raw, sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(raw, sizeof(raw));
}

lc_err
whsig_sign(const char *secret, const char *id, int64_t timestamp, const char *body, size_t len,
    char out[WHSIG_SIGNATURE_MAX])
{
	unsigned char key[64], mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char ts[32];
	const char *b64;
	size_t keylen = 0;
	int n;

	if (secret == NULL || strncmp(secret, SECRET_PREFIX, sizeof(SECRET_PREFIX) - 1) != 0)
		return LC_EINVAL;
	b64 = secret + sizeof(SECRET_PREFIX) - 1;
	if (sodium_base642bin(key, sizeof(key), b64, strlen(b64), NULL, &keylen, NULL,
	        sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    keylen == 0)
		return LC_EINVAL;
	n = snprintf(ts, sizeof(ts), "%lld", (long long)timestamp);
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (size_t)n);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "v1,", 3);
	sodium_bin2base64(
	    out + 3, WHSIG_SIGNATURE_MAX - 3, mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(key, sizeof(key));
	return LC_OK;
}
