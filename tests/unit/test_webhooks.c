/* test_webhooks.c: the Standard Webhooks signature (the spec's reference example), the
 * private-address classifier of the SSRF guard, webhook URL validation, the retry
 * schedule and the event names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>
#include <sodium.h>

#include "core/webhooks.h"
#include "util/netaddr.h"
#include "util/whsig.h"

static int setup_sodium(void **);
static int classify(const char *);

static int
setup_sodium(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

/* classify parses an IPv4 or IPv6 literal and runs the classifier on it. */
static int
classify(const char *s)
{
	struct sockaddr_in in;
	struct sockaddr_in6 in6;

	memset(&in, 0, sizeof(in));
	memset(&in6, 0, sizeof(in6));
	if (inet_pton(AF_INET, s, &in.sin_addr) == 1) {
		in.sin_family = AF_INET;
		return netaddr_is_private((const struct sockaddr *)&in);
	}
	if (inet_pton(AF_INET6, s, &in6.sin6_addr) == 1) {
		in6.sin6_family = AF_INET6;
		return netaddr_is_private((const struct sockaddr *)&in6);
	}
	fail_msg("not an address: %s", s);
	return -1;
}

static void
test_signature_reference_example(void **state)
{
	/* https://github.com/standard-webhooks/standard-webhooks, the spec's example */
	static const char body[] = "{\"test\": 2432232314}";
	char sig[WHSIG_SIGNATURE_MAX];

	(void)state;
	assert_int_equal(whsig_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
	                     "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, strlen(body), sig),
	    LC_OK);
	assert_string_equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	/* another body, id or time changes it */
	assert_int_equal(whsig_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
	                     "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, body, strlen(body), sig),
	    LC_OK);
	assert_string_not_equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

static void
test_signature_bad_secrets(void **state)
{
	char sig[WHSIG_SIGNATURE_MAX];

	(void)state;
	assert_int_equal(
	    whsig_sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "a", 1, "", 0, sig), LC_EINVAL);
	assert_int_equal(whsig_sign("whsec_", "a", 1, "", 0, sig), LC_EINVAL);
	assert_int_equal(whsig_sign("whsec_***", "a", 1, "", 0, sig), LC_EINVAL);
	assert_int_equal(whsig_sign(NULL, "a", 1, "", 0, sig), LC_EINVAL);
}

static void
test_secret_shape(void **state)
{
	char a[WHSIG_SECRET_MAX], b[WHSIG_SECRET_MAX], sig[WHSIG_SIGNATURE_MAX];
	unsigned char raw[64];
	size_t len = 0;

	(void)state;
	whsig_secret_new(a);
	whsig_secret_new(b);
	assert_string_not_equal(a, b);
	assert_memory_equal(a, "whsec_", 6);
	assert_int_equal(sodium_base642bin(raw, sizeof(raw), a + 6, strlen(a + 6), NULL, &len, NULL,
	                     sodium_base64_VARIANT_ORIGINAL),
	    0);
	assert_true(len >= 24 && len <= 32);
	assert_int_equal(whsig_sign(a, "evt_x", 1, "{}", 2, sig), LC_OK);
}

