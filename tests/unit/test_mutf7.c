/* test_mutf7.c: IMAP's modified UTF-7 (imap/mutf7.c) against RFC 3501's example and the
 * forms a mail client's folder list shows, and its refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "imap/mutf7.h"

static void
expect(const char *utf8, const char *want)
{
	char out[MUTF7_SIZE(256)];

	assert_int_equal(mutf7_encode(utf8, out, sizeof(out)), 0);
	assert_string_equal(out, want);
	assert_true(strlen(out) + 1 <= MUTF7_SIZE(strlen(utf8)));
}

static void
test_encodes(void **state)
{
	(void)state;
	expect("INBOX", "INBOX");
	expect("[Gmail]/Spam", "[Gmail]/Spam");
	expect("", "");
	/* RFC 3501 section 5.1.3's example */
	expect("~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	    "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
	expect("Courrier ind\xc3\xa9sirable", "Courrier ind&AOk-sirable");
	expect("Entw\xc3\xbcrfe", "Entw&APw-rfe");
	expect("R&D", "R&-D");
	expect("&", "&-");
	expect("\xc3\xa9\xc3\xa9", "&AOkA6Q-"); /* one run for both */
	expect("\xf0\x9f\x98\x80", "&2D3eAA-"); /* a surrogate pair */
	expect("a\xf0\x9f\x98\x80"
	       "b&\xc3\xa9",
	    "a&2D3eAA-b&-&AOk-");
	expect("\x01", "&AAE-"); /* not printable: base64, the worst case of MUTF7_SIZE */
	expect("\x7f", "&AH8-");
}

static void
test_refuses(void **state)
{
	static const char *const bad[] = {
	    "\xc0\xaf",         /* overlong "/" */
	    "\xe0\x80\xaf",     /* overlong again */
	    "\xed\xa0\x80",     /* a surrogate written as UTF-8 */
	    "\xf4\x90\x80\x80", /* above U+10FFFF */
	    "\xe6\x97",         /* cut short */
	    "a\x80",            /* a continuation byte alone */
	    "\xff",
	};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(out, 'x', sizeof(out));
		assert_int_equal(mutf7_encode(bad[i], out, sizeof(out)), -1);
		assert_string_equal(out, "");
	}
	/* too small: "&AOk-" and its NUL need 6 */
	assert_int_equal(mutf7_encode("\xc3\xa9", out, 5), -1);
	assert_string_equal(out, "");
	assert_int_equal(mutf7_encode("\xc3\xa9", out, 6), 0);
	assert_string_equal(out, "&AOk-");
	assert_int_equal(mutf7_encode("a", out, 0), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encodes),
	    cmocka_unit_test(test_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
