/* mime_ooo.c: the return date of an out-of-office auto-reply.
 *
 * Design note. An auto-reply says when its writer is back in many shapes: "back on
 * 12 January", "zurück am 12.01.", "de retour le 12 janvier", "de vuelta el 12 de enero",
 * "terug op 12 januari", "until 2027-01-11". We do not try to understand the sentence: we
 * look for a trigger word and read a date right after it, skipping a few filler words
 * ("on", "am", "le", "el", "op", "the", weekday names, ...). Triggers come in three groups,
 * tried in this order so that "out from 3 January until 11 January" reads the right one:
 *   1. the return day itself ("back", "return", "zurück", "retour", "vuelta", "terug"),
 *   2. the last day away ("until", "bis", "jusqu'au", "hasta", "tot en met"): the day after,
 *   3. the first day back ("ab", "à partir du", "a partir del", "vanaf").
 * English "from" is no trigger: it starts absences more often than it ends them.
 * Dates: ISO 8601 (2027-01-12), day-first numerals (12.01., 12.01.2027, 12/01/27), day and
 * month name (12 January, 12th of January, 12. Januar, 1er janvier, 12 de enero de 2027) and
 * month name then day (January 12th, 2027), month names in English, German, French, Spanish
 * and Dutch, with their usual abbreviations. A date without a year is the next such day: in
 * the year of the message, unless that is more than 30 days before the message (then the
 * year after: written in December, "back on 12 January" is next year). Dates more than 30
 * days before the message or more than 400 days after it are not believed.
 *
 * The text is untrusted: everything is bounded (the first MIME_OOO_SCAN bytes, words of at
 * most MIME_OOO_WORD bytes, at most MIME_OOO_FILLERS filler words) and only ASCII bytes are
 * case-folded; non-ASCII letters are compared as their UTF-8 bytes, lower case. */
#include <stdlib.h>
#include <string.h>

#include "mail/mime.h"
#include "mail/mime_internal.h"
#include "util/timefmt.h"

#define MIME_OOO_SCAN 16384 /* bytes of subject + text looked at */
#define MIME_OOO_WORD 32    /* longest word compared */
#define MIME_OOO_FILLERS 6  /* filler words skipped between a trigger and its date */
#define DAY_MS INT64_C(86400000)

struct ooo_trigger {
	const char *phrase; /* lower case, words separated by one space */
	int group;          /* 1 return day, 2 last day away, 3 first day back */
};

static const struct ooo_trigger ooo_triggers[] = {
    /* English */
    {"back", 1},
    {"return", 1},
    {"returning", 1},
    {"returns", 1},
    {"until", 2},
    {"till", 2},
    {"through", 2},
    {"as of", 3},
    /* German */
    {"zurück", 1},
    {"zurueck", 1},
    {"wieder", 1},
    {"bis", 2},
    {"ab", 3},
    /* French */
    {"retour", 1},
    {"reviendrai", 1},
    {"rentre", 1},
    {"jusqu'au", 2},
    {"jusqu’au", 2},
    {"jusqu'à", 2},
    {"jusqu’à", 2},
    {"à partir du", 3},
    {"a partir du", 3},
    {"dès le", 3},
    /* Spanish */
    {"vuelta", 1},
    {"regreso", 1},
    {"regresaré", 1},
    {"volveré", 1},
    {"vuelvo", 1},
    {"hasta", 2},
    {"a partir del", 3},
    /* Dutch */
    {"terug", 1},
    {"weer", 1},
    {"tot en met", 2},
    {"t/m", 2},
    {"tot", 2},
    {"vanaf", 3},
};

/* Words between a trigger and its date. Weekday names are fillers too. */
static const char *const ooo_fillers[] = {"on", "the", "in", "at", "to", "office", "work", "be",
    "am", "i", "will", "again", "der", "dem", "den", "im", "büro", "buero", "wieder", "le", "la",
    "au", "bureau", "a", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "de", "el", "del", "oficina", "en", "op", "het", "kantoor", "einschließlich", "einschliesslich",
    "inclusive", "including", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "montag",
    "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "mo", "di", "mi", "do",
    "fr", "sa", "so", "lunes", "martes", "miércoles", "miercoles", "jueves", "viernes", "sábado",
    "sabado", "domingo", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag",
    "zondag", "ma", "wo", "vr", "za", "zo", NULL};

