/* mailbox_run.h: what the worker and the CLI do with a sender mailbox's credentials —
 * the only places a mailbox password is decrypted (docs/mailboxes.md). */
#ifndef LC_MAILBOX_RUN_H
#define LC_MAILBOX_RUN_H

#include "core/core.h"
#include "core/mailbox.h"
#include "mail/smtp.h"

/* mailbox_test_run tests mailbox_id's connection (mailbox_send_load, mailbox_open, the
 * probe; the password wiped right after) and returns the steps as JSON text in *json
 * (malloc'd; the caller frees) and whether all passed in *ok. helo names us in EHLO.
 * LC_ENOTFOUND when the mailbox is gone; LC_ENOMEM. */
lc_err mailbox_test_run(
    struct core *core, int64_t mailbox_id, const char *helo, long timeout_ms, char **json, int *ok);

/* mailbox_smtp_config fills cfg (from base: HELO and timeout) to deliver through mb:
 * its server, its security (implicit TLS through the tunnel), AUTH required with its
 * username and its password decrypted into cfg->password. The caller wipes cfg with
 * sodium_memzero right after use. -1 with a reason in why when the password does not
 * open with this server's key. */
int mailbox_smtp_config(const struct smtp_config *base, const struct mailbox_send *mb,
    struct smtp_config *cfg, char *why, size_t whylen);

#endif