static void
test_private_ipv4(void **state)
{
	static const char *const refused[] = {"0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255",
	    "127.0.0.1", "127.255.0.9", "169.254.169.254", "172.16.0.1", "172.31.255.255",
	    "192.168.1.1", "100.64.0.1", "100.127.255.255", "192.0.0.8", "198.18.0.1",
	    "198.19.255.255", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255"};
	static const char *const allowed[] = {"8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1",
	    "192.169.0.1", "100.63.255.255", "100.128.0.1", "169.253.0.1", "198.17.255.255",
	    "198.20.0.1", "11.0.0.1", "93.184.216.34", "223.255.255.255"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		assert_int_equal(classify(refused[i]), 1);
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		assert_int_equal(classify(allowed[i]), 0);
}

static void
test_private_ipv6(void **state)
{
	static const char *const refused[] = {"::", "::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3",
	    "::ffff:169.254.169.254", "::ffff:0.0.0.0", "::127.0.0.1", "fc00::1", "fd12:3456::1",
	    "fe80::1", "febf::1", "fec0::1", "ff02::1", "ff05::2", "64:ff9b::7f00:1",
	    "64:ff9b::a00:1", "2002:7f00:1::1", "2002:c0a8:101::1", "100::1"};
	static const char *const allowed[] = {"2001:4860:4860::8888", "2606:4700:4700::1111",
	    "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "fe00::1", "2001:db9::1"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if (classify(refused[i]) != 1)
			fail_msg("%s should be refused", refused[i]);
	}
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		if (classify(allowed[i]) != 0)
			fail_msg("%s should be allowed", allowed[i]);
	}
}

static void
test_private_other_family(void **state)
{
	struct sockaddr sa;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNIX;
	assert_int_equal(netaddr_is_private(&sa), 1);
	assert_int_equal(netaddr_is_private(NULL), 1);
}

static void
test_url_check(void **state)
{
	static const char *const good[] = {"https://example.com", "https://example.com/",
	    "https://hooks.example.com:8443/a/b?c=d#e", "HTTPS://Example.COM/x",
	    "https://[2001:db8::1]/hook", "https://[2001:db8::1]:444/hook",
	    "https://xn--bcher-kva.example/%20x"};
	static const char *const bad[] = {"", "example.com/hook", "ftp://example.com/", "https://",
	    "https:///path", "https://user:pw@example.com/", "https://user@example.com/",
	    "https://exa mple.com/", "https://example.com/\x01", "https://example.com:0/",
	    "https://example.com:65536/", "https://example.com:8x/", "https://example.com:/",
	    "https://[::1/", "https://[]/", "https://[zz::1]/", "https://ex\xc3\xa4mple.com/",
	    "https://:443/", "javascript:alert(1)", "https://example.com\\@evil.com/"};
	char longurl[2100];
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (webhook_url_check(good[i], 0, &why) != 0)
			fail_msg("%s should pass: %s", good[i], why);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (webhook_url_check(bad[i], 1, &why) == 0)
			fail_msg("%s should fail", bad[i]);
	assert_int_equal(webhook_url_check("http://example.com/", 0, &why), -1);
	assert_int_equal(webhook_url_check("http://example.com/", 1, &why), 0);
	assert_int_equal(webhook_url_check(NULL, 1, &why), -1);
	memset(longurl, 'a', sizeof(longurl));
	memcpy(longurl, "https://example.com/", 20);
	longurl[2000] = '\0';
	assert_int_equal(webhook_url_check(longurl, 0, &why), 0);
	longurl[2000] = 'a';
	longurl[2001] = '\0';
	assert_int_equal(webhook_url_check(longurl, 0, &why), -1);
}

static void
test_backoff_about_three_days(void **state)
{
	long total = 0, s;
	unsigned k;

	(void)state;
	assert_int_equal(webhook_backoff_seconds(0), -1);
	assert_int_equal(webhook_backoff_seconds(1), 5);
	assert_int_equal(webhook_backoff_seconds(2), 300);
	for (k = 1; (s = webhook_backoff_seconds(k)) >= 0; k++) {
		assert_true(s > 0);
		total += s;
	}
	assert_true(total >= 60 * 3600 && total <= 84 * 3600);
}

static void
test_event_names(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < WHE_N; i++)
		assert_int_equal(webhook_event_from_name(webhook_event_name(i)), (int)i);
	assert_int_equal(webhook_event_from_name("link_building.email.sent"), WHE_EMAIL_SENT);
	assert_int_equal(webhook_event_from_name("email_sent"), -1);
	assert_int_equal(webhook_event_from_name(WEBHOOK_TEST_EVENT), -1);
	assert_int_equal(webhook_event_from_name(NULL), -1);
	assert_null(webhook_event_name(WHE_N));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signature_reference_example),
	    cmocka_unit_test(test_signature_bad_secrets),
	    cmocka_unit_test(test_secret_shape),
	    cmocka_unit_test(test_private_ipv4),
	    cmocka_unit_test(test_private_ipv6),
	    cmocka_unit_test(test_private_other_family),
	    cmocka_unit_test(test_url_check),
	    cmocka_unit_test(test_backoff_about_three_days),
	    cmocka_unit_test(test_event_names),
	};
	return cmocka_run_group_tests(tests, setup_sodium, NULL);
}
