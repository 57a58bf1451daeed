/* test_dkim_ed25519.c: the ed25519-sha256 signer (mail/dkim_ed25519.c). RFC 6376 3.4.5's
 * canonicalisation example; RFC 8463 appendix A's signed message, whose bh= and b= the signer
 * must reproduce byte for byte from the RFC's key; a message signed here verifies with
 * libopendkim's verifier (an implementation of its own; its key from a file) and fails once
 * changed; the folded field; and hostile messages: no colon, bare LF and CR, a continuation
 * first, 8-bit bytes, a huge line, no body, too many fields, too small an output. The
 * verification against DNS with python3-dkim is in tests/integration/test_dkim.py. */
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
#include <openssl/evp.h>

#include "dkim_check.h"
#include "mail/dkim_ed25519.h"
#include "mail/dkim_headers.h"

/* RFC 8463 A.1: the Ed25519 secret key (the seed), base64 */
/* a header line of HUGE * 9 bytes: far past RFC 5322's 998, and still what libopendkim's
 * verifier reads (lines of hundreds of kilobytes it fails, where python3-dkim verifies ours;
 * those are only signed below, with a bounded field) */
#define HUGE 2000
#define RFC_SEED "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="
#define RFC_PUB "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

/* RFC 8463 A.3: the message under its two signatures */
static const char rfc_msg[] = "From: Joe SixPack <joe@football.example.com>\r\n"
                              "To: Suzie Q <suzie@shopping.example.net>\r\n"
                              "Subject: Is dinner ready?\r\n"
                              "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
                              "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
                              "\r\n"
                              "Hi.\r\n"
                              "\r\n"
                              "We lost the game.  Are you hungry yet?\r\n"
                              "\r\n"
                              "Joe.\r\n";
/* its Ed25519 DKIM-Signature field as published, with b= emptied */
static const char rfc_field[] = "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
                                " d=football.example.com; i=@football.example.com;\r\n"
                                " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
                                " subject : date : message-id : from : subject : date;\r\n"
                                " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
                                " b=";
static const char rfc_b[] =
    "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==";

static const char msg[] = "From: Sam <sam@agency.example>\r\n"
                          "To: pat@blog.example\r\n"
                          "Subject: A resource for your readers\r\n"
                          "Date: Mon, 07 Dec 2026 01:00:00 +0000\r\n"
                          "Message-ID: <abc@agency.example>\r\n"
                          "MIME-Version: 1.0\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\n"
                          "X-Not-Signed: anything\r\n"
                          "\r\n"
                          "Hi Pat,\r\n"
                          "\r\n"
                          "the guide  is here.\r\n";

static unsigned char seed[DKIM_ED_SEED_LEN];
static char pub[DKIM_ED_PUB_B64_MAX];
static char keyfile[] = "/tmp/linkcamp-test-ed25519-XXXXXX";

static void
b64_decode(const char *in, unsigned char *out, size_t want)
{
	unsigned char tmp[128];
	int n = EVP_DecodeBlock(tmp, (const unsigned char *)in, (int)strlen(in));

	assert_true(n >= (int)want);
	memcpy(out, tmp, want);
}

static int
setup(void **state)
{
	(void)state;
	/* a fresh key from OpenSSL's generator, its seed taken out as the store keeps it */
	{
		EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		size_t n = sizeof(seed);
		if (k == NULL || EVP_PKEY_get_raw_private_key(k, seed, &n) != 1 ||
		    n != sizeof(seed))
			return -1;
		EVP_PKEY_free(k);
	}
	if (dkim_ed25519_public(seed, pub) != LC_OK)
		return -1;
	return dkim_keyfile_write(keyfile, "e1._domainkey.agency.example", "ed25519", pub);
}

static int
teardown(void **state)
{
	(void)state;
	unlink(keyfile);
	return 0;
}

static lc_err
sign(const char *m, size_t len, struct buf *out, char *why)
{
	struct dkim_ed25519_signer s = {
	    "agency.example", "e1", seed, dkim_sign_headers, dkim_oversign_headers, 1796600000};

	return dkim_ed25519_sign(&s, m, len, out, why, 200);
}

