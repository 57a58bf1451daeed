/* cli_doctor.h: `linkcamp doctor`, the operator's check of a deployment. */
#ifndef LC_CLI_DOCTOR_H
#define LC_CLI_DOCTOR_H

#include "core/core.h"
#include "util/config.h"

/* cli_doctor checks, and prints one line each ("ok", "warn" or "FAIL" and why): the
 * configuration (directories, public_url, cookie and webhook settings), the database
 * (reachable, its version, migrations pending) and the SMTP relay (connects, greets,
 * answers EHLO, offers STARTTLS when it is required and AUTH when a user is set) — without
 * sending any mail or changing anything. Returns 0 when nothing failed, 1 otherwise. */
int cli_doctor(struct core *core, const struct config *cfg);

#endif
