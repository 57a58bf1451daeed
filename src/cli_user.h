/* cli_user.h: `linkcamp user ...`, the operator's commands for people who use the
 * approval pages. */
#ifndef LC_CLI_USER_H
#define LC_CLI_USER_H

#include "core/core.h"

/* cli_user runs `user SUBCOMMAND ...`: argv[0] is "user". Returns the process exit code
 * (0, or sysexits: 64 usage, 65 bad data, 70 software, 75 database unavailable).
 *   user add EMAIL --workspace WS_ID --role approver|viewer [--password-stdin | --link]
 * gives the user (created when new) the role in the workspace. --password-stdin reads
 * the password from the first line of standard input; --link prints a one-time URL
 * (core->public_url + /app/set-password/<token>, valid 24 hours) where the user chooses
 * one. Without either, the user id is printed. */
int cli_user(struct core *core, int argc, char **argv);

#endif
