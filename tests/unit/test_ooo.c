/* test_ooo.c: mime_ooo_return, the return day of an out-of-office auto-reply
 * (src/mail/mime_ooo.c): the five languages of issue 16, ISO dates, "until" meaning the day
 * after, year inference around the new year, dates that are not believed, hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mail/mime.h"
#include "util/timefmt.h"

struct ooo_case {
	const char *subject, *text;
	const char *written; /* RFC 3339: the message's Date */
	const char *want;    /* "YYYY-MM-DD" or NULL: no date */
};

static void run(const struct ooo_case *, size_t);
static void test_five_languages(void **);
static void test_shapes(void **);
static void test_until_is_the_day_after(void **);
static void test_year_inference(void **);
static void test_not_believed(void **);
static void test_hostile(void **);

/* run checks every case, printing the ones that fail before failing. */
static void
run(const struct ooo_case *c, size_t n)
{
	char got[TIME_DATE_LEN];
	int64_t ref, ms;
	size_t i;
	int bad = 0, found;

	for (i = 0; i < n; i++) {
		assert_int_equal(rfc3339_parse(c[i].written, strlen(c[i].written), &ref), LC_OK);
		found = mime_ooo_return(c[i].subject, c[i].text, ref, &ms);
		strcpy(got, "none");
		if (found)
			date_format(ms, got);
		if (found != (c[i].want != NULL) || (ms == -1) != !found ||
		    (found && strcmp(got, c[i].want) != 0)) {
			print_error("case %zu \"%s\": want %s, got %s\n", i, c[i].text,
			    c[i].want ? c[i].want : "none", got);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static void
test_five_languages(void **state)
{
	static const struct ooo_case c[] = {
	    {NULL, "I'm out of the office and back on 12 January.", "2026-12-20T10:00:00Z",
	        "2027-01-12"},
	    {NULL, "Ich bin zurück am 12.01. und antworte dann.", "2026-12-20T10:00:00Z",
	        "2027-01-12"},
	    {NULL, "Je serai de retour le 12 janvier.", "2026-12-20T10:00:00Z", "2027-01-12"},
	    {NULL, "Estaré de vuelta el 12 de enero.", "2026-12-20T10:00:00Z", "2027-01-12"},
	    {NULL, "Ik ben terug op 12 januari.", "2026-12-20T10:00:00Z", "2027-01-12"},
	    {NULL, "Back on 2027-01-12.", "2026-12-20T10:00:00Z", "2027-01-12"},
	    /* capitals, weekday names and other fillers between trigger and date */
	    {NULL, "I WILL BE BACK IN THE OFFICE ON MONDAY, 12 JANUARY", "2026-12-20T10:00:00Z",
	        "2027-01-12"},
	    {NULL, "Ab Montag, dem 12. Januar bin ich wieder erreichbar.", "2026-12-20T10:00:00Z",
	        "2027-01-12"},
	    {NULL, "De retour au bureau le lundi 12 janvier 2027.", "2026-12-20T10:00:00Z",
	        "2027-01-12"},
	    {NULL, "Regreso a la oficina el lunes 12 de enero de 2027.", "2026-12-20T10:00:00Z",
	        "2027-01-12"},
	    {NULL, "Vanaf maandag 12 januari ben ik weer op kantoor.", "2026-12-20T10:00:00Z",
	        "2027-01-12"},
	    /* the subject, when the text says nothing */
	    {"Out of office until 11 Jan", "Thanks for your mail.", "2026-12-20T10:00:00Z",
	        "2027-01-12"},
	};

	(void)state;
	run(c, sizeof(c) / sizeof(c[0]));
}

static void
test_shapes(void **state)
{
	static const struct ooo_case c[] = {
	    {NULL, "back on January 12th, 2027", "2026-12-20T10:00:00Z", "2027-01-12"},
	    {NULL, "back on Jan. 12", "2026-12-20T10:00:00Z", "2027-01-12"},
	    {NULL, "back on the 12th of January", "2026-12-20T10:00:00Z", "2027-01-12"},
	    {NULL, "returning 12/01/2027", "2026-12-20T10:00:00Z", "2027-01-12"},
	    {NULL, "zurück am 12.01.27", "2026-12-20T10:00:00Z", "2027-01-12"},
	    {NULL, "wieder am 3. März", "2027-02-20T10:00:00Z", "2027-03-03"},
	    {NULL, "de retour le 1er février", "2027-01-20T10:00:00Z", "2027-02-01"},
	    {NULL, "de retour le 15 août", "2027-07-20T10:00:00Z", "2027-08-15"},
	    {NULL, "de vuelta el 3 de septiembre", "2027-08-20T10:00:00Z", "2027-09-03"},
	    {NULL, "terug op 1 mei", "2027-04-20T10:00:00Z", "2027-05-01"},
	    /* the return trigger wins over an earlier "until" or "from" */
	    {NULL, "Away from 3 January until 11 January, back on 13 January.",
	        "2026-12-20T10:00:00Z", "2027-01-13"},
	};

	(void)state;
	run(c, sizeof(c) / sizeof(c[0]));
}

static void
test_until_is_the_day_after(void **state)
{
	static const struct ooo_case c[] = {
	    {NULL, "I am on leave until 7 December.", "2026-11-26T13:41:12Z", "2026-12-08"},
	    {NULL, "bis einschließlich 4. Dezember nicht im Büro", "2026-11-26T05:40:59Z",
	        "2026-12-05"},
	    {NULL, "absente jusqu'au 31 décembre", "2026-12-20T10:00:00Z", "2027-01-01"},
	    {NULL, "de vacaciones hasta el 11 de enero", "2026-12-20T10:00:00Z", "2027-01-12"},
	    {NULL, "afwezig tot en met 11 januari", "2026-12-20T10:00:00Z", "2027-01-12"},
	    {NULL, "away until 2028-02-28", "2027-12-20T10:00:00Z", "2028-02-29"},
	};

	(void)state;
	run(c, sizeof(c) / sizeof(c[0]));
}

static void
test_year_inference(void **state)
{
	static const struct ooo_case c[] = {
	    /* written in December: January is next year */
	    {NULL, "back on 2 January", "2026-12-31T23:00:00Z", "2027-01-02"},
	    /* written in January, a day just gone: still this year (a late auto-reply) */
	    {NULL, "back on 2 January", "2027-01-10T10:00:00Z", "2027-01-02"},
	    /* written in March, January is more than 30 days ago: next year */
	    {NULL, "back on 2 January", "2027-03-10T10:00:00Z", "2028-01-02"},
	    /* 29 February exists only in leap years: found in 2028, not in 2027 */
	    {NULL, "back on 29 February", "2028-02-01T10:00:00Z", "2028-02-29"},
	    {NULL, "back on 29 February", "2027-02-01T10:00:00Z", NULL},
	};

	(void)state;
	run(c, sizeof(c) / sizeof(c[0]));
}

static void
test_not_believed(void **state)
{
	static const struct ooo_case c[] = {
	    {NULL, "Thanks for your email, I will get back to you soon.", "2026-12-20T10:00:00Z",
	        NULL},
	    {NULL, "back on 2025-01-12", "2026-12-20T10:00:00Z", NULL}, /* long past */
	    {NULL, "back on 2029-01-12", "2026-12-20T10:00:00Z", NULL}, /* too far */
	    {NULL, "back on 31 April", "2026-12-20T10:00:00Z", NULL},
	    {NULL, "back on 12.13.", "2026-12-20T10:00:00Z", NULL},
	    {NULL, "back on 0 January", "2026-12-20T10:00:00Z", NULL},
	    {NULL, "back at 17:00", "2026-12-20T10:00:00Z", NULL},
	    {NULL, "feedback on 12 January", "2026-12-20T10:00:00Z", NULL}, /* not a word start */
	    {NULL, "back in 2 weeks", "2026-12-20T10:00:00Z", NULL},
	    {NULL, "bis bald", "2026-12-20T10:00:00Z", NULL},
	    {NULL, NULL, "2026-12-20T10:00:00Z", NULL},
	    {"", "", "2026-12-20T10:00:00Z", NULL},
	};

	(void)state;
	run(c, sizeof(c) / sizeof(c[0]));
}

/* Long, truncated and odd input: no crash, no read past the end (ASan), bounded work. */
static void
test_hostile(void **state)
{
	static const char *const tails[] = {"back", "back on", "back on 1", "back on 12.",
	    "back on 12 ", "back on 12 Ja", "back on Jan", "back on 2027-01", "zurück am 12.0",
	    "\xC3", "back \xC3\xBC"};
	size_t n = 100000, i;
	char *big = malloc(n + 1);
	int64_t ms, ref = INT64_C(1798000000000);
	int found;

	(void)state;
	assert_non_null(big);
	for (i = 0; i < n; i++)
		big[i] = "back on the on the "[i % 19];
	big[n] = '\0';
	assert_int_equal(mime_ooo_return(big, big, ref, &ms), 0);
	assert_int_equal(ms, -1);
	free(big);
	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		/* exactly sized copies, so ASan sees any read past the terminator */
		size_t len = strlen(tails[i]);
		char *t = malloc(len + 1);

		assert_non_null(t);
		memcpy(t, tails[i], len + 1);
		found = mime_ooo_return(NULL, t, ref, &ms);
		free(t);
		assert_int_equal(found, 0);
	}
	/* a reference instant out of range finds nothing */
	assert_int_equal(mime_ooo_return(NULL, "back on 12 January", -5, &ms), 0);
	assert_int_equal(ms, -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_five_languages),
	    cmocka_unit_test(test_shapes),
	    cmocka_unit_test(test_until_is_the_day_after),
	    cmocka_unit_test(test_year_inference),
	    cmocka_unit_test(test_not_believed),
	    cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
