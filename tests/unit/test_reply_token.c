/* test_reply_token.c: the reply token of outbound Message-IDs and plus addresses
 * (core/reply_token.c): its shape, that it is found again only where it is whole, and
 * that nothing malformed is taken for one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "core/reply_token.h"

static void test_msgid_carries_a_fresh_token(void **);
static void test_addresses(void **);
static void test_plus_address_for_a_mailbox(void **);

static void
test_msgid_carries_a_fresh_token(void **state)
{
	char a[REPLY_MSGID_MAX], b[REPLY_MSGID_MAX], ta[REPLY_TOKEN_LEN + 1],
	    tb[REPLY_TOKEN_LEN + 1];
	size_t i;

	(void)state;
	assert_int_equal(reply_token_msgid_new("mail.agency.example", a), LC_OK);
	assert_int_equal(reply_token_msgid_new("mail.agency.example", b), LC_OK);
	assert_int_equal(a[0], '<');
	assert_non_null(strstr(a, "@mail.agency.example>"));
	assert_int_equal(reply_token_of_msgid(a, ta), 1);
	assert_int_equal(reply_token_of_msgid(b, tb), 1);
	assert_string_not_equal(ta, tb);
	for (i = 0; i < REPLY_TOKEN_LEN; i++)
		assert_true((ta[i] >= 'a' && ta[i] <= 'z') || (ta[i] >= '2' && ta[i] <= '7'));
	assert_int_equal(reply_token_msgid_new("", a), LC_EINVAL);
	assert_string_equal(a, "");
	assert_int_equal(reply_token_msgid_new("bad domain", a), LC_EINVAL);
	/* not ours: no token */
	assert_int_equal(
	    reply_token_of_msgid("<CAvacation1234567890abcdef@mail.gmail.com>", ta), 0);
	assert_int_equal(reply_token_of_msgid("<abcdefghijklmnop@x.example>", ta), 0);
	assert_int_equal(reply_token_of_msgid("<abcdefghijklmno1.x@x.example>", ta), 0);
	assert_int_equal(reply_token_of_msgid("<ABCDEFGHIJKLMNOP.x@x.example>", ta), 0);
	assert_int_equal(reply_token_of_msgid("<abcd", ta), 0);
	assert_int_equal(reply_token_of_msgid(NULL, ta), 0);
	assert_int_equal(reply_token_of_msgid("", ta), 0);
}

static void
test_addresses(void **state)
{
	char t[REPLY_TOKEN_LEN + 1];

	(void)state;
	assert_int_equal(reply_token_of_address("sam+abcdefghijklmnop@agency.example", t), 1);
	assert_string_equal(t, "abcdefghijklmnop");
	/* a mail system that upper-cases the local part */
	assert_int_equal(reply_token_of_address("SAM+ABCDEFGH234567XY@AGENCY.EXAMPLE", t), 1);
	assert_string_equal(t, "abcdefgh234567xy");
	/* the last '+' counts */
	assert_int_equal(reply_token_of_address("a+b+abcdefghijklmnop@x.example", t), 1);
	assert_int_equal(reply_token_of_address("sam@agency.example", t), 0);
	assert_int_equal(reply_token_of_address("sam+short@agency.example", t), 0);
	assert_int_equal(reply_token_of_address("sam+abcdefghijklmnopq@agency.example", t), 0);
	assert_int_equal(reply_token_of_address("sam+abcdefghijklmno1@agency.example", t), 0);
	assert_int_equal(reply_token_of_address("+abcdefghijklmnop@x.example", t), 1);
	assert_int_equal(reply_token_of_address("abcdefghijklmnop@x.example", t), 0);
	assert_int_equal(reply_token_of_address(NULL, t), 0);
	assert_int_equal(reply_token_of_address("", t), 0);
}

static void
test_plus_address_for_a_mailbox(void **state)
{
	char msgid[REPLY_MSGID_MAX], t[REPLY_TOKEN_LEN + 1], out[400], want[400];

	(void)state;
	assert_int_equal(reply_token_msgid_new("agency.example", msgid), LC_OK);
	assert_int_equal(reply_token_of_msgid(msgid, t), 1);
	assert_int_equal(reply_token_address("sam@agency.example", msgid, out, sizeof(out)), 1);
	strcpy(want, "sam+");
	strcat(want, t);
	strcat(want, "@agency.example");
	assert_string_equal(out, want);
	assert_int_equal(reply_token_of_address(out, t), 1);
	/* already plus-addressed, not an address, no token, too small: the base stays */
	assert_int_equal(reply_token_address("sam+x@agency.example", msgid, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(reply_token_address("agency.example", msgid, out, sizeof(out)), 0);
	assert_int_equal(reply_token_address("@agency.example", msgid, out, sizeof(out)), 0);
	assert_int_equal(reply_token_address("sam@agency.example", "<old@x>", out, sizeof(out)), 0);
	assert_int_equal(reply_token_address("sam@agency.example", msgid, out, 10), 0);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_msgid_carries_a_fresh_token),
	    cmocka_unit_test(test_addresses),
	    cmocka_unit_test(test_plus_address_for_a_mailbox),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
