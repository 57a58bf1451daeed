/* secret.h: the secrets core hands to people — session ids, set-password tokens — and the
 * hashes it keeps of them instead. Only the hash of a secret is ever stored, so a copy of
 * the database opens no session and uses no link. */
#ifndef LC_SECRET_H
#define LC_SECRET_H

#define USER_SECRET_LEN 43 /* session ids, set-password tokens, CSRF tokens: base64url */
#define USER_SECRET_MAX 48 /* of 32 bytes, 43 characters, and the NUL */

/* secret_new writes a new random URL-safe secret (43 characters) into out. */
void secret_new(char out[USER_SECRET_MAX]);
/* secret_equal compares two secrets in constant time for equal lengths; 0 when either is
 * NULL or they differ. */
int secret_equal(const char *a, const char *b);
/* secret_shape is 1 for a string secret_new could have written: anything else is refused
 * before it is hashed or looked up. */
int secret_shape(const char *s);
/* secret_hash writes the SHA-256 of the secret s, what the database keeps of it, to out. */
void secret_hash(const char *s, unsigned char out[32]);
/* address_hash writes the SHA-256 of an e-mail or client address, ASCII letters folded to
 * lower case, to out (the sign-in throttle's key). */
void address_hash(const char *s, unsigned char out[32]);

#endif
