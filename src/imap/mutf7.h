/* mutf7.h: IMAP's modified UTF-7 for mailbox names (RFC 3501 section 5.1.3). linkcamp
 * keeps a folder's name as people see it, in UTF-8 ("Courrier indésirable"), and says it
 * to the server in the form IMAP4rev1 requires ("Courrier ind&AOk-sirable"). */
#ifndef LC_MUTF7_H
#define LC_MUTF7_H

#include <stddef.h>

/* The longest encoding of an n-byte UTF-8 name, with its NUL: one byte of UTF-8 never
 * takes more than five of modified UTF-7 (a control character between printable ones
 * becomes a run of its own, "&AAE-"). */
#define MUTF7_SIZE(n) (5 * (n) + 1)

/* mutf7_encode writes utf8 (NUL-terminated) as modified UTF-7 into out (outlen bytes,
 * NUL-terminated). Printable ASCII stays as it is but "&", which becomes "&-"; every
 * other character goes, as UTF-16, into a "&...-" run of base64 with "," for "/".
 * Returns 0, or -1 when utf8 is not well-formed UTF-8 (overlong forms, surrogates and
 * code points above U+10FFFF included) or out is too small; out is then "". */
int mutf7_encode(const char *utf8, char *out, size_t outlen);

#endif
