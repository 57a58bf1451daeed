/* cli_mailbox.c: `linkcamp mailbox add|list|test`. The rules are the core's
 * (core/mailboxes.c), the same the API applies; the password is read from standard
 * input (never from the command line, where `ps` would show it) and wiped after use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <jansson.h>
#include <sodium.h>

#include "cli_mailbox.h"
#include "core/mailbox.h"
#include "core/pacing.h"
#include "core/mailbox_imap.h"
#include "mailbox_run.h"

static int mailbox_usage(void);
static int read_secret(char *, size_t);
static int number(const char *, long, long, long *);
static int days_parse(const char *, long *);
static int fail_exit(const char *, lc_err, const struct core_fail *);
static int cmd_add(struct core *, const struct principal *, int, char **);
static int cmd_list(struct core *, const struct principal *);
static int cmd_test(struct core *, const struct config *, const struct principal *, const char *);

static int
mailbox_usage(void)
{
	fprintf(stderr,
	    "usage: linkcamp mailbox add WS_ID --from ADDRESS --host HOST --username USER "
	    "--password-stdin\n"
	    "           [--from-name NAME] [--reply-to ADDRESS] [--port N]\n"
	    "           [--security tls|starttls|plain] [--daily-cap N]\n"
	    "           [--days mon,tue,...] [--start HH:MM] [--end HH:MM] [--time-zone ZONE]\n"
	    "           [--warmup-start N --warmup-increment K] [--min-gap-seconds N]\n"
	    "           [--jitter-seconds N]\n"
	    "           [--imap-host HOST [--imap-port N] [--imap-security tls|starttls]\n"
	    "            [--imap-username USER] [--imap-folder NAME]... [--imap-password-stdin]]\n"
	    "           (the IMAP password is the SMTP one unless --imap-password-stdin: then\n"
	    "            it is the second line of standard input)\n"
	    "       linkcamp mailbox list WS_ID\n"
	    "       linkcamp mailbox test WS_ID MAILBOX_ID\n");
	return EX_USAGE;
}

/* days_parse reads "mon,tue,..." into a PACING_ALL_DAYS bit set; -1 for anything else
 * (an unknown or repeated day). */
static int
days_parse(const char *s, long *days)
{
	char name[4];
	int bit;

	*days = 0;
	for (;;) {
		if (strlen(s) < 3 || (s[3] != ',' && s[3] != '\0'))
			return -1;
		memcpy(name, s, 3);
		name[3] = '\0';
		if ((bit = pacing_day_from_name(name)) < 0 || (*days & (1L << bit)))
			return -1;
		*days |= 1L << bit;
		if (s[3] == '\0')
			return 0;
		s += 4;
	}
}

/* read_secret reads the first line of standard input without its line ending; -1 when
 * there is none or it is too long. */
static int
read_secret(char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, (int)len, stdin) == NULL)
		return -1;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (!feof(stdin))
		return -1;
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 0;
}

