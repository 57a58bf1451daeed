/* cli_counts.c: `linkcamp counts` and the doctor's "counts" line (cli_counts.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli_counts.h"
#include "core/counts.h"

#define DOCTOR_SHOWN 5 /* differences the doctor prints before it says how many more */

struct shown {
	int repair;
	unsigned n, limit; /* printed so far; at most limit (0: all) */
	const char *prefix;
};

static void
show(void *arg, const struct count_drift *d)
{
	struct shown *s = arg;

	if (s->limit && s->n >= s->limit)
		return;
	s->n++;
	printf("%s%s%s%s %s: kept %" PRId64 ", the rows say %" PRId64 "%s\n", s->prefix,
	    d->workspace, d->where[0] ? " " : "", d->where, d->what, d->kept, d->counted,
	    s->repair ? " (set)" : "");
}

int
cli_counts(struct core *core, int argc, char **argv)
{
	struct shown s = {0, 0, 0, ""};
	const char *ws = NULL;
	unsigned nws = 0, ndrift = 0;
	int i;
	lc_err e;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--repair") == 0 && !s.repair)
			s.repair = 1;
		else if (argv[i][0] != '-' && ws == NULL)
			ws = argv[i];
		else {
			fprintf(stderr, "usage: linkcamp counts [--repair] [WS_ID]\n");
			return EX_USAGE;
		}
	}
	e = counts_check(core, ws, s.repair, show, &s, &nws, &ndrift);
	if (e != LC_OK) {
		fprintf(stderr, "linkcamp: counts: %s%s%s\n", lc_strerror(e),
		    e == LC_ENOTFOUND ? ": no workspace " : "", e == LC_ENOTFOUND ? ws : "");
		if (e == LC_ENOTFOUND)
			return EX_DATAERR;
		return e == LC_EDBDOWN || e == LC_ERETRY ? EX_TEMPFAIL : EX_SOFTWARE;
	}
	if (ndrift == 0)
		printf("counts: %u workspace%s, every kept count agrees with its rows\n", nws,
		    nws == 1 ? "" : "s");
	else if (s.repair)
		printf("counts: %u kept count%s set to what the rows say (%u workspace%s read)\n",
		    ndrift, ndrift == 1 ? "" : "s", nws, nws == 1 ? "" : "s");
	else
		printf("counts: %u kept count%s differ%s from the rows (%u workspace%s read); "
		       "`linkcamp counts --repair` sets them\n",
		    ndrift, ndrift == 1 ? "" : "s", ndrift == 1 ? "s" : "", nws,
		    nws == 1 ? "" : "s");
	return ndrift > 0 && !s.repair;
}

void
cli_counts_doctor(struct core *core, int *failed)
{
	struct shown s = {0, 0, DOCTOR_SHOWN, "FAIL  counts    "};
	unsigned nws = 0, ndrift = 0;
	lc_err e;

	if ((e = counts_check(core, NULL, 0, show, &s, &nws, &ndrift)) != LC_OK) {
		printf("FAIL  counts    cannot read them: %s\n", lc_strerror(e));
		*failed = 1;
		return;
	}
	if (ndrift == 0) {
		printf("ok    counts    %u workspace%s: every kept count agrees with its rows\n",
		    nws, nws == 1 ? "" : "s");
		return;
	}
	*failed = 1;
	if (ndrift > s.n)
		printf("FAIL  counts    and %u more\n", ndrift - s.n);
	printf("FAIL  counts    `linkcamp counts --repair` sets them to what the rows say\n");
}
