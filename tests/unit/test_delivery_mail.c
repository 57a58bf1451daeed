/* test_delivery_mail.c: what core decides for a message on its way out
 * (core/delivery_mail.c): the message laid out from the relay or from a sender mailbox
 * (its From, Reply-To with the reply token, the envelope), the unsubscribe and pixel
 * links, what each failed step and each SMTP verdict means, and an approver
 * notification. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "core/delivery_mail.h"
#include "core/reply_token.h"

static void test_from_the_relay(void **);
static void test_from_a_mailbox(void **);
static void test_failed_steps(void **);
static void test_smtp_verdicts(void **);
static void test_notification(void **);

static char from[] = "sam@agency.example", to[] = "pat@prospect.example", to_name[] = "",
            subject[] = "Hello", body[] = "Hi", unsub[] = "utok", open_tok[] = "otok";

static void
job_init(struct delivery_job *j, char *message_id)
{
	memset(j, 0, sizeof(*j));
	j->id = 7;
	j->from = from;
	j->to = to;
	j->to_name = to_name;
	j->subject = subject;
	j->body = body;
	j->message_id = message_id;
	j->unsubscribe_token = unsub;
}

static void
test_from_the_relay(void **state)
{
	char msgid[] = "<abc@agency.example>";
	struct delivery_job j;
	struct delivery_mail dm;

	(void)state;
	job_init(&j, msgid);
	delivery_mail_make("https://lc.example", &j, NULL, 1000, &dm);
	assert_string_equal(dm.envelope_from, from);
	assert_string_equal(dm.m.from_email, from);
	assert_null(dm.m.from_name);
	assert_null(dm.m.to_name); /* an empty name is no name */
	assert_null(dm.m.reply_to);
	assert_string_equal(dm.m.list_unsubscribe_url, "https://lc.example/u/utok");
	assert_null(dm.m.open_pixel_url); /* the workspace does not track opens */
	assert_int_equal(dm.m.date_ms, 1000);
	j.open_token = open_tok;
	delivery_mail_make("https://lc.example", &j, NULL, 1000, &dm);
	assert_string_equal(dm.m.open_pixel_url, "https://lc.example/t/o/otok.gif");
}

static void
test_from_a_mailbox(void **state)
{
	char msgid[REPLY_MSGID_MAX], token[REPLY_TOKEN_LEN + 1],
	    mfrom[] = "kim@mail.example", mname[] = "Kim", reply[] = "replies@mail.example",
	    expect[400];
	struct delivery_job j;
	struct delivery_mail dm;
	struct mailbox_send mb;

	(void)state;
	assert_int_equal(reply_token_msgid_new("mail.example", msgid), LC_OK);
	assert_int_equal(reply_token_of_msgid(msgid, token), 1);
	job_init(&j, msgid);
	memset(&mb, 0, sizeof(mb));
	mb.from_address = mfrom;
	mb.from_name = mname;
	delivery_mail_make("https://lc.example", &j, &mb, 1000, &dm);
	assert_string_equal(dm.envelope_from, mfrom);
	assert_string_equal(dm.m.from_email, mfrom);
	assert_string_equal(dm.m.from_name, "Kim");
	assert_null(dm.m.reply_to);
	/* replies come back to the Reply-To, with this message's token */
	mb.reply_to = reply;
	mb.plus_reply_to = 1;
	delivery_mail_make("https://lc.example", &j, &mb, 1000, &dm);
	snprintf(expect, sizeof(expect), "replies+%s@mail.example", token);
	assert_string_equal(dm.m.reply_to, expect);
	/* without a Reply-To, to the From address */
	mb.reply_to = NULL;
	delivery_mail_make("https://lc.example", &j, &mb, 1000, &dm);
	snprintf(expect, sizeof(expect), "kim+%s@mail.example", token);
	assert_string_equal(dm.m.reply_to, expect);
}

