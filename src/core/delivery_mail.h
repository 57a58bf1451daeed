/* delivery_mail.h: what core decides about one message on its way out — the message the
 * worker's delivery step composes (From, Reply-To, the unsubscribe and open-pixel links),
 * which envelope it leaves under, and what each way an attempt can end means for the
 * message — so that the worker (worker/deliver.c) only runs src/mail's steps in order.
 * The same for approver notifications. */
#ifndef LC_DELIVERY_MAIL_H
#define LC_DELIVERY_MAIL_H

#include <stdint.h>

#include "core/delivery.h"
#include "core/mailbox.h"
#include "core/notify.h"
#include "mail/compose.h"
#include "mail/smtp.h"

#define DELIVERY_URL_MAX 1024

/* One message as the delivery step hands it to src/mail. m's strings point into the job,
 * the mailbox and this struct's own buffers: it lives no longer than any of them. */
struct delivery_mail {
	struct mail_out m;
	const char *envelope_from; /* MAIL FROM */
	char unsubscribe_url[DELIVERY_URL_MAX];
	char pixel_url[DELIVERY_URL_MAX];
	char plus_reply_to[400]; /* issue 16: the Reply-To with the reply token */
};

/* delivery_mail_make lays out job's message in *dm for the base URL public_url: from the
 * relay's From when mb is NULL, else from the sender mailbox mb (its From, name and
 * Reply-To, with the reply token when the mailbox asks for it), dated date_ms. Never
 * fails: what does not compose is mail_compose's to refuse. */
void delivery_mail_make(const char *public_url, const struct delivery_job *job,
    const struct mailbox_send *mb, int64_t date_ms, struct delivery_mail *dm);

/* The step of a delivery that failed before the server gave its verdict. */
enum delivery_step {
	DELIVERY_STEP_MAILBOX,      /* the sender mailbox could not be read */
	DELIVERY_STEP_MAILBOX_OPEN, /* its password does not open (res->text says why) */
	DELIVERY_STEP_COMPOSE,      /* the message does not compose */
	DELIVERY_STEP_SIGN,         /* its domain signs and signing failed (res->text says why) */
	DELIVERY_STEP_SMTP          /* libesmtp could not be set up */
};

/* delivery_result_failed writes into *res what a failure at step (error e) means:
 * nothing can ever compose the message (failed, its credits released); a mailbox that
 * cannot be used as set up pauses like after a refused AUTH (the message is held); any
 * other step tries again later (a domain that signs never sends unsigned). The words of
 * MAILBOX_OPEN and SIGN are the caller's, already in res->text; res->mailbox_id is kept. */
void delivery_result_failed(enum delivery_step step, lc_err e, struct delivery_result *res);

/* delivery_result_smtp writes into *res what the server's verdict out means for job:
 * sent, deferred, failed or unknown, with its code and words; a refused AUTH pauses the
 * job's mailbox (never the relay). res->mailbox_id is kept. */
void delivery_result_smtp(
    const struct delivery_job *job, const struct smtp_outcome *out, struct delivery_result *res);

/* notify_mail_make lays out the notification job to its recipient k in *m, from
 * notify_from (borrowed, as is job), dated date_ms, with a new Message-ID written into
 * msgid (m points at it). LC_EINVAL when no Message-ID can be made. */
lc_err notify_mail_make(const char *notify_from, const struct notify_job *job, size_t k,
    int64_t date_ms, struct mail_out *m, char msgid[MAIL_MSGID_MAX]);

#endif
