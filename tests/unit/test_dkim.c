/* test_dkim.c: the key pairs (mail/dkim_key.c) and the signer (mail/dkim_sign.c): a fresh
 * key signs a composed message, libopendkim's verifier (its key from a file, not DNS)
 * accepts it and refuses it once the body or a signed header changes; the signature header
 * is CRLF throughout, relaxed/relaxed, From oversigned; a key that is not a key fails with
 * words that do not echo it. The independent verification (python3-dkim against a real DNS
 * server) is in tests/integration/test_dkim.py. Also [dns] resolver's syntax. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <dkim.h>

#include "dkim_check.h"
#include "mail/dkim_key.h"
#include "mail/dkim_sign.h"
#include "util/dns_txt.h"

static const char msg[] = "From: Sam <sam@agency.example>\r\n"
                          "To: pat@blog.example\r\n"
                          "Subject: A resource for your readers\r\n"
                          "Date: Mon, 07 Dec 2026 01:00:00 +0000\r\n"
                          "Message-ID: <abc@agency.example>\r\n"
                          "MIME-Version: 1.0\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\n"
                          "\r\n"
                          "Hi Pat,\r\n"
                          "\r\n"
                          "the guide  is here.\r\n";

static struct dkim_keys keys;
static char keyfile[] = "/tmp/linkcamp-test-dkim-XXXXXX";

static int
setup(void **state)
{
	(void)state;
	if (dkim_keys_generate(&keys) != LC_OK || dkim_sign_global_init() != LC_OK)
		return -1;
	return dkim_keyfile_write(keyfile, "s1._domainkey.agency.example", "rsa", keys.rsa_pub);
}

static int
teardown(void **state)
{
	(void)state;
	unlink(keyfile);
	dkim_keys_wipe(&keys);
	dkim_sign_global_end();
	return 0;
}

static void
test_keys_are_rsa_2048(void **state)
{
	(void)state;
	assert_non_null(strstr(keys.rsa_pem, "-----BEGIN PRIVATE KEY-----\n"));
	assert_int_equal(strlen(keys.rsa_pem), keys.rsa_pem_len);
	/* base64 of a 294-byte SubjectPublicKeyInfo */
	assert_int_equal(strlen(keys.rsa_pub), 392);
	assert_memory_equal(keys.rsa_pub, "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", 44);
}

static void
test_a_signed_message_verifies_and_a_changed_one_does_not(void **state)
{
	struct dkim_signer s = {"agency.example", "s1", keys.rsa_pem};
	struct buf out;
	char why[200], *p;

	(void)state;
	buf_init(&out, 1 << 20);
	assert_int_equal(dkim_sign_message(&s, msg, strlen(msg), &out, why, sizeof(why)), LC_OK);
	assert_int_equal(
	    strncmp(out.data, "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;", 53), 0);
	/* the message follows the signature unchanged; every line ends with CRLF */
	assert_true(out.len > strlen(msg));
	assert_string_equal(out.data + out.len - strlen(msg), msg);
	for (p = out.data; (p = strchr(p, '\n')) != NULL; p++)
		assert_true(p > out.data && p[-1] == '\r');
	/* From is signed twice: oversigned */
	p = strstr(out.data, "h=");
	assert_non_null(p);
	assert_non_null(strstr(p, "From:"));
	assert_non_null(strstr(p, ":from:"));
	assert_int_equal(dkim_check_file(out.data, keyfile), DKIM_STAT_OK);

	assert_int_equal(dkim_check_edited(out.data, keyfile, "guide", "gu1de"), DKIM_STAT_BADSIG);
	assert_int_equal(
	    dkim_check_edited(out.data, keyfile, "Subject: A", "Subject: B"), DKIM_STAT_BADSIG);
	buf_free(&out);
}

static void
test_relaxed_canonicalisation_survives_refolding(void **state)
{
	struct dkim_signer s = {"agency.example", "s1", keys.rsa_pem};
	struct buf out;
	char why[200];

	(void)state;
	buf_init(&out, 1 << 20);
	assert_int_equal(dkim_sign_message(&s, msg, strlen(msg), &out, why, sizeof(why)), LC_OK);
	/* a relay folds the Subject and pads the body's trailing space: still valid */
	assert_int_equal(
	    dkim_check_edited(out.data, keyfile, "Subject: A resource", "Subject: A\r\n\tresource"),
	    DKIM_STAT_OK);
	buf_free(&out);
}

static void
test_a_bad_key_fails_without_echoing_it(void **state)
{
	static const char bad[] = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0IG5vdCBhIGtleQ==\n"
	                          "-----END PRIVATE KEY-----\n";
	struct dkim_signer s = {"agency.example", "s1", bad};
	struct buf out;
	char why[200];

	(void)state;
	buf_init(&out, 1 << 20);
	assert_int_not_equal(
	    dkim_sign_message(&s, msg, strlen(msg), &out, why, sizeof(why)), LC_OK);
	assert_int_equal(out.len, 0);
	assert_true(why[0] != '\0');
	assert_null(strstr(why, "c2VjcmV0"));
	buf_free(&out);
}

static void
test_a_message_over_the_limit_is_refused(void **state)
{
	struct dkim_signer s = {"agency.example", "s1", keys.rsa_pem};
	struct buf out;
	char why[200];

	(void)state;
	buf_init(&out, strlen(msg) + 100); /* no room for the signature */
	assert_int_equal(
	    dkim_sign_message(&s, msg, strlen(msg), &out, why, sizeof(why)), LC_ENOMEM);
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

static void
test_resolver_setting(void **state)
{
	(void)state;
	assert_int_equal(dns_server_parse("127.0.0.1:53"), LC_OK);
	assert_int_equal(dns_server_parse("192.0.2.7:65535"), LC_OK);
	assert_int_equal(dns_server_parse("127.0.0.1"), LC_EINVAL);
	assert_int_equal(dns_server_parse("127.0.0.1:0"), LC_EINVAL);
	assert_int_equal(dns_server_parse("127.0.0.1:65536"), LC_EINVAL);
	assert_int_equal(dns_server_parse("127.0.0.1:+53"), LC_EINVAL);
	assert_int_equal(dns_server_parse("127.0.0.1:53x"), LC_EINVAL);
	assert_int_equal(dns_server_parse("resolver.example:53"), LC_EINVAL);
	assert_int_equal(dns_server_parse(":53"), LC_EINVAL);
	assert_int_equal(dns_server_parse("1.2.3.4.5:53"), LC_EINVAL);
	assert_int_equal(dns_server_parse(NULL), LC_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keys_are_rsa_2048),
	    cmocka_unit_test(test_a_signed_message_verifies_and_a_changed_one_does_not),
	    cmocka_unit_test(test_relaxed_canonicalisation_survives_refolding),
	    cmocka_unit_test(test_a_bad_key_fails_without_echoing_it),
	    cmocka_unit_test(test_a_message_over_the_limit_is_refused),
	    cmocka_unit_test(test_resolver_setting),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
