/* worker_hooks.h: what linkcamp-worker's threads share with the outbound-HTTP threads of
 * worker_hooks.c — the configuration, the stop flag and naps that end at shutdown. */
#ifndef LC_WORKER_HOOKS_H
#define LC_WORKER_HOOKS_H

#include "util/config.h"

struct worker; /* linkcamp-worker.c's; opaque here */

/* worker_cfg is the worker's configuration (borrowed, for the worker's lifetime). */
const struct config *worker_cfg(struct worker *w);
/* worker_stopping is 1 once the worker was asked to stop. */
int worker_stopping(struct worker *w);
/* worker_nap sleeps ms milliseconds, or less when the worker is asked to stop. */
void worker_nap(struct worker *w, unsigned ms);

/* webhook_sender is a thread body (arg: the struct worker): it sends due webhook
 * deliveries until the worker stops. */
void *webhook_sender(void *arg);
/* placement_checker is a thread body (arg: the struct worker): it runs due placement
 * checks until the worker stops. */
void *placement_checker(void *arg);
/* imap_syncer is a thread body (arg: the struct worker): the IMAP sync of every mailbox
 * that has IMAP (src/worker_imap.c, docs/imap.md) until the worker stops. */
void *imap_syncer(void *arg);

#endif
