/* delivery_mail.c: the rules of one message's way out (delivery_mail.h) — what the
 * delivery step composes and what each ending of an attempt means. The steps themselves
 * (compose, sign, SMTP) are the worker's (worker/deliver.c). */
#include <stdio.h>
#include <string.h>

#include "core/delivery_mail.h"
#include "core/reply_token.h"

void
delivery_mail_make(const char *public_url, const struct delivery_job *job,
    const struct mailbox_send *mb, int64_t date_ms, struct delivery_mail *dm)
{
	struct mail_out *m = &dm->m;

	memset(dm, 0, sizeof(*dm));
	dm->envelope_from = job->from;
	snprintf(dm->unsubscribe_url, sizeof(dm->unsubscribe_url), "%s/u/%s", public_url,
	    job->unsubscribe_token);
	m->from_email = job->from;
	m->to_email = job->to;
	m->to_name = job->to_name[0] ? job->to_name : NULL;
	m->subject = job->subject;
	m->body = job->body;
	m->message_id = job->message_id;
	m->in_reply_to = job->in_reply_to;
	m->references = job->references;
	m->list_unsubscribe_url = dm->unsubscribe_url;
	if (job->open_token) {
		snprintf(dm->pixel_url, sizeof(dm->pixel_url), "%s/t/o/%s.gif", public_url,
		    job->open_token);
		m->open_pixel_url = dm->pixel_url;
	}
	m->date_ms = date_ms;
	if (mb == NULL)
		return;
	/* a sender mailbox: its From on the message and on the envelope */
	dm->envelope_from = mb->from_address;
	m->from_email = mb->from_address;
	m->from_name = mb->from_name[0] ? mb->from_name : NULL;
	m->reply_to = mb->reply_to;
	/* issue 16: replies to local+<reply token>@domain find this message again */
	if (mb->plus_reply_to && reply_token_address(mb->reply_to ? mb->reply_to : mb->from_address,
	                             job->message_id, dm->plus_reply_to, sizeof(dm->plus_reply_to)))
		m->reply_to = dm->plus_reply_to;
}

void
delivery_result_failed(enum delivery_step step, lc_err e, struct delivery_result *res)
{
	switch (step) {
	case DELIVERY_STEP_MAILBOX:
		res->outcome = DELIVERY_TEMPFAIL;
		snprintf(res->text, sizeof(res->text), "mailbox unavailable: %s", lc_strerror(e));
		break;
	case DELIVERY_STEP_MAILBOX_OPEN:
		/* the mailbox cannot be used as it is: it pauses like after an AUTH failure */
		res->outcome = DELIVERY_TEMPFAIL;
		res->mailbox_auth_failed = 1;
		break;
	case DELIVERY_STEP_COMPOSE:
		/* nothing can ever send this message as it is: fail it, release its credits */
		res->outcome = DELIVERY_PERMFAIL;
		snprintf(res->text, sizeof(res->text), "cannot compose: %s", lc_strerror(e));
		break;
	case DELIVERY_STEP_SIGN:
		/* a domain that signs must not send unsigned: try again later */
		res->outcome = DELIVERY_TEMPFAIL;
		break;
	case DELIVERY_STEP_SMTP:
		res->outcome = DELIVERY_TEMPFAIL;
		snprintf(res->text, sizeof(res->text), "smtp setup: %s", lc_strerror(e));
		break;
	}
}

void
delivery_result_smtp(
    const struct delivery_job *job, const struct smtp_outcome *out, struct delivery_result *res)
{
	res->outcome = out->verdict == SMTP_ACCEPTED    ? DELIVERY_SENT
	               : out->verdict == SMTP_TEMPORARY ? DELIVERY_TEMPFAIL
	               : out->verdict == SMTP_PERMANENT ? DELIVERY_PERMFAIL
	                                                : DELIVERY_UNKNOWN;
	res->code = out->code;
	res->enh_class = out->enh_class;
	res->enh_subject = out->enh_subject;
	res->enh_detail = out->enh_detail;
	res->mailbox_auth_failed = out->auth_failed && job->mailbox_id != 0;
	snprintf(res->text, sizeof(res->text), "%s", out->text);
}

lc_err
notify_mail_make(const char *notify_from, const struct notify_job *job, size_t k, int64_t date_ms,
    struct mail_out *m, char msgid[MAIL_MSGID_MAX])
{
	const char *domain = strrchr(notify_from, '@');

	memset(m, 0, sizeof(*m));
	m->from_email = notify_from;
	m->from_name = "linkcamp";
	m->to_email = job->rcpts[k];
	m->subject = job->subject;
	m->body = job->text;
	m->message_id = msgid;
	m->date_ms = date_ms;
	return mail_message_id_new(domain ? domain + 1 : "linkcamp.invalid", msgid);
}
