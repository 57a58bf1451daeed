/* cli_import.h: `linkcamp prospects import`, a CSV file of prospects into a campaign. */
#ifndef LC_CLI_IMPORT_H
#define LC_CLI_IMPORT_H

#include "core/core.h"

/* cli_prospects runs `prospects import WS_ID CAMPAIGN_ID < file.csv`: argv[0] is
 * "prospects". The CSV (RFC 4180, UTF-8, a header row naming the columns domain,
 * contactName and contactEmail in any order and case; other columns are ignored) is read
 * and every row checked first: one bad row, named by its line, imports nothing (65).
 * Then the rows go in, 500 a transaction, each with its draft as the API adds them;
 * a contact already in the campaign (or twice in the file) is skipped and counted, so a
 * cut-short import can be run again. On a terminal, stderr shows a progress bar. Prints
 * "added N, skipped M" and returns 0, or a sysexits code (64 usage, 65 bad data or a
 * refusal such as missing credits, 70 software, 75 database unavailable); a refusal after
 * some batches went in says how many did. */
int cli_prospects(struct core *core, int argc, char **argv);

#endif