static int
number(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int
fail_exit(const char *what, lc_err e, const struct core_fail *fail)
{
	if (fail && fail->code) {
		fprintf(stderr, "linkcamp: mailbox %s: %s%s%s%s\n", what, fail->code,
		    fail->param ? " (" : "", fail->param ? fail->param : "",
		    fail->param ? ")" : "");
		if (fail->detail)
			fprintf(stderr, "  %s\n", fail->detail);
		return e == LC_ECONFLICT ? EX_CONFIG : EX_DATAERR;
	}
	fprintf(stderr, "linkcamp: mailbox %s: %s\n", what, lc_strerror(e));
	return e == LC_ENOTFOUND                   ? EX_DATAERR
	       : e == LC_EDBDOWN || e == LC_ERETRY ? EX_TEMPFAIL
	                                           : EX_SOFTWARE;
}

static int
cmd_add(struct core *core, const struct principal *who, int argc, char **argv)
{
	char password[MAILBOX_PASSWORD_MAX + 3], imap_password[MAILBOX_PASSWORD_MAX + 3];
	struct imap_in imap;
	int imap_given = 0, imap_stdin = 0;
	long n;
	struct mailbox_in in;
	struct page v;
	struct core_fail fail;
	int i, from_stdin = 0, rc;
	lc_err e;

	memset(&in, 0, sizeof(in));
	mailbox_in_init(&in);
	memset(&imap, 0, sizeof(imap));
	imap.port = imap.security = -1;
	for (i = 3; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--password-stdin") == 0) {
			from_stdin = 1;
			continue;
		}
		if (strcmp(a, "--imap-password-stdin") == 0) {
			imap_stdin = imap_given = 1;
			continue;
		}
		if (val == NULL)
			return mailbox_usage();
		i++;
		if (strcmp(a, "--from") == 0)
			in.from_address = val;
		else if (strcmp(a, "--from-name") == 0)
			in.from_name = val;
		else if (strcmp(a, "--reply-to") == 0)
			in.reply_to = val;
		else if (strcmp(a, "--host") == 0)
			in.host = val;
		else if (strcmp(a, "--username") == 0)
			in.username = val;
		else if (strcmp(a, "--time-zone") == 0)
			in.time_zone = val;
		else if (strncmp(a, "--imap-", 7) == 0) {
			imap_given = 1;
			if (strcmp(a, "--imap-host") == 0)
				imap.host = val;
			else if (strcmp(a, "--imap-username") == 0)
				imap.username = val;
			else if (strcmp(a, "--imap-folder") == 0 &&
			         imap.nfolders < IMAP_FOLDERS_MAX) {
				imap.folders[imap.nfolders++] = val;
				imap.folders_given = 1;
			} else if (strcmp(a, "--imap-port") == 0 && number(val, 1, 65535, &n) == 0)
				imap.port = n;
			else if (strcmp(a, "--imap-security") == 0 &&
			         ((imap.security = mailbox_security_from_name(val)) == MBX_TLS ||
			             imap.security == MBX_STARTTLS))
				;
			else
				return mailbox_usage();
		} else if (strcmp(a, "--port") == 0 ? number(val, 1, 65535, &in.port) != 0
		           : strcmp(a, "--daily-cap") == 0
		               ? number(val, 1, MAILBOX_DAILY_CAP_MAX, &in.daily_cap) != 0
		           : strcmp(a, "--security") == 0
		               ? (in.security = mailbox_security_from_name(val)) < 0
		           : strcmp(a, "--days") == 0  ? days_parse(val, &in.days) != 0
		           : strcmp(a, "--start") == 0 ? (in.start_min = pacing_hhmm_parse(val)) < 0
		           : strcmp(a, "--end") == 0   ? (in.end_min = pacing_hhmm_parse(val)) < 0
		           : strcmp(a, "--warmup-start") == 0
		               ? number(val, 1, MAILBOX_DAILY_CAP_MAX, &in.warmup_start) != 0
		           : strcmp(a, "--warmup-increment") == 0
		               ? number(val, 0, MAILBOX_DAILY_CAP_MAX, &in.warmup_step) != 0
		           : strcmp(a, "--min-gap-seconds") == 0
		               ? number(val, 0, PACING_GAP_MAX, &in.gap_s) != 0
		           : strcmp(a, "--jitter-seconds") == 0
		               ? number(val, 0, PACING_GAP_MAX, &in.jitter_s) != 0
		               : 1)
			return mailbox_usage();
	}
	if (!from_stdin || (in.warmup_start != -1) != (in.warmup_step != -1))
		return mailbox_usage();
	if (read_secret(password, sizeof(password)) != 0 || password[0] == '\0') {
		sodium_memzero(password, sizeof(password));
		fprintf(stderr,
		    "linkcamp: expected the password on the first line of standard input "
		    "(at most %d bytes)\n",
		    MAILBOX_PASSWORD_MAX);
		return EX_DATAERR;
	}
	in.password = password;
	if (imap_stdin) {
		if (read_secret(imap_password, sizeof(imap_password)) != 0 ||
		    imap_password[0] == '\0') {
			sodium_memzero(password, sizeof(password));
			sodium_memzero(imap_password, sizeof(imap_password));
			fprintf(stderr,
			    "linkcamp: expected the IMAP password on the second line of "
			    "standard input (at most %d bytes)\n",
			    MAILBOX_PASSWORD_MAX);
			return EX_DATAERR;
		}
		imap.password = imap_password;
	}
	in.imap = imap_given ? &imap : NULL;
	memset(&fail, 0, sizeof(fail));
	e = mailboxes_create(core, who, &in, &v, &fail);
	sodium_memzero(password, sizeof(password));
	sodium_memzero(imap_password, sizeof(imap_password));
	if (e != LC_OK)
		return fail_exit("add", e, &fail);
	rc =
	    printf("%s\n", ((const struct mailbox_view *)v.items)->public_id) < 0 ? EX_SOFTWARE : 0;
	page_free(&v);
	return rc;
}

