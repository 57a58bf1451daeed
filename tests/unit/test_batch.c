/* test_batch.c: the pieces of the store's batch statements that need no database: the
 * padding of id placeholders and the guard that lets only public ids into a JSON
 * parameter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "db/batch.h"

/* appended is what batch_json_id wrote for s, or NULL when it refused (and wrote nothing) */
static const char *
appended(struct buf *b, const char *s)
{
	buf_reset(b);
	if (batch_json_id(b, s) != LC_OK) {
		assert_int_equal(b->len, 0);
		return NULL;
	}
	return b->data;
}

static void
test_json_id_accepts_public_ids(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_string_equal(appended(&b, "evt_AbC-9_xyz"), "\"evt_AbC-9_xyz\"");
	assert_string_equal(appended(&b, "x"), "\"x\"");
	assert_string_equal(appended(&b, "out_0123456789012345678901234567890123456789012"),
	    "\"out_0123456789012345678901234567890123456789012\""); /* 47 bytes */
	buf_free(&b);
}

static void
test_json_id_refuses_anything_else(void **state)
{
	static const char *const bad[] = {"", "a\"b", "a\\b", "a b", "a,b", "a]b", "a\nb",
	    "caf\xc3\xa9", "evt_\x01", "a'b", "a}b", "a/b",
	    "out_01234567890123456789012345678901234567890123"}; /* the last: 48 bytes */
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 1024);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_null(appended(&b, bad[i]));
	buf_free(&b);
}

static void
test_json_id_respects_the_buffer_limit(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4); /* "abc" needs 5 bytes with its quotes */
	assert_int_not_equal(batch_json_id(&b, "abc"), LC_OK);
	buf_free(&b);
}

static void
test_ids_are_padded_with_zero(void **state)
{
	const int64_t ids[3] = {7, 42, INT64_C(9007199254740993)};
	struct db_param p[BATCH_IDS];
	size_t i;

	(void)state;
	memset(p, 0xff, sizeof(p));
	batch_ids(ids, 3, p);
	assert_int_equal(p[0].i, 7);
	assert_int_equal(p[1].i, 42);
	assert_int_equal(p[2].i, INT64_C(9007199254740993));
	for (i = 0; i < BATCH_IDS; i++)
		assert_int_equal(p[i].type, DBP_I64);
	for (i = 3; i < BATCH_IDS; i++)
		assert_int_equal(p[i].i, 0); /* no row has id 0 */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_id_accepts_public_ids),
	    cmocka_unit_test(test_json_id_refuses_anything_else),
	    cmocka_unit_test(test_json_id_respects_the_buffer_limit),
	    cmocka_unit_test(test_ids_are_padded_with_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
