/* mailbox_run.c: the worker's (and the CLI's) use of a sender mailbox's credentials. The
 * password is decrypted here only, into a buffer wiped with sodium_memzero as soon as the
 * SMTP exchange that needs it has ended; it is never logged (the probe's steps carry the
 * server's words, never what we sent). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <sodium.h>

#include "mail/smtp_probe.h"
#include "mailbox_run.h"
#include "util/log.h"

static char *probe_json(const struct smtp_probe *);

/* probe_json renders the steps: {"ok":..,"steps":[{"step","ok","code","reply"}]}. */
static char *
probe_json(const struct smtp_probe *p)
{
	json_t *doc, *steps;
	char *text = NULL;
	size_t i;

	if ((steps = json_array()) == NULL)
		return NULL;
	for (i = 0; i < p->n; i++) {
		const struct smtp_probe_step *s = &p->steps[i];
		json_array_append_new(
		    steps, json_pack("{s:s,s:b,s:o,s:s}", "step", s->step, "ok", s->ok, "code",
		               s->code ? json_integer(s->code) : json_null(), "reply", s->text));
	}
	if ((doc = json_pack("{s:b,s:b,s:o}", "ok", p->ok, "authFailed", p->auth_failed, "steps",
	         steps)) != NULL) {
		text = json_dumps(doc, JSON_COMPACT);
		json_decref(doc);
	}
	return text;
}

lc_err
mailbox_test_run(
    struct core *core, int64_t mailbox_id, const char *helo, long timeout_ms, char **json, int *ok)
{
	char password[MAILBOX_PASSWORD_MAX + 1];
	struct mailbox_send mb;
	struct smtp_probe p;
	struct smtp_probe_cfg pc;
	lc_err e;

	*json = NULL;
	*ok = 0;
	if ((e = mailbox_send_load(core, mailbox_id, &mb)) != LC_OK)
		return e;
	memset(&p, 0, sizeof(p));
	if (mailbox_open(mb.box, mb.box_len, password) != LC_OK) {
		snprintf(p.steps[0].step, sizeof(p.steps[0].step), "password");
		snprintf(p.steps[0].text, sizeof(p.steps[0].text),
		    "the stored password cannot be decrypted with this server's key_file; set it "
		    "again");
		p.n = 1;
	} else {
		memset(&pc, 0, sizeof(pc));
		pc.host = mb.host;
		pc.port = mb.port;
		pc.security = mb.security == MBX_TLS        ? PROBE_TLS
		              : mb.security == MBX_STARTTLS ? PROBE_STARTTLS
		                                            : PROBE_PLAIN;
		pc.helo = helo;
		pc.user = mb.username;
		pc.password = password;
		pc.ca_file = mailbox_ca_file();
		pc.timeout_ms = timeout_ms;
		e = smtp_probe_run(&pc, &p);
		sodium_memzero(password, sizeof(password));
		if (e != LC_OK) {
			mailbox_send_clear(&mb);
			return e;
		}
	}
	mailbox_send_clear(&mb);
	*ok = p.ok;
	if ((*json = probe_json(&p)) == NULL)
		return LC_ENOMEM;
	return LC_OK;
}

int
mailbox_smtp_config(const struct smtp_config *base, const struct mailbox_send *mb,
    struct smtp_config *cfg, char *why, size_t whylen)
{
	char password[MAILBOX_PASSWORD_MAX + 1];

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->helo, sizeof(cfg->helo), "%s", base->helo);
	cfg->timeout_ms = base->timeout_ms;
	cfg->require_auth = 1;
	/* implicit TLS goes through smtp_tunnel.c (libesmtp 1.1 speaks STARTTLS only) */
	cfg->implicit_tls = mb->security == MBX_TLS;
	cfg->starttls = mb->security == MBX_STARTTLS ? SMTP_TLS_REQUIRED : SMTP_TLS_NO;
	snprintf(cfg->hostport, sizeof(cfg->hostport), "%s:%u", mb->host, mb->port);
	snprintf(cfg->user, sizeof(cfg->user), "%s", mb->username);
	if (mailbox_open(mb->box, mb->box_len, password) != LC_OK) {
		snprintf(why, whylen,
		    "the stored password of mailbox %s cannot be decrypted with "
		    "this server's key_file",
		    mb->public_id);
		return -1;
	}
	snprintf(cfg->password, sizeof(cfg->password), "%s", password);
	sodium_memzero(password, sizeof(password));
	return 0;
}