static void
test_failed_steps(void **state)
{
	struct delivery_result r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.mailbox_id = 3;
	delivery_result_failed(DELIVERY_STEP_COMPOSE, LC_EINVAL, &r);
	assert_int_equal(r.outcome, DELIVERY_PERMFAIL); /* never sendable: failed */
	assert_non_null(strstr(r.text, "cannot compose"));
	assert_int_equal(r.mailbox_id, 3);
	memset(&r, 0, sizeof(r));
	delivery_result_failed(DELIVERY_STEP_MAILBOX, LC_EDBDOWN, &r);
	assert_int_equal(r.outcome, DELIVERY_TEMPFAIL);
	assert_non_null(strstr(r.text, "mailbox unavailable"));
	memset(&r, 0, sizeof(r));
	snprintf(r.text, sizeof(r.text), "the password does not open");
	delivery_result_failed(DELIVERY_STEP_MAILBOX_OPEN, LC_EINVAL, &r);
	assert_int_equal(r.outcome, DELIVERY_TEMPFAIL);
	assert_int_equal(r.mailbox_auth_failed, 1); /* the mailbox pauses */
	assert_string_equal(r.text, "the password does not open");
	memset(&r, 0, sizeof(r));
	snprintf(r.text, sizeof(r.text), "DKIM: no key");
	delivery_result_failed(DELIVERY_STEP_SIGN, LC_EINVAL, &r);
	assert_int_equal(r.outcome, DELIVERY_TEMPFAIL); /* never unsigned */
	assert_int_equal(r.mailbox_auth_failed, 0);
	assert_string_equal(r.text, "DKIM: no key");
	memset(&r, 0, sizeof(r));
	delivery_result_failed(DELIVERY_STEP_SMTP, LC_ENOMEM, &r);
	assert_int_equal(r.outcome, DELIVERY_TEMPFAIL);
	assert_non_null(strstr(r.text, "smtp setup"));
}

static void
test_smtp_verdicts(void **state)
{
	static const struct {
		enum smtp_verdict v;
		enum delivery_outcome o;
	} map[] = {{SMTP_ACCEPTED, DELIVERY_SENT}, {SMTP_TEMPORARY, DELIVERY_TEMPFAIL},
	    {SMTP_PERMANENT, DELIVERY_PERMFAIL}, {SMTP_UNKNOWN, DELIVERY_UNKNOWN}};
	char msgid[] = "<abc@agency.example>";
	struct delivery_job j;
	struct delivery_result r;
	struct smtp_outcome out;
	size_t i;

	(void)state;
	job_init(&j, msgid);
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		memset(&out, 0, sizeof(out));
		out.verdict = map[i].v;
		out.code = 550;
		out.enh_class = 5;
		out.enh_subject = 1;
		out.enh_detail = 1;
		snprintf(out.text, sizeof(out.text), "no such user");
		memset(&r, 0, sizeof(r));
		delivery_result_smtp(&j, &out, &r);
		assert_int_equal(r.outcome, map[i].o);
		assert_int_equal(r.code, 550);
		assert_int_equal(r.enh_subject, 1);
		assert_string_equal(r.text, "no such user");
	}
	/* a refused AUTH pauses a sender mailbox, never the relay */
	memset(&out, 0, sizeof(out));
	out.verdict = SMTP_TEMPORARY;
	out.auth_failed = 1;
	delivery_result_smtp(&j, &out, &r);
	assert_int_equal(r.mailbox_auth_failed, 0);
	j.mailbox_id = 9;
	delivery_result_smtp(&j, &out, &r);
	assert_int_equal(r.mailbox_auth_failed, 1);
}

static void
test_notification(void **state)
{
	char a[] = "ann@agency.example", b[] = "bob@agency.example", *rcpts[] = {a, b};
	char subj[] = "Waiting", text[] = "An item waits", msgid[MAIL_MSGID_MAX];
	struct notify_job job;
	struct mail_out m;

	(void)state;
	memset(&job, 0, sizeof(job));
	job.rcpts = rcpts;
	job.nrcpts = 2;
	job.subject = subj;
	job.text = text;
	assert_int_equal(notify_mail_make("linkcamp@ops.example", &job, 1, 5, &m, msgid), LC_OK);
	assert_string_equal(m.to_email, b);
	assert_string_equal(m.from_email, "linkcamp@ops.example");
	assert_string_equal(m.from_name, "linkcamp");
	assert_ptr_equal(m.message_id, msgid);
	assert_non_null(strstr(msgid, "@ops.example>"));
	/* a From without a domain still gets a Message-ID */
	assert_int_equal(notify_mail_make("linkcamp", &job, 0, 5, &m, msgid), LC_OK);
	assert_non_null(strstr(msgid, "@linkcamp.invalid>"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_from_the_relay),
	    cmocka_unit_test(test_from_a_mailbox),
	    cmocka_unit_test(test_failed_steps),
	    cmocka_unit_test(test_smtp_verdicts),
	    cmocka_unit_test(test_notification),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