/* RFC 6376 3.4.5 */
static void
test_rfc6376_canonicalisation_example(void **state)
{
	static const char body[] = " C \r\nD \t E\r\n\r\n\r\n";
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(dkim_canon_header_relaxed("A: X", strlen("A: X"), 1, &b), LC_OK);
	assert_int_equal(
	    dkim_canon_header_relaxed("B : Y\t\r\n\tZ  ", strlen("B : Y\t\r\n\tZ  "), 1, &b),
	    LC_OK);
	assert_string_equal(b.data, "a:X\r\nb:Y Z\r\n");
	buf_reset(&b);
	assert_int_equal(dkim_canon_body_relaxed(body, strlen(body), &b), LC_OK);
	assert_string_equal(b.data, " C\r\nD E\r\n");
	/* an empty body is empty; empty lines alone are too; a last line gets its CRLF */
	buf_reset(&b);
	assert_int_equal(dkim_canon_body_relaxed("", strlen(""), &b), LC_OK);
	assert_int_equal(
	    dkim_canon_body_relaxed("\r\n \r\n\t\r\n", strlen("\r\n \r\n\t\r\n"), &b), LC_OK);
	assert_int_equal(b.len, 0);
	assert_int_equal(
	    dkim_canon_body_relaxed("a \r\n\r\nb  c", strlen("a \r\n\r\nb  c"), &b), LC_OK);
	assert_string_equal(b.data, "a\r\n\r\nb c\r\n");
	/* 8-bit bytes are bytes */
	buf_reset(&b);
	assert_int_equal(dkim_canon_header_relaxed("Subject:  Gr\xc3\xbc\xc3\x9f\xff  x ",
	                     strlen("Subject:  Gr\xc3\xbc\xc3\x9f\xff  x "), 0, &b),
	    LC_OK);
	assert_string_equal(b.data, "subject:Gr\xc3\xbc\xc3\x9f\xff x");
	buf_free(&b);
}

static void
test_rfc6376_canonicalisation_refuses_what_it_cannot_read(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(
	    dkim_canon_header_relaxed("No colon here", strlen("No colon here"), 1, &b), LC_EINVAL);
	assert_int_equal(
	    dkim_canon_header_relaxed(": empty name", strlen(": empty name"), 1, &b), LC_EINVAL);
	assert_int_equal(
	    dkim_canon_header_relaxed("Na\xffme: x", strlen("Na\xffme: x"), 1, &b), LC_EINVAL);
	assert_int_equal(dkim_canon_header_relaxed("A: x\ny", strlen("A: x\ny"), 1, &b), LC_EINVAL);
	assert_int_equal(
	    dkim_canon_header_relaxed("A: x\r\ny", strlen("A: x\r\ny"), 1, &b), LC_EINVAL);
	assert_int_equal(dkim_canon_header_relaxed("A: x\r", strlen("A: x\r"), 1, &b), LC_EINVAL);
	assert_int_equal(dkim_canon_body_relaxed("a\nb\r\n", strlen("a\nb\r\n"), &b), LC_EINVAL);
	assert_int_equal(dkim_canon_body_relaxed("a\rb\r\n", strlen("a\rb\r\n"), &b), LC_EINVAL);
	assert_int_equal(dkim_canon_body_relaxed("a\r\nb\r", strlen("a\r\nb\r"), &b), LC_EINVAL);
	buf_free(&b);
	/* over the buffer's max */
	buf_init(&b, 4);
	assert_int_equal(
	    dkim_canon_header_relaxed("Subject: long", strlen("Subject: long"), 1, &b), LC_ENOMEM);
	buf_free(&b);
}

