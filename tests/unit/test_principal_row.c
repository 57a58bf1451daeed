/* test_principal_row.c: the one place a role becomes a principal's rights
 * (users_principal_row, core/users.c), read at column 0 (users_principal's statement) and
 * after the session's columns (sessions_resolve_in's): every role, the ids, the name cut
 * to its buffer, and that nothing of an earlier principal survives. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/users.h"
#include "db/store_users.h"

#define MAXCOLS (SES_COL_N + 5)

/* row builds a one-row result of ncols columns, the membership's UWS_COL_* from col0 on
 * (the columns before it hold junk the reader must not look at). */
struct row {
	char *cell[MAXCOLS];
	unsigned long len[MAXCOLS];
	unsigned char null[MAXCOLS];
	char text[MAXCOLS][64];
	struct db_rows r;
};

static void
row_make(struct row *w, size_t col0, const char *ws_id, const char *ws_public, const char *name,
    const char *account, unsigned role)
{
	const char *uws[5];
	size_t i;

	memset(w, 0, sizeof(*w));
	uws[UWS_COL_ID] = ws_id;
	uws[UWS_COL_PUBLIC] = ws_public;
	uws[UWS_COL_NAME] = name;
	uws[UWS_COL_ACCOUNT] = account;
	for (i = 0; i < col0 + 5; i++) {
		if (i < col0)
			snprintf(w->text[i], sizeof(w->text[i]), "junk %zu", i);
		else if (i - col0 == UWS_COL_ROLE)
			snprintf(w->text[i], sizeof(w->text[i]), "%u", role);
		else
			snprintf(w->text[i], sizeof(w->text[i]), "%s", uws[i - col0]);
		w->cell[i] = w->text[i];
		w->len[i] = (unsigned long)strlen(w->text[i]);
	}
	w->r.nrows = 1;
	w->r.ncols = col0 + 5;
	w->r.cell = w->cell;
	w->r.len = w->len;
	w->r.null = w->null;
}

static void
test_each_role_at_either_offset(void **state)
{
	static const size_t offsets[] = {0, SES_COL_N};
	struct principal p;
	struct row w;
	char name[64];
	unsigned role, i, o;

	(void)state;
	for (o = 0; o < 2; o++) {
		for (i = 0; i < ROLE_N; i++) {
			row_make(
			    &w, offsets[o], "42", "ws_AAAAAAAAAAAAAAAAAAAAAA", "Client A", "7", i);
			memset(&p, 0x5a, sizeof(p)); /* an earlier principal's leftovers */
			role = 99;
			users_principal_row(&w.r, offsets[o], &p, name, sizeof(name), &role);
			assert_int_equal(role, i);
			assert_int_equal(p.can_approve, i == ROLE_APPROVER || i == ROLE_ADMIN);
			assert_int_equal(p.can_approve, user_role_approves(i));
			assert_int_equal(p.account_key, 0);
			assert_int_equal(p.workspace_id, 42);
			assert_int_equal(p.account_id, 7);
			assert_string_equal(p.workspace_public, "ws_AAAAAAAAAAAAAAAAAAAAAA");
			assert_string_equal(name, "Client A");
		}
	}
}

static void
test_an_unknown_role_has_no_rights(void **state)
{
	struct principal p;
	struct row w;
	unsigned role;

	(void)state;
	row_make(&w, SES_COL_N, "1", "ws_BBBBBBBBBBBBBBBBBBBBBB", "x", "1", 200);
	users_principal_row(&w.r, SES_COL_N, &p, NULL, 0, &role);
	assert_int_equal(role, 200);
	assert_int_equal(p.can_approve, 0);
	assert_int_equal(user_role_manages(role), 0);
}

static void
test_the_name_is_cut_to_its_buffer(void **state)
{
	struct principal p;
	struct row w;
	char name[5];
	unsigned role;

	(void)state;
	row_make(
	    &w, 0, "1", "ws_CCCCCCCCCCCCCCCCCCCCCC", "A long workspace name", "1", ROLE_VIEWER);
	memset(name, 'z', sizeof(name));
	users_principal_row(&w.r, 0, &p, name, sizeof(name), &role);
	assert_string_equal(name, "A lo");
	assert_int_equal(p.can_approve, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_each_role_at_either_offset),
	    cmocka_unit_test(test_an_unknown_role_has_no_rights),
	    cmocka_unit_test(test_the_name_is_cut_to_its_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
