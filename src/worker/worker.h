/* worker/worker.h: linkcamp-worker's module (docs/architecture.md, "The worker"). The
 * program sets the process up (configuration, libraries, signals) and calls worker_start
 * and worker_stop; everything that runs in between is here: the outbox pipeline (one
 * claimer, the mailers, one recorder: worker/outbox.c), the leased queues that share one
 * loop (worker/lease_loop.c: the webhook sender, the placement checker, the mailbox tester,
 * the IMAP fetchers), the IMAP watcher, the settler and the reaper. The rules are core's;
 * the module decides only when and on which thread they run. */
#ifndef LC_WORKER_WORKER_H
#define LC_WORKER_WORKER_H

#include "core/core.h"
#include "mail/smtp.h"
#include "util/config.h"

struct worker; /* worker/worker_int.h's; opaque to the program */

/* worker_start starts every thread of the worker for cfg (borrowed; it must outlive the
 * worker) and returns the running worker in *out (end it with worker_stop). The process's
 * libraries (the database client, libesmtp, GMime, libcurl, libopendkim, the IMAP network)
 * are set up before. LC_ENOMEM or LC_EIO (no thread could start) with nothing running. */
lc_err worker_start(const struct config *cfg, struct worker **out);
/* worker_stop asks every thread to stop, waits for them (claimed messages not started go
 * back to the queue; outcomes already learned are written down first) and frees w. */
void worker_stop(struct worker *w);

/* worker_cfg is the worker's configuration (borrowed, for the worker's lifetime). */
const struct config *worker_cfg(struct worker *w);
/* worker_smtp is the relay the worker delivers through by default (borrowed). */
const struct smtp_config *worker_smtp(struct worker *w);
/* worker_owner names this process on its leases: "host:pid" (borrowed). */
const char *worker_owner(struct worker *w);
/* worker_stopping is 1 once the worker was asked to stop. */
int worker_stopping(struct worker *w);
/* worker_nap sleeps ms milliseconds, or less when the worker is asked to stop. */
void worker_nap(struct worker *w, unsigned ms);

/* worker_core_open readies *core for the calling thread: the thread's use of the database
 * client, a connection of its own and the settings core's rules read from the
 * configuration. LC_EDBDOWN when no handle could be made (the thread's client use is
 * ended again); otherwise close it with worker_core_close on the same thread. */
lc_err worker_core_open(struct worker *w, struct core *core);
/* worker_core_close closes what worker_core_open opened. */
void worker_core_close(struct core *core);

/* imap_syncer is a thread body (arg: the struct worker): the IMAP sync of every mailbox
 * that has IMAP (worker/imap.c, docs/imap.md) until the worker stops. */
void *imap_syncer(void *arg);

#endif