struct ooo_month {
	const char *name;
	unsigned month;
};

static const struct ooo_month ooo_months[] = {
    /* English */
    {"january", 1},
    {"february", 2},
    {"march", 3},
    {"april", 4},
    {"may", 5},
    {"june", 6},
    {"july", 7},
    {"august", 8},
    {"september", 9},
    {"october", 10},
    {"november", 11},
    {"december", 12},
    {"jan", 1},
    {"feb", 2},
    {"mar", 3},
    {"apr", 4},
    {"jun", 6},
    {"jul", 7},
    {"aug", 8},
    {"sep", 9},
    {"sept", 9},
    {"oct", 10},
    {"nov", 11},
    {"dec", 12},
    /* German */
    {"januar", 1},
    {"jänner", 1},
    {"februar", 2},
    {"märz", 3},
    {"maerz", 3},
    {"mai", 5},
    {"juni", 6},
    {"juli", 7},
    {"oktober", 10},
    {"dezember", 12},
    {"mär", 3},
    {"okt", 10},
    {"dez", 12},
    /* French */
    {"janvier", 1},
    {"février", 2},
    {"fevrier", 2},
    {"mars", 3},
    {"avril", 4},
    {"juin", 6},
    {"juillet", 7},
    {"août", 8},
    {"aout", 8},
    {"septembre", 9},
    {"octobre", 10},
    {"novembre", 11},
    {"décembre", 12},
    {"decembre", 12},
    {"janv", 1},
    {"févr", 2},
    {"fevr", 2},
    {"avr", 4},
    {"juil", 7},
    {"déc", 12},
    /* Spanish */
    {"enero", 1},
    {"febrero", 2},
    {"marzo", 3},
    {"abril", 4},
    {"mayo", 5},
    {"junio", 6},
    {"julio", 7},
    {"agosto", 8},
    {"septiembre", 9},
    {"setiembre", 9},
    {"octubre", 10},
    {"noviembre", 11},
    {"diciembre", 12},
    {"ene", 1},
    {"abr", 4},
    {"ago", 8},
    {"dic", 12},
    /* Dutch */
    {"januari", 1},
    {"februari", 2},
    {"maart", 3},
    {"mei", 5},
    {"augustus", 8},
    {"okt", 10},
    {"mrt", 3},
};

struct ooo_date {
	int64_t year; /* 0: not given */
	unsigned month, day;
};

static int ooo_letter(unsigned char c);
static size_t ooo_word(const char *s, size_t n, size_t at);
static size_t ooo_skip(const char *s, size_t n, size_t at);
static int ooo_word_is(const char *s, size_t len, const char *lit);
static int ooo_month_of(const char *s, size_t len);
static size_t ooo_num(const char *s, size_t n, size_t at, size_t maxd, unsigned *v);
static size_t ooo_date_at(const char *s, size_t n, size_t at, struct ooo_date *d);
static int ooo_day(const struct ooo_date *d, int64_t ref_day, int64_t *day);
static int ooo_after(const char *s, size_t n, size_t at, int64_t ref_day, int64_t *day);

/* ooo_letter: an ASCII letter or any byte of a non-ASCII UTF-8 character (ü, é, ñ). */
static int
ooo_letter(unsigned char c)
{
	return c >= 0x80 || mime_is_alpha((char)c);
}

/* ooo_word returns the length of the word (a run of letters) at s[at]. */
static size_t
ooo_word(const char *s, size_t n, size_t at)
{
	size_t i = at;

	while (i < n && ooo_letter((unsigned char)s[i]))
		i++;
	return i - at;
}

/* ooo_skip returns the index of the next non-blank, non-comma byte from at. */
static size_t
ooo_skip(const char *s, size_t n, size_t at)
{
	while (at < n && (mime_is_wsp(s[at]) || s[at] == ',' || s[at] == ':'))
		at++;
	return at;
}

/* ooo_word_is: s[0..len) is lit (lit is lower case; s compared ASCII case-insensitively). */
static int
ooo_word_is(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && mime_has_prefix(s, len, lit);
}

