/* test_references.c: inbound_references_new, the References of an answer to an inbound
 * message (core/references.c): the parent's chain, our message it answered unless listed,
 * its own Message-ID, each once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/inbound.h"

static void check(const char *, const char *, const char *, const char *);
static void test_reply_without_references_gets_ours(void **);
static void test_ours_already_listed_is_not_repeated(void **);
static void test_chain_without_ours_gets_it_before_the_parent(void **);
static void test_missing_parts(void **);

/* check: inbound_references_new(refs, ours, parent) is want (NULL: no References). */
static void
check(const char *refs, const char *ours, const char *parent, const char *want)
{
	char *got = NULL;

	assert_int_equal(inbound_references_new(refs, ours, parent, &got), LC_OK);
	if (want == NULL) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_reply_without_references_gets_ours(void **state)
{
	(void)state;
	check(NULL, "<ours@agency.example>", "<theirs@p.example>",
	    "<ours@agency.example> <theirs@p.example>");
	check("  ", "<ours@agency.example>", "<theirs@p.example>",
	    "<ours@agency.example> <theirs@p.example>");
}

static void
test_ours_already_listed_is_not_repeated(void **state)
{
	(void)state;
	check("<old@x.example> <ours@agency.example>", "<ours@agency.example>",
	    "<theirs@p.example>", "<old@x.example> <ours@agency.example> <theirs@p.example>");
	/* a token that merely starts like ours is not ours */
	check("<ours@agency.example.net>", "<ours@agency.example>", "<theirs@p.example>",
	    "<ours@agency.example.net> <ours@agency.example> <theirs@p.example>");
	/* the parent listed in its own References is not repeated either */
	check("<a@x.example>\t<theirs@p.example>", NULL, "<theirs@p.example>",
	    "<a@x.example>\t<theirs@p.example>");
}

static void
test_chain_without_ours_gets_it_before_the_parent(void **state)
{
	(void)state;
	check("<a@x.example> <b@x.example>", "<ours@agency.example>", "<theirs@p.example>",
	    "<a@x.example> <b@x.example> <ours@agency.example> <theirs@p.example>");
}

static void
test_missing_parts(void **state)
{
	(void)state;
	check(NULL, NULL, "<theirs@p.example>", "<theirs@p.example>");
	check(NULL, "<ours@agency.example>", NULL, "<ours@agency.example>");
	check(NULL, "<same@x.example>", "<same@x.example>", "<same@x.example>");
	check(NULL, NULL, NULL, NULL);
	check("", "", "", NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reply_without_references_gets_ours),
	    cmocka_unit_test(test_ours_already_listed_is_not_repeated),
	    cmocka_unit_test(test_chain_without_ours_gets_it_before_the_parent),
	    cmocka_unit_test(test_missing_parts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
