/* passwords.c: acceptable passwords and their Argon2id hashes. */
#include <pthread.h>
#include <string.h>

#include "core/passwords.h"
#include "core/secret.h"
#include "core/validate.h"
#include "util/utf8.h"

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[PASSWORD_HASH_MAX];

static void dummy_init(void);

int
users_password_ok(const char *pw)
{
	size_t len = strlen(pw);

	return len <= USER_PASSWORD_MAX && utf8_valid(pw, len) &&
	       text_valid(pw, USER_PASSWORD_MIN, USER_PASSWORD_MAX, 0);
}

lc_err
password_hash(const char *pw, char out[PASSWORD_HASH_MAX])
{
	if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return LC_ENOMEM; /* the only failure libsodium reports here: no memory */
	return LC_OK;
}

/* dummy_init makes a hash to verify against when the address is unknown, so a wrong
 * address costs as much time as a wrong password. */
static void
dummy_init(void)
{
	char pw[USER_SECRET_MAX];

	secret_new(pw);
	if (password_hash(pw, dummy_hash) != LC_OK)
		dummy_hash[0] = '\0';
	sodium_memzero(pw, sizeof(pw));
}

int
password_verify(const char *stored, const char *pw)
{
	size_t len = strlen(pw);
	int known = stored != NULL;

	if (!known) {
		pthread_once(&dummy_once, dummy_init);
		stored = dummy_hash;
	}
	return len <= USER_PASSWORD_MAX && stored[0] != '\0' &&
	       crypto_pwhash_str_verify(stored, pw, len) == 0 && known;
}

int
password_stale(const char *stored)
{
	return crypto_pwhash_str_needs_rehash(stored, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	           crypto_pwhash_MEMLIMIT_INTERACTIVE) == 1;
}