/* ooo_month_of: the month (1-12) named by s[0..len), or 0. */
static int
ooo_month_of(const char *s, size_t len)
{
	size_t i;

	if (len > 0 && s[len - 1] == '.')
		len--;
	for (i = 0; i < sizeof(ooo_months) / sizeof(ooo_months[0]); i++)
		if (ooo_word_is(s, len, ooo_months[i].name))
			return (int)ooo_months[i].month;
	return 0;
}

/* ooo_num reads 1..maxd digits at s[at], not followed by a further digit; returns how many
 * (0: none there). */
static size_t
ooo_num(const char *s, size_t n, size_t at, size_t maxd, unsigned *v)
{
	size_t i = at;

	*v = 0;
	while (i < n && i - at < maxd && mime_is_digit(s[i]))
		*v = *v * 10 + (unsigned)(s[i++] - '0');
	if (i == at || (i < n && mime_is_digit(s[i])))
		return 0;
	return i - at;
}

/* ooo_date_at reads a date at s[at] in one of the shapes of the design note; returns the
 * bytes read, 0 when there is none. Only the fields are checked here, not the calendar. */
static size_t
ooo_date_at(const char *s, size_t n, size_t at, struct ooo_date *d)
{
	unsigned a, b, c;
	size_t i = at, k, w;
	int m;

	memset(d, 0, sizeof(*d));
	if ((k = ooo_num(s, n, i, 4, &a)) == 4) {
		/* ISO 8601: YYYY-MM-DD */
		if (i + 10 <= n && s[i + 4] == '-' && ooo_num(s, n, i + 5, 2, &b) == 2 &&
		    s[i + 7] == '-' && ooo_num(s, n, i + 8, 2, &c) == 2) {
			d->year = a;
			d->month = b;
			d->day = c;
			return 10;
		}
		return 0;
	}
	if (k > 0 && k <= 2) {
		i += k;
		/* day-first numerals: 12.01. 12.01.2027 12/01/27 12-01-2027 */
		if (i < n && (s[i] == '.' || s[i] == '/' || s[i] == '-') &&
		    (k = ooo_num(s, n, i + 1, 2, &b)) > 0) {
			char sep = s[i];

			i += 1 + k;
			d->day = a;
			d->month = b;
			if (i < n && s[i] == sep && (k = ooo_num(s, n, i + 1, 4, &c)) > 0) {
				if (k != 2 && k != 4)
					return 0;
				d->year = k == 2 ? 2000 + c : c;
				i += 1 + k;
			} else if (i < n && s[i] == sep) {
				i++; /* "12.01." */
			}
			return i - at;
		}
		/* day then month name: 12 January, 12th of January, 12. Januar, 1er janvier,
		 * 12 de enero de 2027 */
		d->day = a;
		if ((w = ooo_word(s, n, i)) > 0 &&
		    (ooo_word_is(s + i, w, "st") || ooo_word_is(s + i, w, "nd") ||
		        ooo_word_is(s + i, w, "rd") || ooo_word_is(s + i, w, "th") ||
		        ooo_word_is(s + i, w, "er") || ooo_word_is(s + i, w, "e")))
			i += w;
		if (i < n && s[i] == '.')
			i++;
		i = ooo_skip(s, n, i);
		if ((w = ooo_word(s, n, i)) > 0 &&
		    (ooo_word_is(s + i, w, "of") || ooo_word_is(s + i, w, "de")))
			i = ooo_skip(s, n, i + w);
		w = ooo_word(s, n, i);
		if (w == 0 || w > MIME_OOO_WORD || (m = ooo_month_of(s + i, w)) == 0)
			return 0;
		d->month = (unsigned)m;
		i += w;
		if (i < n && s[i] == '.')
			i++;
		/* an optional year: " 2027", ", 2027", " de 2027" */
		k = ooo_skip(s, n, i);
		if ((w = ooo_word(s, n, k)) > 0 && ooo_word_is(s + k, w, "de"))
			k = ooo_skip(s, n, k + w);
		if (ooo_num(s, n, k, 4, &c) == 4) {
			d->year = c;
			i = k + 4;
		}
		return i - at;
	}
	/* month name then day: January 12, Jan 12th, 2027 */
	w = ooo_word(s, n, i);
	if (w == 0 || w > MIME_OOO_WORD || (m = ooo_month_of(s + i, w)) == 0)
		return 0;
	i += w;
	if (i < n && s[i] == '.')
		i++;
	i = ooo_skip(s, n, i);
	if ((k = ooo_num(s, n, i, 2, &a)) == 0)
		return 0;
	d->month = (unsigned)m;
	d->day = a;
	i += k;
	if ((w = ooo_word(s, n, i)) > 0 &&
	    (ooo_word_is(s + i, w, "st") || ooo_word_is(s + i, w, "nd") ||
	        ooo_word_is(s + i, w, "rd") || ooo_word_is(s + i, w, "th")))
		i += w;
	k = ooo_skip(s, n, i);
	if (ooo_num(s, n, k, 4, &c) == 4) {
		d->year = c;
		i = k + 4;
	}
	return i - at;
}

