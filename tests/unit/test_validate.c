/* test_validate.c: the field rules of campaigns and prospects. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/validate.h"

static char *repeat(const char *unit, size_t times, const char *suffix);
static void good_campaign(struct campaign_new *in, struct prospect_in *p, size_t np);
static void assert_bad_param(const struct campaign_new *in, const char *want);
static void assert_valid(const struct campaign_new *in);

/* repeat returns a heap string of unit repeated times, then suffix. */
static char *
repeat(const char *unit, size_t times, const char *suffix)
{
	size_t ul = strlen(unit), sl = strlen(suffix), i;
	char *s = malloc(ul * times + sl + 1);

	assert_non_null(s);
	for (i = 0; i < times; i++)
		memcpy(s + i * ul, unit, ul);
	memcpy(s + ul * times, suffix, sl + 1);
	return s;
}

/* good_campaign fills in with a valid campaign whose np prospects (at most 3) are p. */
static void
good_campaign(struct campaign_new *in, struct prospect_in *p, size_t np)
{
	static const struct prospect_in ok[] = {
	    {"blog.example.com", "Ann Lee", "ann@blog.example.com"},
	    {"news.example.org", NULL, "editor@news.example.org"},
	    {"blog.example.com", "Bob", "bob@blog.example.com"},
	};

	memset(in, 0, sizeof(*in));
	in->type = CAMPAIGN_SERP;
	in->name = "Spring outreach";
	in->target_url = "https://shop.example.com/guide";
	in->sender = "outreach@shop.example.com";
	in->subject = "Hello {{contactFirstName}}";
	in->body = "Hi,\r\n\tI liked {{domain}}.\n";
	assert_true(np <= 3);
	memcpy(p, ok, np * sizeof(*p));
	in->prospects = p;
	in->nprospects = np;
}

static void
assert_bad_param(const struct campaign_new *in, const char *want)
{
	const char *bad = NULL;

	assert_int_equal(validate_campaign_new(in, &bad), LC_EINVAL);
	assert_non_null(bad);
	assert_string_equal(bad, want);
}

static void
assert_valid(const struct campaign_new *in)
{
	const char *bad = "unset";

	assert_int_equal(validate_campaign_new(in, &bad), LC_OK);
	assert_null(bad);
}

/* ---- campaign_id_valid ---- */

static void
test_campaign_id_valid_accepts_every_type_prefix(void **state)
{
	(void)state;
	assert_true(campaign_id_valid("scmp_AAAAAAAAAAAAAAAAAAAAAA"));
	assert_true(campaign_id_valid("ccmp_abcdefghijklmnop-_0123"));
	assert_true(campaign_id_valid("xcmp_0123456789abcdef"));
}

static void
test_campaign_id_valid_rejects_other_shapes(void **state)
{
	(void)state;
	assert_false(campaign_id_valid(""));
	assert_false(campaign_id_valid("scmp_"));
	assert_false(campaign_id_valid("rel_AAAAAAAAAAAAAAAAAAAAAA"));
	assert_false(campaign_id_valid("zcmp_AAAAAAAAAAAAAAAAAAAAAA"));
	assert_false(campaign_id_valid("scmp_AAAAAAAAAAAAAAA")); /* 15 */
	assert_false(campaign_id_valid("scmp_AAAAAAAAAAAAAAAAAAAAA/"));
	assert_false(campaign_id_valid("scmp_AAAAAAAAAAAAAAAAAAAAA "));
	assert_false(campaign_id_valid(" scmp_AAAAAAAAAAAAAAAAAAAAAA"));
	assert_false(campaign_id_valid("12345"));
}

/* ---- text_valid ---- */

static void
test_text_valid_null_only_when_optional(void **state)
{
	(void)state;
	assert_true(text_valid(NULL, 0, 10, 0));
	assert_false(text_valid(NULL, 1, 10, 0));
}

static void
test_text_valid_empty_only_when_optional(void **state)
{
	(void)state;
	assert_true(text_valid("", 0, 10, 0));
	assert_false(text_valid("", 1, 10, 0));
}

static void
test_text_valid_max_chars(void **state)
{
	(void)state;
	assert_true(text_valid("abc", 1, 3, 0));
	assert_false(text_valid("abcd", 1, 3, 0));
	assert_false(text_valid("ab", 3, 5, 0));
}

