/* test_hdr_encode.c: the header field writer on its own (hdr_encode.h): exact output for
 * atoms, quoted-strings and encoded-words, folding at the 78 and 76 octet limits, the 998
 * octet limit of a token, and encoded-words read back with a decoder written here (B with
 * libsodium's base64, Q by hand) that never split a character. test_compose.c checks the
 * same rules on whole messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "mail/hdr_encode.h"
#include "util/buf.h"
#include "util/utf8.h"

#define BIG_MAX (1u << 20)

enum field_kind { FK_PHRASE, FK_TEXT, FK_WORDS, FK_ENCODED };

static int setup_sodium(void **);
static lc_err field(enum field_kind, const char *, const char *, struct buf *);
static char *field_ok(enum field_kind, const char *, const char *);
static void assert_field(enum field_kind, const char *, const char *, const char *);
static void check_lines(const char *);
static char *ew_decode(const char *, int *);

static int
setup_sodium(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

/* field writes "name: text" with the writer kind asks for into a fresh b. */
static lc_err
field(enum field_kind kind, const char *name, const char *text, struct buf *b)
{
	struct hdr_field h;
	size_t n = strlen(text);
	lc_err e;

	if ((e = hdr_begin(&h, b, name)) != LC_OK)
		return e;
	switch (kind) {
	case FK_PHRASE: e = hdr_phrase(&h, text, n); break;
	case FK_TEXT: e = hdr_text(&h, text, n); break;
	case FK_WORDS: e = hdr_words(&h, text, n); break;
	case FK_ENCODED: e = hdr_encoded(&h, text, n); break;
	}
	if (e != LC_OK)
		return e;
	return hdr_end(&h);
}

/* field_ok is field that must succeed; returns the field (the caller frees it) after
 * check_lines. */
static char *
field_ok(enum field_kind kind, const char *name, const char *text)
{
	struct buf b;
	lc_err e;

	buf_init(&b, BIG_MAX);
	if ((e = field(kind, name, text, &b)) != LC_OK)
		fail_msg("field %s: %s", name, lc_strerror(e));
	assert_non_null(b.data);
	check_lines(b.data);
	return b.data;
}

/* assert_field checks that field_ok writes exactly want. */
static void
assert_field(enum field_kind kind, const char *name, const char *text, const char *want)
{
	char *f = field_ok(kind, name, text);

	assert_string_equal(f, want);
	free(f);
}

/* check_lines: 7-bit, CRLF line ends only, every continuation line starts with a space,
 * no line past 78 octets, and none holding "=?" past 76. */
static void
check_lines(const char *s)
{
	const char *line, *end;
	size_t len, i;

	for (line = s; *line != '\0'; line = end + 2) {
		end = strstr(line, "\r\n");
		assert_non_null(end);
		len = (size_t)(end - line);
		assert_true(len <= HDR_LINE_SOFT);
		if (memmem(line, len, "=?", 2) != NULL)
			assert_true(len <= HDR_LINE_EW);
		if (line != s)
			assert_int_equal(line[0], ' ');
		for (i = 0; i < len; i++)
			assert_true(
			    (unsigned char)line[i] < 0x80 && line[i] != '\r' && line[i] != '\n');
	}
}

/* ew_decode decodes the value of a field made only of encoded-words (after "Name:"),
 * checking that each word holds whole UTF-8 characters. *kinds gets bit 1 for a Q word
 * and bit 2 for a B word. Returns the text (the caller frees it). */