/* ooo_day turns d into days since 1970-01-01, inferring a missing year from ref_day (the
 * day the message was written); 0 when the date does not exist or is not believable. */
static int
ooo_day(const struct ooo_date *d, int64_t ref_day, int64_t *day)
{
	static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t ry, y, z, t;
	unsigned rm, rd;

	if (d->month < 1 || d->month > 12 || d->day < 1 || d->day > mdays[d->month - 1])
		return 0;
	civil_from_days(ref_day, &ry, &rm, &rd);
	y = d->year ? d->year : ry;
	if (y < 1970 || y > 9998)
		return 0;
	z = days_from_civil(y, d->month, d->day);
	if (d->year == 0 && z < ref_day - 30)
		z = days_from_civil(++y, d->month, d->day);
	/* 29 February of a year without one: days_from_civil rolls it to 1 March */
	civil_from_days(z, &t, &rm, &rd);
	if (rm != d->month || rd != d->day)
		return 0;
	if (z < ref_day - 30 || z > ref_day + 400)
		return 0;
	*day = z;
	return 1;
}

/* ooo_after reads the date that follows a trigger ending at s[at], skipping filler words. */
static int
ooo_after(const char *s, size_t n, size_t at, int64_t ref_day, int64_t *day)
{
	struct ooo_date d;
	size_t i = at, w;
	int fillers = 0;

	for (;;) {
		i = ooo_skip(s, n, i);
		if (ooo_date_at(s, n, i, &d) > 0)
			return ooo_day(&d, ref_day, day);
		w = ooo_word(s, n, i);
		if (w == 0 || w > MIME_OOO_WORD || ++fillers > MIME_OOO_FILLERS)
			return 0;
		if (!mime_in_list(s + i, w, ooo_fillers))
			return 0;
		i += w;
		if (i < n && s[i] == '.')
			i++; /* "Mo." */
	}
}

int
mime_ooo_return(const char *subject, const char *text, int64_t ref_ms, int64_t *return_ms)
{
	const char *parts[2];
	int64_t ref_day, day;
	size_t p, i, t, n, len;
	int group;

	*return_ms = -1;
	if (ref_ms < TIME_MIN_MS || ref_ms > TIME_MAX_MS)
		return 0;
	ref_day = ref_ms / DAY_MS;
	parts[0] = text;
	parts[1] = subject;
	for (group = 1; group <= 3; group++) {
		for (p = 0; p < 2; p++) {
			const char *s = parts[p];

			if (s == NULL)
				continue;
			n = strnlen(s, MIME_OOO_SCAN);
			for (i = 0; i < n; i++) {
				if (i > 0 &&
				    (ooo_letter((unsigned char)s[i - 1]) || s[i - 1] == '\''))
					continue; /* triggers start a word */
				for (t = 0; t < sizeof(ooo_triggers) / sizeof(ooo_triggers[0]);
				     t++) {
					if (ooo_triggers[t].group != group)
						continue;
					len = strlen(ooo_triggers[t].phrase);
					if (len > n - i ||
					    !mime_has_prefix(s + i, n - i, ooo_triggers[t].phrase))
						continue;
					if (i + len < n && ooo_letter((unsigned char)s[i + len]))
						continue; /* and end one */
					if (ooo_after(s, n, i + len, ref_day, &day)) {
						*return_ms = (day + (group == 2 ? 1 : 0)) * DAY_MS;
						return 1;
					}
				}
			}
		}
	}
	return 0;
}
