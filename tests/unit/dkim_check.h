/* dkim_check.h: libopendkim's verifier for the DKIM unit tests (test_dkim.c signs with RSA
 * through libopendkim, test_dkim_ed25519.c with our own ed25519 signer): the public key
 * comes from a file instead of DNS. Linked into both. */
#ifndef LC_TEST_DKIM_CHECK_H
#define LC_TEST_DKIM_CHECK_H

#include <dkim.h>

/* dkim_keyfile_write makes a file from the mkstemp template path (rewritten in place) that
 * holds the key record "name v=DKIM1; k=k; p=pub" (name is "selector._domainkey.domain").
 * Returns 0, or -1 when the file cannot be made or written (for a cmocka setup). */
int dkim_keyfile_write(char *path, const char *name, const char *k, const char *pub);

/* dkim_check_file runs libopendkim's verifier over the NUL-terminated message m (its first
 * signature) with the key records of keyfile, and returns its verdict: DKIM_STAT_OK when
 * the signature verifies. Fails the running test when the library cannot be set up. */
DKIM_STAT dkim_check_file(const char *m, const char *keyfile);

/* dkim_check_edited is dkim_check_file over a copy of m in which the first old (which must
 * occur) is replaced by new: a tampered body or header, or a relay's refolding. */
DKIM_STAT dkim_check_edited(const char *m, const char *keyfile, const char *old, const char *new);

#endif