static int
cmd_list(struct core *core, const struct principal *who)
{
	struct page l, imap;
	const struct mailbox_view *items;
	struct imap_view iv;
	size_t i;
	int has;
	lc_err e;

	memset(&imap, 0, sizeof(imap));
	if ((e = mailboxes_list(core, who, &l)) != LC_OK ||
	    (e = mailbox_imap_list(core, who->workspace_id, &imap)) != LC_OK) {
		page_free(&imap);
		page_free(&l);
		return fail_exit("list", e, NULL);
	}
	items = l.items;
	for (i = 0; i < l.n; i++) {
		const struct mailbox_view *v = &items[i];
		has = mailbox_imap_find(&imap, v->id, &iv);
		printf("%s\t%s\t%s:%u\t%s\t%s\tcap %u, %lld today\timap %s%s%s\n", v->public_id,
		    v->from_address, v->host, v->port, mailbox_security_name(v->security),
		    v->status == MBX_PAUSED ? "paused" : "active", v->daily_cap,
		    (long long)v->sent_today, has ? imap_state_name(iv.state) : "off",
		    v->paused_reason ? "\t" : "", v->paused_reason ? v->paused_reason : "");
	}
	page_free(&imap);
	page_free(&l);
	return 0;
}

static int
cmd_test(struct core *core, const struct config *cfg, const struct principal *who, const char *id)
{
	struct page v;
	json_t *doc, *steps, *s;
	json_error_t jerr;
	char *json = NULL;
	size_t i;
	int ok = 0;
	lc_err e;

	if ((e = mailboxes_get(core, who, id, &v)) != LC_OK)
		return fail_exit("test", e, NULL);
	e = mailbox_test_run(core, ((const struct mailbox_view *)v.items)->id, cfg->smtp_helo,
	    (long)cfg->smtp_timeout_ms, &json, &ok);
	page_free(&v);
	if (e != LC_OK)
		return fail_exit("test", e, NULL);
	if ((doc = json_loads(json, 0, &jerr)) == NULL) {
		free(json);
		return EX_SOFTWARE;
	}
	steps = json_object_get(doc, "steps");
	json_array_foreach(steps, i, s)
	{
		printf("%-9s %-4s %s\n", json_string_value(json_object_get(s, "step")),
		    json_is_true(json_object_get(s, "ok")) ? "ok" : "FAIL",
		    json_string_value(json_object_get(s, "reply")));
	}
	printf("%s\n", ok ? "the mailbox can send" : "the mailbox cannot send");
	json_decref(doc);
	free(json);
	return ok ? 0 : 1;
}

int
cli_mailbox(struct core *core, const struct config *cfg, int argc, char **argv)
{
	struct principal who;
	char why[256];
	int rc;
	lc_err e;

	if (argc < 3)
		return mailbox_usage();
	if (mailbox_settings_load(cfg, why, sizeof(why)) != LC_OK) {
		fprintf(stderr, "linkcamp: %s\n", why);
		return EX_CONFIG;
	}
	if ((e = admin_principal_for(core, argv[2], &who)) != LC_OK) {
		mailbox_settings_free();
		if (e != LC_ENOTFOUND)
			return fail_exit(argv[1], e, NULL);
		fprintf(stderr, "linkcamp: mailbox: no workspace %s\n", argv[2]);
		return EX_DATAERR;
	}
	if (strcmp(argv[1], "add") == 0)
		rc = cmd_add(core, &who, argc, argv);
	else if (strcmp(argv[1], "list") == 0 && argc == 3)
		rc = cmd_list(core, &who);
	else if (strcmp(argv[1], "test") == 0 && argc == 4)
		rc = cmd_test(core, cfg, &who, argv[3]);
	else
		rc = mailbox_usage();
	mailbox_settings_free();
	return rc;
}
