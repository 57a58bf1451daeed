/* worker/deliver.c: one message's way out (worker/deliver.h). The mailbox's password is
 * decrypted into the SMTP settings just before the exchange and wiped right after it. */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "core/delivery_mail.h"
#include "core/mailbox.h"
#include "core/notify.h"
#include "mail/compose.h"
#include "mail/smtp.h"
#include "mailbox_run.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "worker/deliver.h"
#include "worker/dkim.h"

#define MESSAGE_MAX (2 * 1024 * 1024)

struct hook_ctx {
	struct core *core;
	const struct delivery_job *job;
};

static int mark_data(void *);

/* mark_data runs inside libesmtp as DATA begins: the fenced, committed write that turns
 * a crash from "retry" into "unknown". */
static int
mark_data(void *arg)
{
	struct hook_ctx *h = arg;
	int held = 0;

	if (delivery_mark_data(h->core, h->job, &held) != LC_OK || !held) {
		log_msg(LOG_WARN, "not sending %s: lease lost or database unreachable",
		    h->job->public_id);
		return -1;
	}
	return 0;
}

void
deliver_one(struct worker *w, struct core *core, const struct delivery_job *job,
    struct delivery_result *out_res)
{
	struct hook_ctx hook = {core, job};
	struct delivery_result res;
	struct delivery_mail dm;
	struct smtp_outcome out;
	struct smtp_config mcfg;
	const struct smtp_config *scfg = worker_smtp(w);
	struct mailbox_send mb;
	struct buf text;
	lc_err e;

	memset(&res, 0, sizeof(res));
	memset(&mb, 0, sizeof(mb));
	memset(&mcfg, 0, sizeof(mcfg));
	res.mailbox_id = job->mailbox_id;
	if (job->mailbox_id != 0) {
		/* a sender mailbox: its server, its credentials (decrypted just now), its From */
		if ((e = mailbox_send_load(core, job->mailbox_id, &mb)) != LC_OK) {
			delivery_result_failed(DELIVERY_STEP_MAILBOX, e, &res);
			*out_res = res;
			return;
		}
		if (mailbox_smtp_config(worker_smtp(w), &mb, &mcfg, res.text, sizeof(res.text)) !=
		    0) {
			delivery_result_failed(DELIVERY_STEP_MAILBOX_OPEN, LC_EINVAL, &res);
			sodium_memzero(&mcfg, sizeof(mcfg));
			mailbox_send_clear(&mb);
			*out_res = res;
			return;
		}
		scfg = &mcfg;
	}
	buf_init(&text, MESSAGE_MAX);
	delivery_mail_make(
	    worker_cfg(w)->public_url, job, job->mailbox_id != 0 ? &mb : NULL, now_ms(), &dm);
	if ((e = mail_compose(&dm.m, &text)) != LC_OK) {
		delivery_result_failed(DELIVERY_STEP_COMPOSE, e, &res);
	} else if ((e = worker_dkim_sign(core, job->id, dm.m.from_email, &text, res.text,
	                sizeof(res.text))) != LC_OK) {
		delivery_result_failed(DELIVERY_STEP_SIGN, e, &res);
	} else if ((e = smtp_deliver(scfg, dm.envelope_from, job->to, text.data, text.len,
	                mark_data, &hook, &out)) != LC_OK) {
		delivery_result_failed(DELIVERY_STEP_SMTP, e, &res);
	} else {
		delivery_result_smtp(job, &out, &res);
	}
	sodium_memzero(&mcfg, sizeof(mcfg));
	mailbox_send_clear(&mb);
	buf_free(&text);
	*out_res = res;
}

size_t
notify_some(struct worker *w, struct core *core)
{
	const struct config *cfg = worker_cfg(w);
	struct notify_job *jobs = NULL;
	struct smtp_outcome out;
	struct mail_out m;
	char msgid[MAIL_MSGID_MAX], why[256];
	struct buf text;
	size_t n = 0, i, k;
	int ok;

	if (notify_claim(core, cfg->worker_lease_seconds, cfg->worker_notify_interval, 4, &jobs,
	        &n) != LC_OK)
		return 0;
	for (i = 0; i < n; i++) {
		ok = 1;
		why[0] = '\0';
		for (k = 0; k < jobs[i].nrcpts && ok; k++) {
			buf_init(&text, MESSAGE_MAX);
			memset(&out, 0, sizeof(out)); /* its words are read when setup failed too */
			if (notify_mail_make(cfg->notify_from, &jobs[i], k, now_ms(), &m, msgid) !=
			        LC_OK ||
			    mail_compose(&m, &text) != LC_OK) {
				snprintf(why, sizeof(why), "cannot compose the notification");
				ok = 0;
			} else if (smtp_deliver(worker_smtp(w), m.from_email, m.to_email, text.data,
			               text.len, NULL, NULL, &out) != LC_OK ||
			           out.verdict != SMTP_ACCEPTED) {
				snprintf(why, sizeof(why), "%d %s", out.code, out.text);
				ok = 0;
			}
			buf_free(&text);
		}
		if (notify_done(core, &jobs[i], ok, ok ? NULL : why) != LC_OK)
			log_msg(LOG_WARN, "recording a notification failed");
	}
	notify_jobs_free(jobs, n);
	return n;
}
