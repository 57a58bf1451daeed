/* test_ui_labels.c: every identifier a page shows has its words (ui_label), the table is in
 * bsearch's order, and a list of issues is joined and cut safely (ui_labels_join). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/core.h"
#include "core/inbound_view.h"
#include "core/pacing.h"
#include "core/placements.h"
#include "core/sending.h"
#include "ui/ui_labels.h"

/* an identifier of more than one word (with '_') must have words of its own */
static void
assert_worded(const char *code)
{
	const char *w = ui_label(code);

	assert_non_null(w);
	if (strchr(code, '_') != NULL) {
		if (strcmp(w, code) == 0)
			fail_msg("no words for \"%s\"", code);
		assert_null(strchr(w, '_'));
	}
}

static void
test_every_identifier_has_words(void **state)
{
	char issues[256];
	unsigned i;

	(void)state;
	for (i = 0; i < MSG_NKINDS; i++)
		assert_worded(msg_kind_name(i));
	for (i = 0; i < MS_N; i++)
		assert_worded(msg_status_name(i));
	for (i = 0; i < REL_NSTATUS; i++)
		assert_worded(rel_status_name(i));
	for (i = 0; i < IN_NCLASSES; i++)
		assert_worded(inbound_class_name(i));
	for (i = 1; i < PACE_NREASONS; i++)
		assert_worded(pacing_reason_name(i));
	for (i = 0; i < PI_N; i++) {
		placement_issues_format(1u << i, issues);
		assert_worded(issues);
	}
}

static void
test_known_words(void **state)
{
	(void)state;
	assert_string_equal(ui_label("awaiting_approval"), "awaiting approval");
	assert_string_equal(ui_label("send_email"), "one-off email");
	assert_string_equal(ui_label("not_followed"), "not followed (nofollow, sponsored or ugc)");
	/* the one-word identifiers with words of their own (each looked up: the table's order) */
	assert_string_equal(ui_label("respond"), "reply");
	assert_string_equal(ui_label("delayed"), "delivery delayed");
	assert_string_equal(ui_label("suppressed"), "do-not-email");
	assert_string_equal(ui_label("unknown"), "outcome unknown");
	/* a single word is its own label; an unknown identifier shows as it is */
	assert_string_equal(ui_label("sent"), "sent");
	assert_string_equal(ui_label("zz_new_thing"), "zz_new_thing");
	assert_null(ui_label(NULL));
}

static void
test_join(void **state)
{
	char out[64];

	(void)state;
	ui_labels_join("not_followed,anchor_differs", out, sizeof(out));
	assert_string_equal(out, "not followed (nofollow, sponsored or ugc), anchor text differs");
	ui_labels_join("anchor_differs,,robots_disallowed,", out, sizeof(out));
	assert_string_equal(out, "anchor text differs, robots.txt blocks Googlebot");
	ui_labels_join("", out, sizeof(out));
	assert_string_equal(out, "");
	ui_labels_join(NULL, out, sizeof(out));
	assert_string_equal(out, "");
	/* cut at a whole label, NUL-terminated */
	ui_labels_join("anchor_differs,rel_differs", out, 30);
	assert_string_equal(out, "anchor text differs");
	ui_labels_join("anchor_differs", out, 5);
	assert_string_equal(out, "");
	/* an overlong identifier is not copied into the stack buffer */
	{
		char big[300];
		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		ui_labels_join(big, out, sizeof(out));
		assert_string_equal(out, "");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_identifier_has_words),
	    cmocka_unit_test(test_known_words),
	    cmocka_unit_test(test_join),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
