/* passwords.h: users' passwords — what is acceptable, and Argon2id hashes of them
 * (libsodium's crypto_pwhash_str). A password is never logged, never stored in clear and
 * never kept in a buffer longer than the call that hashes or verifies it. */
#ifndef LC_PASSWORDS_H
#define LC_PASSWORDS_H

#include <sodium.h>

#include "util/err.h"

#define USER_PASSWORD_MIN 8    /* characters */
#define USER_PASSWORD_MAX 1024 /* bytes */
#define PASSWORD_HASH_MAX crypto_pwhash_STRBYTES

/* users_password_ok is 1 when pw is acceptable as a password (UTF-8, no control
 * characters, USER_PASSWORD_MIN characters up to USER_PASSWORD_MAX bytes). */
int users_password_ok(const char *pw);

/* password_hash writes the Argon2id hash of pw (with its salt and parameters) to out.
 * LC_ENOMEM, the only failure libsodium reports here. */
lc_err password_hash(const char *pw, char out[PASSWORD_HASH_MAX]);

/* password_verify is 1 when pw matches stored, a hash password_hash wrote. stored NULL
 * (no such account, or it has no password) verifies against a hash of a random secret and
 * answers 0, so a wrong address costs as much time as a wrong password. */
int password_verify(const char *stored, const char *pw);

/* password_stale is 1 when stored was hashed with weaker parameters than password_hash
 * uses now: the caller hashes the password it just verified again. */
int password_stale(const char *stored);

#endif