static char *
ew_decode(const char *v, int *kinds)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf out;
	unsigned char bin[128];
	const char *w, *q, *stop, *hi, *lo;
	size_t binlen, k, start;

	buf_init(&out, BIG_MAX);
	assert_int_equal(buf_puts(&out, ""), LC_OK);
	*kinds = 0;
	for (w = strstr(v, "=?"); w != NULL; w = strstr(stop + 2, "=?")) {
		assert_int_equal(strncmp(w, "=?UTF-8?", 8), 0);
		q = w + 10;
		stop = strstr(q, "?=");
		assert_non_null(stop);
		assert_true(stop - w + 2 <= 75);
		start = out.len;
		if (w[8] == 'B') {
			*kinds |= 2;
			assert_int_equal(sodium_base642bin(bin, sizeof(bin), q, (size_t)(stop - q),
			                     NULL, &binlen, NULL, sodium_base64_VARIANT_ORIGINAL),
			    0);
			assert_int_equal(buf_append(&out, (const char *)bin, binlen), LC_OK);
		} else {
			assert_int_equal(w[8], 'Q');
			*kinds |= 1;
			for (; q < stop; q++) {
				char c = *q;

				if (c == '=') {
					/* uppercase only, as RFC 2047 requires of encoders */
					assert_true(q[1] != '\0' && q[2] != '\0');
					hi = strchr(hex, q[1]);
					lo = strchr(hex, q[2]);
					assert_true(hi != NULL && lo != NULL);
					c = (char)((hi - hex) * 16 + (lo - hex));
					q += 2;
				} else if (c == '_') {
					c = ' ';
				}
				assert_int_equal(buf_append(&out, &c, 1), LC_OK);
			}
		}
		k = out.len - start;
		assert_true(utf8_valid(out.data + start, k)); /* whole characters in each word */
	}
	return out.data;
}

static void
test_phrase_atoms_quoted_encoded(void **state)
{
	(void)state;
	assert_field(FK_PHRASE, "From", "Marina Petrova", "From: Marina Petrova\r\n");
	assert_field(FK_PHRASE, "From", "Petrova, Marina \"M\" \\o/",
	    "From: \"Petrova, Marina \\\"M\\\" \\\\o/\"\r\n");
	/* "=?" could be taken for an encoded-word by a lax reader, even inside quotes */
	assert_field(FK_PHRASE, "From", "a=?b", "From: =?UTF-8?Q?a=3D=3Fb?=\r\n");
	assert_field(FK_PHRASE, "From", "Mar\xc3\xadna", "From: =?UTF-8?Q?Mar=C3=ADna?=\r\n");
}

static void
test_text_plain_or_encoded(void **state)
{
	(void)state;
	assert_field(FK_TEXT, "Subject", "Quick question about your guide",
	    "Subject: Quick question about your guide\r\n");
	assert_field(FK_TEXT, "Subject", "Caf\xc3\xa9 au lait, please",
	    "Subject: =?UTF-8?Q?Caf=C3=A9_au_lait=2C_please?=\r\n");
	/* double spaces and "=?" are not plain: encoded so that they read back the same */
	assert_field(FK_TEXT, "Subject", "a  b", "Subject: =?UTF-8?Q?a__b?=\r\n");
}

static void
test_encoded_words_read_back_whole(void **state)
{
	const char *texts[] = {"Привет, мир", "\xf0\x9f\x98\x80\xf0\x9f\x98\x80 ok",
	    "Ünïcödé everywhere, and a long tail of words that needs more than one encoded-word "
	    "to hold it all: \xe2\x82\xac\xe2\x82\xac\xe2\x82\xac \xf0\x9f\x98\x80 done"};
	char *f, *dec, *p;
	size_t i;
	int kinds;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		f = field_ok(FK_ENCODED, "Subject", texts[i]);
		dec = ew_decode(f + strlen("Subject:"), &kinds);
		assert_string_equal(dec, texts[i]);
		assert_true(kinds != 0);
		free(dec);
		free(f);
	}
	/* Cyrillic is shorter in B; no B word that another follows ends in "=" padding */
	f = field_ok(FK_ENCODED, "Subject",
	    "Привет, мир! Это длинная тема письма, которой нужно несколько слов");
	assert_int_equal(strncmp(f, "Subject: =?UTF-8?B?", 19), 0);
	for (p = strstr(f, "=?="); p != NULL; p = strstr(p + 3, "=?="))
		assert_string_equal(p + 3, "\r\n");
	dec = ew_decode(f + strlen("Subject:"), &kinds);
	assert_string_equal(
	    dec, "Привет, мир! Это длинная тема письма, которой нужно несколько слов");
	free(dec);
	free(f);
}

