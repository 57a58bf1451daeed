/* test_imap.c: the rules of a mailbox's IMAP settings (core/mailbox_imap.c) and the
 * cleaning of what an IMAP server says before it is shown (imap/imap_conn.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/mailbox_imap.h"
#include "imap/imap_conn.h"

static struct imap_in
base(void)
{
	struct imap_in in;

	memset(&in, 0, sizeof(in));
	in.port = in.security = -1;
	in.host = "imap.example.com";
	return in;
}

static void
assert_param(const struct imap_in *in, const char *param)
{
	struct core_fail fail;

	memset(&fail, 0, sizeof(fail));
	assert_int_equal(mailbox_imap_check(in, &fail), LC_EINVAL);
	assert_string_equal(fail.code, "validation_failed");
	assert_string_equal(fail.param, param);
	assert_non_null(fail.detail);
}

static void
test_folder_names(void **state)
{
	char long_name[IMAP_FOLDER_MAX + 2];

	(void)state;
	assert_true(imap_folder_valid("INBOX"));
	assert_true(imap_folder_valid("[Gmail]/Spam"));
	assert_true(imap_folder_valid("INBOX.Junk"));
	assert_false(imap_folder_valid(""));
	assert_false(imap_folder_valid("Sp\"am"));
	assert_false(imap_folder_valid("Spam*"));
	assert_false(imap_folder_valid("100%"));
	assert_false(imap_folder_valid("a\\b"));
	assert_false(imap_folder_valid("new\r\nline"));
	assert_true(imap_folder_valid("Entw\xc3\xbcrfe")); /* said in modified UTF-7 */
	assert_true(imap_folder_valid("Courrier ind\xc3\xa9sirable"));
	assert_true(imap_folder_valid("R&D"));
	assert_true(imap_folder_valid("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"));
	assert_false(imap_folder_valid("Entw\xfcrfe")); /* Latin-1, not UTF-8 */
	assert_false(imap_folder_valid("\xe6\x97"));    /* cut short */
	assert_false(imap_folder_valid("a\xc2\x85"
	                               "b")); /* U+0085, a C1 control */
	assert_false(imap_folder_valid("a\x7f"));
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_false(imap_folder_valid(long_name));
	long_name[IMAP_FOLDER_MAX] = '\0';
	assert_true(imap_folder_valid(long_name));
}

static void
test_check(void **state)
{
	struct core_fail fail;
	struct imap_in in = base();

	(void)state;
	memset(&fail, 0, sizeof(fail));
	assert_int_equal(mailbox_imap_check(&in, &fail), LC_OK);
	in.host = "not a host";
	assert_param(&in, "imap.host");
	in = base();
	in.port = 0;
	assert_param(&in, "imap.port");
	in.port = 65536;
	assert_param(&in, "imap.port");
	in = base();
	in.security = MBX_PLAIN; /* IMAP is read over TLS only */
	assert_param(&in, "imap.security");
	in = base();
	in.password = "two\nlines";
	assert_param(&in, "imap.password");
	in = base();
	in.folders_given = 1;
	assert_param(&in, "imap.folders");
	in.folders[0] = "INBOX";
	in.folders[1] = "Junk";
	in.folders[2] = "INBOX";
	in.nfolders = 3;
	assert_param(&in, "imap.folders[2]");
	in.folders[2] = "Bad*";
	assert_param(&in, "imap.folders[2]");
	in.folders[2] = "Spam";
	memset(&fail, 0, sizeof(fail));
	assert_int_equal(mailbox_imap_check(&in, &fail), LC_OK);
	in = base();
	in.remove = 1;
	in.host = "not a host"; /* "imap": null ignores the rest */
	assert_int_equal(mailbox_imap_check(&in, &fail), LC_OK);
}

static void
test_state_names(void **state)
{
	(void)state;
	assert_string_equal(imap_state_name(IMAP_PENDING), "pending");
	assert_string_equal(imap_state_name(IMAP_IDLE), "idle");
	assert_string_equal(imap_state_name(IMAP_POLLING), "polling");
	assert_string_equal(imap_state_name(IMAP_ERROR), "error");
	assert_string_equal(imap_state_name(IMAP_AUTH_FAILED), "auth_failed");
	assert_string_equal(imap_state_name(IMAP_NSTATES), "off");
}

static void
test_clean_text(void **state)
{
	char out[16];

	(void)state;
	imap_clean_text("[AUTHENTICATIONFAILED]\r\n\x1b[31mx", out, sizeof(out));
	assert_string_equal(out, "[AUTHENTICATION");
	imap_clean_text("a\r\nb\tc\xff", out, sizeof(out));
	assert_string_equal(out, "a  b c ");
	imap_clean_text(NULL, out, sizeof(out));
	assert_string_equal(out, "");
	imap_clean_text("abc", out, 1);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_folder_names),
	    cmocka_unit_test(test_check),
	    cmocka_unit_test(test_state_names),
	    cmocka_unit_test(test_clean_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