/* RFC 8463 A.3: the same bh= and b= from the same key, message and field */
static void
test_rfc8463_known_answer(void **state)
{
	static const char *const h[] = {
	    "from", "to", "subject", "date", "message-id", "from", "subject", "date"};
	unsigned char rfc_seed[DKIM_ED_SEED_LEN], bh[32], sig[DKIM_ED_SIG_LEN];
	char b64[100], p[DKIM_ED_PUB_B64_MAX], why[200];

	(void)state;
	b64_decode(RFC_SEED, rfc_seed, sizeof(rfc_seed));
	assert_int_equal(dkim_ed25519_public(rfc_seed, p), LC_OK);
	assert_string_equal(p, RFC_PUB);
	assert_int_equal(dkim_body_hash(rfc_msg, strlen(rfc_msg), bh), LC_OK);
	EVP_EncodeBlock((unsigned char *)b64, bh, sizeof(bh));
	assert_string_equal(b64, "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
	assert_int_equal(dkim_ed25519_signature(rfc_seed, rfc_msg, strlen(rfc_msg), h, 8, rfc_field,
	                     strlen(rfc_field), sig, why, sizeof(why)),
	    LC_OK);
	EVP_EncodeBlock((unsigned char *)b64, sig, sizeof(sig));
	assert_string_equal(b64, rfc_b);
	/* one byte of the field changed: another signature */
	{
		char f2[sizeof(rfc_field)];
		memcpy(f2, rfc_field, sizeof(f2));
		f2[strlen("DKIM-Signature: v=")] = '2';
		assert_int_equal(dkim_ed25519_signature(rfc_seed, rfc_msg, strlen(rfc_msg), h, 8,
		                     f2, strlen(f2), sig, why, sizeof(why)),
		    LC_OK);
		EVP_EncodeBlock((unsigned char *)b64, sig, sizeof(sig));
		assert_string_not_equal(b64, rfc_b);
	}
}

static void
test_a_signed_message_verifies_and_a_changed_one_does_not(void **state)
{
	struct buf out;
	char why[200], *h, *p;

	(void)state;
	buf_init(&out, 1 << 20);
	assert_int_equal(sign(msg, strlen(msg), &out, why), LC_OK);
	assert_int_equal(
	    strncmp(out.data, "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;", 57), 0);
	/* h=: the listed headers present, top to bottom, then the oversigned ones */
	h = strstr(out.data, "h=");
	assert_non_null(h);
	assert_int_equal(strncmp(h, "h=from:to:subject:date:message-id:mime-version:", 46), 0);
	assert_null(strstr(out.data, "x-not-signed"));
	assert_non_null(strstr(out.data, "t=1796600000;"));
	/* lines of at most 78 bytes, CRLF throughout, ending with CRLF */
	for (p = out.data; *p;) {
		char *nl = strstr(p, "\r\n");
		assert_non_null(nl);
		assert_true(nl - p <= DKIM_ED_LINE_MAX);
		p = nl + 2;
	}
	for (p = out.data; (p = strchr(p, '\n')) != NULL; p++)
		assert_true(p > out.data && p[-1] == '\r');
	assert_int_equal(buf_append(&out, msg, strlen(msg)), LC_OK);
	assert_int_equal(dkim_check_file(out.data, keyfile), DKIM_STAT_OK);

	assert_int_not_equal(dkim_check_edited(out.data, keyfile, "guide", "gu1de"), DKIM_STAT_OK);
	assert_int_not_equal(
	    dkim_check_edited(out.data, keyfile, "Subject: A", "Subject: B"), DKIM_STAT_OK);
	/* relaxed: a relay's refolding and padding of what is signed does not matter */
	assert_int_equal(dkim_check_edited(out.data, keyfile, "Subject: A resource",
	                     "subject:   A\r\n\tresource"),
	    DKIM_STAT_OK);
	buf_free(&out);
}

static void
test_hostile_messages_are_refused_and_leave_the_output_alone(void **state)
{
	static const char *const bad[] = {
	    "From: a@agency.example\r\nNo colon\r\n\r\nbody\r\n",
	    "From: a@agency.example\nTo: b@x.example\r\n\r\nbody\r\n",
	    "From: a@agency.example\r\nTo: b@x.example\r\r\n\r\nbody\r\n",
	    " folded: first\r\nFrom: a@agency.example\r\n\r\nbody\r\n",
	    "From: a@agency.example\r\nSubj\xe9t: x\r\n\r\nbody\r\n",
	    "From: a@agency.example\r\n\r\nbare\nLF in the body\r\n",
	    "From: a@agency.example\r\n\r\nbare\rCR in the body\r\n",
	    "To: b@x.example\r\n\r\nno From\r\n",
	    "",
	};
	struct buf out;
	char why[200];
	size_t i;

	(void)state;
	buf_init(&out, 1 << 20);
	assert_int_equal(buf_puts(&out, "kept"), LC_OK);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(sign(bad[i], strlen(bad[i]), &out, why), LC_EINVAL);
		assert_true(why[0] != '\0');
		assert_string_equal(out.data, "kept");
	}
	/* a d= that would end the tag */
	{
		struct dkim_ed25519_signer s = {
		    "agency.example; x=1", "e1", seed, dkim_sign_headers, dkim_oversign_headers, 0};
		assert_int_equal(
		    dkim_ed25519_sign(&s, msg, strlen(msg), &out, why, sizeof(why)), LC_EINVAL);
	}
	/* no room for the field */
	buf_free(&out);
	buf_init(&out, 100);
	assert_int_equal(sign(msg, strlen(msg), &out, why), LC_ENOMEM);
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

static void
test_no_body_8bit_huge_lines_and_many_fields(void **state)
{
	struct buf out, m;
	char why[200];
	size_t i;

	(void)state;
	/* no empty line at all, and no final CRLF: the body is empty */
	static const char nobody[] = "From: a@agency.example\r\nSubject: x";

	buf_init(&out, 1 << 20);
	assert_int_equal(sign(nobody, strlen(nobody), &out, why), LC_OK);
	assert_non_null(strstr(out.data, "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;"));
	assert_int_equal(buf_puts(&out, nobody), LC_OK);
	assert_int_equal(dkim_check_file(out.data, keyfile), DKIM_STAT_OK);
	buf_free(&out);

	/* 8-bit bytes and a huge line in the header and the body */
	buf_init(&m, 4 << 20);
	assert_int_equal(buf_puts(&m, "From: J\xc3\xb6rg <j@agency.example>\r\nSubject: "), LC_OK);
	for (i = 0; i < HUGE; i++)
		assert_int_equal(buf_append(&m, "x\xe2\x82\xac  y \t", 9), LC_OK);
	assert_int_equal(buf_puts(&m, "\r\n\r\n\xff\xfe body "), LC_OK);
	for (i = 0; i < HUGE; i++)
		assert_int_equal(buf_append(&m, "z \t", 3), LC_OK);
	assert_int_equal(buf_puts(&m, "\r\n\r\n\r\n"), LC_OK);
	buf_init(&out, 8 << 20);
	assert_int_equal(sign(m.data, m.len, &out, why), LC_OK);
	assert_int_equal(buf_append(&out, m.data, m.len), LC_OK);
	assert_int_equal(dkim_check_file(out.data, keyfile), DKIM_STAT_OK);
	buf_free(&out);
	/* a 4 MB header line: signed, and the field stays small */
	buf_reset(&m);
	assert_int_equal(buf_puts(&m, "From: a@agency.example\r\nSubject: "), LC_OK);
	for (i = 0; i < (4 << 20) / 8 - 10; i++)
		assert_int_equal(buf_append(&m, "abc\xe2\x82\xac  ", 8), LC_OK);
	buf_init(&out, 4096);
	assert_int_equal(sign(m.data, m.len, &out, why), LC_OK);
	assert_true(out.len < 600);
	buf_free(&out);

	/* 1000 fields are signed (999 To: h= lists each), 1001 are refused */
	buf_reset(&m);
	assert_int_equal(buf_puts(&m, "From: a@agency.example\r\n"), LC_OK);
	for (i = 0; i < 999; i++)
		assert_int_equal(buf_puts(&m, "To: b@x.example\r\n"), LC_OK);
	assert_int_equal(buf_puts(&m, "\r\nhi\r\n"), LC_OK);
	buf_init(&out, 1 << 20);
	assert_int_equal(sign(m.data, m.len, &out, why), LC_OK);
	assert_int_equal(buf_append(&out, m.data, m.len), LC_OK);
	assert_int_equal(dkim_check_file(out.data, keyfile), DKIM_STAT_OK);
	buf_free(&out);
	buf_reset(&m);
	assert_int_equal(buf_puts(&m, "From: a@agency.example\r\n"), LC_OK);
	for (i = 0; i < 1000; i++)
		assert_int_equal(buf_puts(&m, "X-A: b\r\n"), LC_OK);
	assert_int_equal(buf_puts(&m, "\r\nhi\r\n"), LC_OK);
	buf_init(&out, 1 << 20);
	assert_int_equal(sign(m.data, m.len, &out, why), LC_EINVAL);
	assert_non_null(strstr(why, "1000"));
	buf_free(&out);
	buf_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc6376_canonicalisation_example),
	    cmocka_unit_test(test_rfc6376_canonicalisation_refuses_what_it_cannot_read),
	    cmocka_unit_test(test_rfc8463_known_answer),
	    cmocka_unit_test(test_a_signed_message_verifies_and_a_changed_one_does_not),
	    cmocka_unit_test(test_hostile_messages_are_refused_and_leave_the_output_alone),
	    cmocka_unit_test(test_no_body_8bit_huge_lines_and_many_fields),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