static void
test_text_valid_counts_code_points(void **state)
{
	char *s;

	(void)state;
	assert_true(text_valid("caf\xc3\xa9", 4, 4, 0));                          /* 5 bytes */
	assert_true(text_valid("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 3, 3, 0)); /* 9 bytes */
	assert_true(text_valid("\xf0\x9f\x98\x80", 1, 1, 0));                     /* U+1F600 */
	assert_false(text_valid("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 1, 1, 0));
	s = repeat("\xc3\xa9", NAME_MAX_CHARS, "");
	assert_true(text_valid(s, 1, NAME_MAX_CHARS, 0));
	free(s);
	s = repeat("\xc3\xa9", NAME_MAX_CHARS + 1, "");
	assert_false(text_valid(s, 1, NAME_MAX_CHARS, 0));
	free(s);
}

static void
test_text_valid_rejects_invalid_utf8(void **state)
{
	(void)state;
	assert_false(text_valid("\xff", 0, 10, 0));
	assert_false(text_valid("a\xc0\xaf", 0, 10, 0));
	assert_false(text_valid("\xed\xa0\x80", 0, 10, 0));
	assert_false(text_valid("caf\xc3", 0, 10, 0));
	assert_false(text_valid("\xff", 0, 10, 1));
}

static void
test_text_valid_rejects_control_chars(void **state)
{
	static const char *const bad[] = {
	    "a\x01", "\x1f", "a\x7fz", "\x1b[31m", "a\nb", "a\rb", "a\tb", "\x0b", "\x0c"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (text_valid(bad[i], 0, 100, 0))
			fail_msg("single-line text_valid accepted control char in case %zu", i);
}

static void
test_text_valid_rejects_c1_control_chars(void **state)
{
	(void)state;
	assert_false(text_valid("a\xc2\x80", 0, 100, 0));  /* U+0080 */
	assert_false(text_valid("a\xc2\x85z", 0, 100, 0)); /* U+0085 NEL */
	assert_false(text_valid("a\xc2\x9f", 0, 100, 1));  /* U+009F */
	assert_true(text_valid("a\xc2\xa0z", 0, 100, 0));  /* U+00A0 is not a control */
}

static void
test_text_valid_multiline_allows_lf_cr_tab_only(void **state)
{
	(void)state;
	assert_true(text_valid("a\nb\r\n\tc", 0, 100, 1));
	assert_false(text_valid("a\x0b", 0, 100, 1));
	assert_false(text_valid("a\x0c", 0, 100, 1));
	assert_false(text_valid("a\x7f", 0, 100, 1));
	assert_false(text_valid("a\x01", 0, 100, 1));
	assert_false(text_valid("a\x1f", 0, 100, 1));
}

/* ---- email_valid ---- */

static void
test_email_valid_accepts(void **state)
{
	char *local = repeat("a", 64, "@example.com");

	(void)state;
	assert_true(email_valid("a@example.com"));
	assert_true(email_valid("first.last+tag@sub.example.co.uk"));
	assert_true(email_valid("O'Neil_x-y%z@Example.COM"));
	assert_true(email_valid(local));
	free(local);
}

static void
test_email_valid_rejects_shape(void **state)
{
	static const char *const bad[] = {"", "a", "@example.com", "a@", "a@example",
	    "a@@example.com", "a@b@example.com", "a b@example.com", " a@example.com",
	    "a@example.com ", "a@exa mple.com", "<a>@example.com", "a,b@example.com",
	    "a\"b@example.com", "a:b@example.com", "a\\b@example.com", "a;b@example.com",
	    "a@-example.com", "a@example-.com", "a@exa_mple.com", "a@.example.com",
	    "a@example.com.", "a@example..com"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (email_valid(bad[i]))
			fail_msg("email_valid accepted \"%s\"", bad[i]);
}

static void
test_email_valid_rejects_dots_in_local_part(void **state)
{
	(void)state;
	assert_false(email_valid(".a@example.com"));
	assert_false(email_valid("a.@example.com"));
	assert_false(email_valid("a..b@example.com"));
}

static void
test_email_valid_rejects_non_ascii_and_controls(void **state)
{
	(void)state;
	assert_false(email_valid("caf\xc3\xa9@example.com"));
	assert_false(email_valid("a@caf\xc3\xa9.com"));
	assert_false(email_valid("a\x01@example.com"));
	assert_false(email_valid("a\x7f@example.com"));
	assert_false(email_valid("a\n@example.com"));
}

static void
test_email_valid_rejects_long_local_part(void **state)
{
	char *local = repeat("a", 65, "@example.com");

	(void)state;
	assert_false(email_valid(local));
	free(local);
}

/* ---- domain_valid ---- */

static void
test_domain_valid_accepts(void **state)
{
	(void)state;
	assert_true(domain_valid("example.com"));
	assert_true(domain_valid("a.b"));
	assert_true(domain_valid("Sub-1.Example.COM"));
	assert_true(domain_valid("xn--bcher-kva.example"));
	assert_true(domain_valid("123.example"));
}

static void
test_domain_valid_rejects_shape(void **state)
{
	static const char *const bad[] = {"", "com", ".", ".example.com", "example.com.",
	    "example..com", "-a.com", "a-.com", "a.-b.com", "a.b-", "a_b.com", "exa mple.com",
	    "caf\xc3\xa9.com", "example.com/", "http://example.com", "a@b.com", "a.b:80"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (domain_valid(bad[i]))
			fail_msg("domain_valid accepted \"%s\"", bad[i]);
}

static void
test_domain_valid_label_of_63_ok_64_rejected(void **state)
{
	char *l63 = repeat("a", 63, ""), *l64 = repeat("a", 64, "");
	char d[160];

	(void)state;
	snprintf(d, sizeof(d), "%s.com", l63);
	assert_true(domain_valid(d));
	snprintf(d, sizeof(d), "%s.com", l64);
	assert_false(domain_valid(d));
	snprintf(d, sizeof(d), "example.%s", l63);
	assert_true(domain_valid(d));
	snprintf(d, sizeof(d), "example.%s", l64);
	assert_false(domain_valid(d));
	free(l63);
	free(l64);
}

static void
test_domain_valid_253_bytes_ok_254_rejected(void **state)
{
	/* three labels of 63 and their dots are 192 bytes; a last label of 61 makes 253 */
	char *l = repeat("a", 63, "."), *last = repeat("b", 61, "");
	char full[300];

	(void)state;
	snprintf(full, sizeof(full), "%s%s%s%s", l, l, l, last);
	assert_int_equal(strlen(full), DOMAIN_MAX_BYTES);
	assert_true(domain_valid(full));
	strcat(full, "b");
	assert_false(domain_valid(full));
	free(l);
	free(last);
}

/* ---- url_valid ---- */

static void
test_url_valid_accepts(void **state)
{
	(void)state;
	assert_true(url_valid("https://example.com"));
	assert_true(url_valid("http://example.com/path?q=1&r=%20#frag"));
	assert_true(url_valid("HTTPS://EXAMPLE.COM/"));
	assert_true(url_valid("https://example.com:8443/a"));
}

static void
test_url_valid_rejects(void **state)
{
	static const char *const bad[] = {"", "example.com", "//example.com", "ftp://example.com",
	    "javascript:alert(1)", "https:example.com", "https:/example.com", "https://", "http://",
	    "https:///path", "https://?q=1", "https://#frag", "https://exa mple.com",
	    "https://example.com/a b", "https://example.com/\x7f", "https://example.com/\t",
	    "https://ex\xc3\xa4mple.com", "https://example.com/\n", " https://example.com"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (url_valid(bad[i]))
			fail_msg("url_valid accepted \"%s\"", bad[i]);
}

static void
test_url_valid_2048_bytes_ok_2049_rejected(void **state)
{
	char *u = repeat("a", URL_MAX_BYTES, "");

	(void)state;
	memcpy(u, "https://example.com/", 20);
	assert_true(url_valid(u));
	free(u);
	u = repeat("a", URL_MAX_BYTES + 1, "");
	memcpy(u, "https://example.com/", 20);
	assert_false(url_valid(u));
	free(u);
}

/* ---- validate_campaign_new ---- */

static void
test_campaign_new_good(void **state)
{
	struct campaign_new in;
	struct prospect_in p[3];
	const char *bad = "unset";

	(void)state;
	good_campaign(&in, p, 3);
	assert_int_equal(validate_campaign_new(&in, &bad), LC_OK);
	assert_null(bad);
}

static void
test_campaign_new_optional_fields(void **state)
{
	struct campaign_new in;
	struct prospect_in p[3];
	const char *bad;

	(void)state;
	good_campaign(&in, p, 0);
	in.subject = NULL;
	in.body = NULL;
	in.type = CAMPAIGN_CUSTOM;
	assert_int_equal(validate_campaign_new(&in, &bad), LC_OK);
	in.subject = "";
	in.body = "";
	assert_int_equal(validate_campaign_new(&in, &bad), LC_OK);
}

static void
test_campaign_new_bad_type(void **state)
{
	struct campaign_new in;
	struct prospect_in p[3];

	(void)state;
	good_campaign(&in, p, 1);
	in.type = CAMPAIGN_NTYPES;
	assert_bad_param(&in, "type");
	in.type = 999;
	in.name = NULL; /* the first bad field is reported */
	assert_bad_param(&in, "type");
}

static void
test_campaign_new_bad_name(void **state)
{
	struct campaign_new in;
	struct prospect_in p[3];
	char *long_name = repeat("n", NAME_MAX_CHARS + 1, "");

	(void)state;
	good_campaign(&in, p, 1);
	in.name = NULL;
	assert_bad_param(&in, "name");
	in.name = "";
	assert_bad_param(&in, "name");
	in.name = "two\nlines";
	assert_bad_param(&in, "name");
	in.name = "\xff";
	assert_bad_param(&in, "name");
	in.name = long_name;
	assert_bad_param(&in, "name");
	long_name[NAME_MAX_CHARS] = '\0';
	assert_valid(&in);
	free(long_name);
}

static void
test_campaign_new_bad_target_url(void **state)
{
	struct campaign_new in;
	struct prospect_in p[3];

	(void)state;
	good_campaign(&in, p, 1);
	in.target_url = NULL;
	assert_bad_param(&in, "targetUrl");
	in.target_url = "ftp://example.com/";
	assert_bad_param(&in, "targetUrl");
	in.target_url = "";
	assert_bad_param(&in, "targetUrl");
}

static void
test_campaign_new_bad_sender(void **state)
{
	struct campaign_new in;
	struct prospect_in p[3];

	(void)state;
	good_campaign(&in, p, 1);
	in.sender = NULL;
	assert_bad_param(&in, "sender");
	in.sender = "Outreach <outreach@shop.example.com>";
	assert_bad_param(&in, "sender");
	in.sender = "";
	assert_bad_param(&in, "sender");
}

static void
test_campaign_new_bad_subject(void **state)
{
	struct campaign_new in;
	struct prospect_in p[3];
	char *s = repeat("s", SUBJECT_MAX_CHARS + 1, "");

	(void)state;
	good_campaign(&in, p, 1);
	in.subject = "Hi\r\nBcc: victim@example.com";
	assert_bad_param(&in, "template.subject");
	in.subject = "\x01";
	assert_bad_param(&in, "template.subject");
	in.subject = s;
	assert_bad_param(&in, "template.subject");
	s[SUBJECT_MAX_CHARS] = '\0';
	assert_valid(&in);
	free(s);
}

static void
test_campaign_new_bad_body(void **state)
{
	struct campaign_new in;
	struct prospect_in p[3];
	char *b = repeat("b", BODY_MAX_BYTES + 1, "");

	(void)state;
	good_campaign(&in, p, 1);
	in.body = "null\x01 byte";
	assert_bad_param(&in, "template.body");
	in.body = "bad \xc0\xaf utf-8";
	assert_bad_param(&in, "template.body");
	in.body = b;
	assert_bad_param(&in, "template.body");
	b[BODY_MAX_BYTES] = '\0';
	assert_valid(&in);
	free(b);
}

static void
test_campaign_new_too_many_prospects(void **state)
{
	static char emails[PROSPECTS_MAX + 1][32];
	struct prospect_in *ps = calloc(PROSPECTS_MAX + 1, sizeof(*ps));
	struct campaign_new in;
	struct prospect_in p[3];
	const char *bad;
	size_t i;

	(void)state;
	assert_non_null(ps);
	for (i = 0; i <= PROSPECTS_MAX; i++) {
		snprintf(emails[i], sizeof(emails[i]), "p%zu@example.com", i);
		ps[i].domain = "example.com";
		ps[i].contact_email = emails[i];
	}
	good_campaign(&in, p, 0);
	in.prospects = ps;
	in.nprospects = PROSPECTS_MAX;
	assert_int_equal(validate_campaign_new(&in, &bad), LC_OK);
	in.nprospects = PROSPECTS_MAX + 1;
	assert_bad_param(&in, "prospects");
	free(ps);
}

static void
test_campaign_new_bad_prospect_domain(void **state)
{
	struct campaign_new in;
	struct prospect_in p[3];

	(void)state;
	good_campaign(&in, p, 3);
	p[2].domain = NULL;
	assert_bad_param(&in, "prospects[].domain");
	p[2].domain = "localhost";
	assert_bad_param(&in, "prospects[].domain");
	p[2].domain = "https://blog.example.com";
	assert_bad_param(&in, "prospects[].domain");
}

static void
test_campaign_new_bad_prospect_contact_name(void **state)
{
	struct campaign_new in;
	struct prospect_in p[3];
	char *n = repeat("n", NAME_MAX_CHARS + 1, "");

	(void)state;
	good_campaign(&in, p, 3);
	p[1].contact_name = "tab\there";
	assert_bad_param(&in, "prospects[].contactName");
	p[1].contact_name = n;
	assert_bad_param(&in, "prospects[].contactName");
	p[1].contact_name = "";
	assert_valid(&in);
	free(n);
}

static void
test_campaign_new_bad_prospect_contact_email(void **state)
{
	struct campaign_new in;
	struct prospect_in p[3];

	(void)state;
	good_campaign(&in, p, 3);
	p[0].contact_email = NULL;
	assert_bad_param(&in, "prospects[].contactEmail");
	p[0].contact_email = "ann";
	assert_bad_param(&in, "prospects[].contactEmail");
	p[0].contact_email = "";
	assert_bad_param(&in, "prospects[].contactEmail");
}

static void
test_campaign_new_duplicate_contact_email(void **state)
{
	struct campaign_new in;
	struct prospect_in p[3];

	(void)state;
	good_campaign(&in, p, 3);
	p[2].contact_email = p[0].contact_email;
	assert_bad_param(&in, "prospects[].contactEmail");
}

static void
test_campaign_new_duplicate_contact_email_ignores_case(void **state)
{
	struct campaign_new in;
	struct prospect_in p[3];

	(void)state;
	good_campaign(&in, p, 3);
	p[2].contact_email = "ANN@Blog.Example.COM";
	assert_bad_param(&in, "prospects[].contactEmail");
}

static void
test_campaign_new_same_domain_different_contacts_ok(void **state)
{
	struct campaign_new in;
	struct prospect_in p[3];
	const char *bad;

	(void)state;
	good_campaign(&in, p, 3);
	assert_string_equal(p[0].domain, p[2].domain);
	assert_int_equal(validate_campaign_new(&in, &bad), LC_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_campaign_id_valid_accepts_every_type_prefix),
	    cmocka_unit_test(test_campaign_id_valid_rejects_other_shapes),
	    cmocka_unit_test(test_text_valid_null_only_when_optional),
	    cmocka_unit_test(test_text_valid_empty_only_when_optional),
	    cmocka_unit_test(test_text_valid_max_chars),
	    cmocka_unit_test(test_text_valid_counts_code_points),
	    cmocka_unit_test(test_text_valid_rejects_invalid_utf8),
	    cmocka_unit_test(test_text_valid_rejects_control_chars),
	    cmocka_unit_test(test_text_valid_rejects_c1_control_chars),
	    cmocka_unit_test(test_text_valid_multiline_allows_lf_cr_tab_only),
	    cmocka_unit_test(test_email_valid_accepts),
	    cmocka_unit_test(test_email_valid_rejects_shape),
	    cmocka_unit_test(test_email_valid_rejects_dots_in_local_part),
	    cmocka_unit_test(test_email_valid_rejects_non_ascii_and_controls),
	    cmocka_unit_test(test_email_valid_rejects_long_local_part),
	    cmocka_unit_test(test_domain_valid_accepts),
	    cmocka_unit_test(test_domain_valid_rejects_shape),
	    cmocka_unit_test(test_domain_valid_label_of_63_ok_64_rejected),
	    cmocka_unit_test(test_domain_valid_253_bytes_ok_254_rejected),
	    cmocka_unit_test(test_url_valid_accepts),
	    cmocka_unit_test(test_url_valid_rejects),
	    cmocka_unit_test(test_url_valid_2048_bytes_ok_2049_rejected),
	    cmocka_unit_test(test_campaign_new_good),
	    cmocka_unit_test(test_campaign_new_optional_fields),
	    cmocka_unit_test(test_campaign_new_bad_type),
	    cmocka_unit_test(test_campaign_new_bad_name),
	    cmocka_unit_test(test_campaign_new_bad_target_url),
	    cmocka_unit_test(test_campaign_new_bad_sender),
	    cmocka_unit_test(test_campaign_new_bad_subject),
	    cmocka_unit_test(test_campaign_new_bad_body),
	    cmocka_unit_test(test_campaign_new_too_many_prospects),
	    cmocka_unit_test(test_campaign_new_bad_prospect_domain),
	    cmocka_unit_test(test_campaign_new_bad_prospect_contact_name),
	    cmocka_unit_test(test_campaign_new_bad_prospect_contact_email),
	    cmocka_unit_test(test_campaign_new_duplicate_contact_email),
	    cmocka_unit_test(test_campaign_new_duplicate_contact_email_ignores_case),
	    cmocka_unit_test(test_campaign_new_same_domain_different_contacts_ok),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
