/* test_notify_text.c: the words of approval emails (core/notify_text.c): a lone item's
 * subject as it always was, a gathered email's subject and list, the "and N more" line,
 * and names that hold line breaks, control characters, broken UTF-8 or great length. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/notify_text.h"
#include "core/sending.h"
#include "util/utf8.h"

static int
header_safe(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return utf8_valid(s, strlen(s));
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

static void
test_clean_replaces_controls_and_cuts_on_a_character(void **state)
{
	char out[64];

	(void)state;
	notify_text_clean(out, sizeof(out), "a\r\nb\tc\x7f", 100);
	assert_string_equal(out, "a  b c ");
	/* "é" is two bytes: a cut at 3 bytes keeps "aé" minus nothing broken, then "…" */
	notify_text_clean(out, sizeof(out), "a\xc3\xa9\xc3\xa9", 4);
	assert_string_equal(out, "a\xc3\xa9…");
	notify_text_clean(out, sizeof(out),
	    "ab\xff\xfe"
	    "c",
	    100);
	assert_string_equal(out, "ab??c");
	notify_text_clean(out, sizeof(out), "", 100);
	assert_string_equal(out, "");
}

static void
test_clean_never_passes_its_buffer(void **state)
{
	char big[5000], out[16];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	notify_text_clean(out, sizeof(out), big, 4000);
	assert_true(strlen(out) < sizeof(out));
	assert_true(header_safe(out));
}

static void
test_one_item_subject_is_as_before(void **state)
{
	struct notify_item it = {
	    MSG_SEND_EMAIL, "a@b.example", "C", "Hello there", "Body", "out_1"};
	char s[NOTIFY_SUBJECT_MAX];

	(void)state;
	notify_text_subject("Client", &it, 1, s);
	assert_string_equal(s, "Approval needed: Hello there");
}

static void
test_gathered_subject_names_count_and_workspace_safely(void **state)
{
	struct notify_item it[2] = {{MSG_SEND_EMAIL, "a@b.example", "C", "s1", "b", "o1"},
	    {MSG_FOLLOW_UP, "c@d.example", "C", "s2", "b", "o2"}};
	char s[NOTIFY_SUBJECT_MAX], name[2000];

	(void)state;
	notify_text_subject("Client\r\nBcc: x@evil.example", it, 2, s);
	assert_string_equal(s, "Approval needed: 2 messages in \"Client  Bcc: x@evil.example\"");
	memset(name, 0, sizeof(name));
	for (size_t i = 0; i + 4 < sizeof(name); i += 3)
		memcpy(name + i, "\xe2\x82\xac", 3); /* € */
	notify_text_subject(name, it, 2, s);
	assert_true(strlen(s) < NOTIFY_SUBJECT_MAX);
	assert_true(header_safe(s));
	assert_non_null(strstr(s, "…\""));
}

static void
test_gathered_body_lists_at_most_25_then_counts_the_rest(void **state)
{
	struct notify_item it[30];
	char ids[30][16];
	struct buf b;
	size_t i;

	(void)state;
	for (i = 0; i < 30; i++) {
		snprintf(ids[i], sizeof(ids[i]), "out_%zu", i);
		it[i] = (struct notify_item){
		    MSG_FOLLOW_UP, "p@q.example", "Camp\nX", "Subj\r\nY", "body", ids[i]};
	}
	buf_init(&b, 64 * 1024);
	assert_int_equal(notify_text_body("https://lc.example", "ws_1", "WS", it, 30, &b), LC_OK);
	assert_non_null(strstr(b.data, "30 messages in \"WS\" are waiting"));
	assert_int_equal(count(b.data, "https://lc.example/app/w/ws_1/approvals/out_"), 25);
	assert_non_null(strstr(b.data, "/approvals/out_24\n"));
	assert_null(strstr(b.data, "/approvals/out_25\n"));
	assert_non_null(
	    strstr(b.data, "\nand 5 more are waiting: https://lc.example/app/w/ws_1/approvals\n"));
	assert_non_null(strstr(b.data, "A follow-up to p@q.example in campaign \"Camp X\""));
	assert_non_null(strstr(b.data, "Subject: Subj  Y\n"));
	buf_free(&b);
}

static void
test_gathered_body_of_25_has_no_more_line(void **state)
{
	struct notify_item it[25];
	struct buf b;
	size_t i;

	(void)state;
	for (i = 0; i < 25; i++)
		it[i] = (struct notify_item){MSG_DRAFT, "p@q.example", "C", "S", "b", "o"};
	buf_init(&b, 64 * 1024);
	assert_int_equal(notify_text_body("http://x", "w", "W", it, 25, &b), LC_OK);
	assert_null(strstr(b.data, "more are waiting"));
	assert_int_equal(count(b.data, "A draft to"), 25);
	buf_free(&b);
}

static void
test_one_item_body_quotes_an_excerpt(void **state)
{
	char body[1000];
	struct notify_item it = {MSG_RESPOND, "a@b.example", "Camp", "Subj", body, "out_9"};
	struct buf b;

	(void)state;
	memset(body, 'z', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	buf_init(&b, 64 * 1024);
	assert_int_equal(notify_text_body("http://x", "w", "W", &it, 1, &b), LC_OK);
	assert_non_null(strstr(b.data, "A reply to a@b.example in campaign \"Camp\" is waiting"));
	assert_non_null(strstr(b.data, "http://x/app/w/w/approvals/out_9\n"));
	assert_non_null(strstr(b.data, "\n[…]\n"));
	assert_int_equal(count(b.data, "z"), 600);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clean_replaces_controls_and_cuts_on_a_character),
	    cmocka_unit_test(test_clean_never_passes_its_buffer),
	    cmocka_unit_test(test_one_item_subject_is_as_before),
	    cmocka_unit_test(test_gathered_subject_names_count_and_workspace_safely),
	    cmocka_unit_test(test_gathered_body_lists_at_most_25_then_counts_the_rest),
	    cmocka_unit_test(test_gathered_body_of_25_has_no_more_line),
	    cmocka_unit_test(test_one_item_body_quotes_an_excerpt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
