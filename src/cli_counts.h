/* cli_counts.h: `linkcamp counts`, the kept counts against their rows, and the doctor's
 * line about them. */
#ifndef LC_CLI_COUNTS_H
#define LC_CLI_COUNTS_H

#include "core/core.h"

/* cli_counts runs `counts [--repair] [WS_ID]`: argv[0] is "counts". It prints each kept
 * count that differs from its rows and a summary. Returns the process exit code: 0 when
 * every count agreed (or, with --repair, was set to its rows), 1 when some differ (without
 * --repair), or sysexits: 64 usage, 65 no such workspace, 70 software, 75 database
 * unavailable. */
int cli_counts(struct core *core, int argc, char **argv);

/* cli_counts_doctor prints the doctor's "counts" lines: ok, or FAIL with the first
 * differences; sets *failed on a FAIL. */
void cli_counts_doctor(struct core *core, int *failed);

#endif