static void
test_words_fold_at_78(void **state)
{
	char text[600], *f, *u, *p;
	size_t i, k = 0;

	(void)state;
	for (i = 0; i < 60; i++)
		k += (size_t)snprintf(text + k, sizeof(text) - k, "%sword%zu", i ? " " : "", i);
	f = field_ok(FK_WORDS, "References", text);
	assert_non_null(strstr(f, "\r\n "));
	/* unfolding gives the words back, one space apart */
	u = strdup(f);
	assert_non_null(u);
	for (p = u, i = 0; f[i] != '\0'; i++)
		if (f[i] != '\r' && f[i] != '\n')
			*p++ = f[i];
	*p = '\0';
	assert_int_equal(strncmp(u, "References: ", 12), 0);
	assert_string_equal(u + 12, text);
	free(u);
	free(f);
}

/* A token fills a line up to 998 octets; one that cannot fit even on a line of its own
 * is refused. */
static void
test_token_limit_998(void **state)
{
	struct hdr_field h;
	struct buf b;
	char *tok;
	size_t fit = HDR_LINE_HARD - strlen("X-Long:") - 1;

	(void)state;
	tok = malloc(HDR_LINE_HARD + 1);
	assert_non_null(tok);
	memset(tok, 'a', HDR_LINE_HARD);
	buf_init(&b, BIG_MAX);
	assert_int_equal(hdr_begin(&h, &b, "X-Long"), LC_OK);
	assert_int_equal(hdr_token(&h, "", tok, fit, ""), LC_OK);
	assert_int_equal(hdr_end(&h), LC_OK);
	assert_int_equal(b.len, HDR_LINE_HARD + 2);
	buf_free(&b);

	/* a second token folds to a line of its own: " " and 997 octets fit, 998 do not */
	buf_init(&b, BIG_MAX);
	assert_int_equal(hdr_begin(&h, &b, "X-Long"), LC_OK);
	assert_int_equal(hdr_token(&h, "", "a", 1, ""), LC_OK);
	assert_int_equal(hdr_token(&h, "<", tok, HDR_LINE_HARD - 3, ">"), LC_OK);
	assert_int_equal(hdr_end(&h), LC_OK);
	assert_int_equal(b.len, strlen("X-Long: a\r\n <") + HDR_LINE_HARD - 3 + strlen(">\r\n"));
	buf_free(&b);
	buf_init(&b, BIG_MAX);
	assert_int_equal(hdr_begin(&h, &b, "X-Long"), LC_OK);
	assert_int_equal(hdr_token(&h, "", "a", 1, ""), LC_OK);
	assert_int_equal(hdr_token(&h, "", tok, HDR_LINE_HARD, ""), LC_EINVAL);
	buf_free(&b);
	free(tok);
}

static void
test_enomem_when_buffer_is_full(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 16);
	assert_int_equal(field(FK_TEXT, "Subject", "far more than sixteen bytes", &b), LC_ENOMEM);
	buf_free(&b);
	buf_init(&b, 16);
	assert_int_equal(field(FK_PHRASE, "From", "Mar\xc3\xadna Petrova", &b), LC_ENOMEM);
	buf_free(&b);
}

static void
test_character_classes(void **state)
{
	const char *atext = "azAZ09!#$%&'*+-/=?^_`{|}~";
	const char *not_atext = "()<>[]:;@\\,.\" \t";
	size_t i;

	(void)state;
	for (i = 0; atext[i] != '\0'; i++)
		assert_true(hdr_is_atext((unsigned char)atext[i]));
	for (i = 0; not_atext[i] != '\0'; i++)
		assert_false(hdr_is_atext((unsigned char)not_atext[i]));
	assert_false(hdr_is_atext(0));
	assert_false(hdr_is_atext(0xc3));
	assert_true(hdr_is_wsp(' ') && hdr_is_wsp('\t'));
	assert_false(hdr_is_wsp('\n') || hdr_is_wsp('\r') || hdr_is_wsp('a'));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_phrase_atoms_quoted_encoded),
	    cmocka_unit_test(test_text_plain_or_encoded),
	    cmocka_unit_test(test_encoded_words_read_back_whole),
	    cmocka_unit_test(test_words_fold_at_78),
	    cmocka_unit_test(test_token_limit_998),
	    cmocka_unit_test(test_enomem_when_buffer_is_full),
	    cmocka_unit_test(test_character_classes),
	};

	return cmocka_run_group_tests(tests, setup_sodium, NULL);
}
