/* worker/deliver.h: the delivery step a mailer runs for one claimed message, and the
 * approver notifications it sends between messages. Core decides what is sent and what
 * an ending means (core/delivery_mail.h); this step runs src/mail in order: compose, sign
 * (worker/dkim.c), SMTP with the fenced DATA mark. */
#ifndef LC_WORKER_DELIVER_H
#define LC_WORKER_DELIVER_H

#include <stddef.h>

#include "core/delivery.h"
#include "worker/worker.h"

/* deliver_one composes, signs and sends job (borrowed) through its sender mailbox or the
 * worker's relay, using core (the calling thread's), and writes its outcome to *res.
 * Never fails: every failure is an outcome. */
void deliver_one(struct worker *w, struct core *core, const struct delivery_job *job,
    struct delivery_result *res);

/* notify_some mails approvers about items that started waiting (a few at a time, through
 * the relay) and records each; returns how many it took. */
size_t notify_some(struct worker *w, struct core *core);

#endif
