/* cli_mailbox.h: `linkcamp mailbox ...`, the operator's commands for sender mailboxes
 * (docs/mailboxes.md). */
#ifndef LC_CLI_MAILBOX_H
#define LC_CLI_MAILBOX_H

#include "core/core.h"
#include "util/config.h"

/* cli_mailbox runs `mailbox SUBCOMMAND ...`: argv[0] is "mailbox"; cfg is the loaded
 * configuration ([mailboxes] key_file is read here, not by other commands). Returns the
 * process exit code (0; 1 when a test failed; sysexits 64 usage, 65 bad data, 70
 * software, 75 database unavailable, 78 configuration).
 *   mailbox add WS_ID --from ADDRESS --host HOST --username USER --password-stdin
 *       [--from-name NAME] [--reply-to ADDRESS] [--port N] [--security tls|starttls|plain]
 *       [--daily-cap N]      prints the new mailbox's id
 *   mailbox list WS_ID       one line per mailbox (never its password)
 *   mailbox test WS_ID MAILBOX_ID   runs the connection test here and prints its steps */
int cli_mailbox(struct core *core, const struct config *cfg, int argc, char **argv);

#endif
