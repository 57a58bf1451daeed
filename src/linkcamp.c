/* linkcamp: the operator's command line — migrations, accounts, workspaces, keys,
 * credits, campaigns and the demo seed. Wiring only; rules live in the core. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include <sodium.h>

#include "api/campaign_input.h"
#include "cli_counts.h"
#include "cli_doctor.h"
#include "cli_domain.h"
#include "cli_import.h"
#include "cli_mailbox.h"
#include "cli_user.h"
#include "core/core.h"
#include "core/demo.h"
#include "core/inbound.h"
#include "core/mailbox.h"
#include "core/sending.h"
#include "mail/mime.h"
#include "mcp/mcp.h"
#include "util/buf.h"
#include "db/db.h"
#include "db/migrate.h"
#include "util/config.h"
#include "util/log.h"

#define EX_USAGE 64
#define EX_DATAERR 65
#define EX_NOINPUT 66
#define EX_SOFTWARE 70
#define EX_TEMPFAIL 75
#define EX_CONFIG 78

static int usage(void);
static int fail(const char *, lc_err);
static int cmd_key_revoke(struct core *);
static int cmd_migrate(struct core *, const struct config *);
static int cmd_campaign_create(struct core *, const char *);
static int cmd_demo(struct core *, const struct config *);
static int cmd_inbound(struct core *, int, char **);

static int
usage(void)
{
	fprintf(stderr,
	    "usage: linkcamp [-c config] command\n"
	    "  migrate                               apply sql/ migrations\n"
	    "  account create NAME                   print the new account id\n"
	    "  workspace create ACCOUNT_ID NAME      print the new workspace id\n"
	    "  key create ACCOUNT_ID [--workspace WS_ID] [--approve] [--name NAME]\n"
	    "                                        print a new API key (shown once)\n"
	    "  key revoke < KEY                      revoke the API key read from standard input\n"
	    "                                        (401 within key_cache_seconds)\n"
	    "  credits grant WS_ID AMOUNT            add credits to a workspace\n"
	    "  campaign create WS_ID < campaign.json create a campaign with prospects\n"
	    "  user add EMAIL --workspace WS_ID --role approver|viewer [--password-stdin | "
	    "--link]\n"
	    "                                        a person who signs in to the approval pages\n"
	    "  prospects import WS_ID CAMPAIGN_ID < prospects.csv\n"
	    "                                        add a CSV of prospects (columns domain,\n"
	    "                                        contactName, contactEmail) to a campaign\n"
	    "  mailbox add WS_ID --from ADDRESS --host HOST --username USER --password-stdin\n"
	    "          [--from-name NAME] [--reply-to ADDRESS] [--port N]\n"
	    "          [--security tls|starttls|plain] [--daily-cap N]\n"
	    "          [--days mon,tue,...] [--start HH:MM] [--end HH:MM] [--time-zone ZONE]\n"
	    "          [--warmup-start N --warmup-increment K] [--min-gap-seconds N]\n"
	    "          [--jitter-seconds N]\n"
	    "                                        a sender mailbox (password on stdin)\n"
	    "  mailbox list WS_ID                    the workspace's mailboxes\n"
	    "  mailbox test WS_ID MAILBOX_ID         connect, EHLO, STARTTLS, AUTH, QUIT and\n"
	    "                                        print each step (sends nothing)\n"
	    "  domain add WS_ID DOMAIN [--selector SELECTOR]\n"
	    "                                        a sending domain: make its DKIM keys, print\n"
	    "                                        the TXT records to publish\n"
	    "  domain list WS_ID                     the workspace's sending domains\n"
	    "  domain zone WS_ID DOMAIN_ID           its DKIM records as zone file lines\n"
	    "  domain check WS_ID DOMAIN_ID [--from ADDRESS]\n"
	    "                                        look up SPF, DKIM and DMARC; exit 1 when\n"
	    "                                        something is wrong\n"
	    "  domain ed25519 WS_ID DOMAIN_ID        an older domain's Ed25519 key (RSA stays)\n"
	    "  demo                                  seed the demo agency; print its keys\n"
	    "  doctor                                check the configuration, the database and\n"
	    "                                        the SMTP relay, the DNS of sending domains,\n"
	    "                                        the kept counts (sends nothing; exit 1 on\n"
	    "                                        a failure)\n"
	    "  counts [--repair] [WS_ID]             compare the counts kept for lists, funnels,\n"
	    "                                        the approval queue and credits with their\n"
	    "                                        rows (the ledger for credits)\n"
	    "                                        (exit 1 when some differ); --repair sets\n"
	    "                                        them to what the rows say\n"
	    "  inbound [--workspace WS_ID] < mail    store a received mail (MTA pipe; exit 75 =\n"
	    "                                        try again later)\n"
	    "  mcp                                   serve MCP over stdio (newline-delimited\n"
	    "                                        JSON-RPC) with the key in LINKCAMP_API_KEY\n"
	    "                                        (an agency key: LINKCAMP_WORKSPACE_ID too)\n");
	return EX_USAGE;
}

static int
fail(const char *what, lc_err e)
{
	fprintf(stderr, "linkcamp: %s: %s\n", what, lc_strerror(e));
	if (e == LC_EDBDOWN || e == LC_ERETRY)
		return EX_TEMPFAIL;
	if (e == LC_EINVAL || e == LC_ENOTFOUND)
		return EX_DATAERR;
	return EX_SOFTWARE;
}

/* cmd_key_revoke revokes the key on the first line of standard input (never on the
 * command line, where other users of the machine could read it in the process list). */
static int
cmd_key_revoke(struct core *core)
{
	char key[KEY_MAX + 2];
	size_t n;
	lc_err e;
	int rc;

	if (fgets(key, (int)sizeof(key), stdin) == NULL) {
		fprintf(stderr, "linkcamp: key revoke: give the key on standard input\n");
		return EX_DATAERR;
	}
	n = strcspn(key, "\r\n");
	key[n] = '\0';
	if ((e = admin_key_revoke(core, key, n)) != LC_OK)
		rc = fail("key revoke", e);
	else
		rc = printf("revoked\n") < 0;
	sodium_memzero(key, sizeof(key));
	return rc;
}

static int
cmd_migrate(struct core *core, const struct config *cfg)
{
	int applied = 0;
	lc_err e;

	if ((e = migrate_run(core->db, cfg->sql_dir, &applied)) != LC_OK)
		return fail("migrate", e);
	printf("%d migration(s) applied\n", applied);
	return 0;
}

static int
cmd_campaign_create(struct core *core, const char *ws)
{
	struct principal who;
	struct campaign_new in;
	struct prospect_in *prospects = NULL;
	json_error_t jerr;
	json_t *doc;
	const char *bad = NULL;
	char badbuf[128];
	struct core_fail cf;
	char id[ID_MAX];
	lc_err e;

	if ((e = admin_principal_for(core, ws, &who)) != LC_OK)
		return fail("workspace", e);
	if ((doc = json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		fprintf(stderr, "linkcamp: campaign JSON: %s (line %d)\n", jerr.text, jerr.line);
		return EX_DATAERR;
	}
	memset(&cf, 0, sizeof(cf));
	e = campaign_input_parse(doc, &in, &prospects, &bad, badbuf, sizeof(badbuf));
	if (e == LC_OK)
		e = campaigns_create_full(core, &who, &in, NULL, "cli", id, &cf);
	else
		fprintf(stderr, "linkcamp: campaign field %s is missing, unknown or invalid\n",
		    bad ? bad : "?");
	if (e == LC_OK)
		printf("%s\n", id);
	else if (cf.code)
		fprintf(stderr, "linkcamp: %s%s%s: %s\n", cf.code, cf.param ? " " : "",
		    cf.param ? cf.param : "", cf.detail ? cf.detail : "");
	free(prospects);
	json_decref(doc);
	return e == LC_OK ? 0 : fail("campaign create", e);
}

static int
cmd_demo(struct core *core, const struct config *cfg)
{
	struct demo_result r;
	char why[256];
	lc_err e;

	/* the demo's sending domain seals its DKIM keys with the mailbox key */
	if (mailbox_settings_load(cfg, why, sizeof(why)) != LC_OK) {
		fprintf(stderr, "linkcamp: %s\n", why);
		return EX_CONFIG;
	}
	e = demo_seed(core, &r);
	mailbox_settings_free();
	if (e != LC_OK)
		return fail("demo", e);
	printf("LINKCAMP_ACCOUNT_ID=%s\nLINKCAMP_WORKSPACE_ID=%s\nLINKCAMP_OTHER_WORKSPACE_ID=%s\n"
	       "LINKCAMP_API_KEY=%s\nLINKCAMP_APPROVER_KEY=%s\nLINKCAMP_ACCOUNT_KEY=%s\n"
	       "LINKCAMP_OTHER_API_KEY=%s\nLINKCAMP_CAMPAIGN_ID=%s\n",
	    r.account_id, r.workspace_id, r.other_workspace_id, r.api_key, r.approver_key,
	    r.account_key, r.other_api_key, r.campaign_id);
	if (r.domain_id[0])
		printf("LINKCAMP_DEMO_DOMAIN_ID=%s\nLINKCAMP_OTHER_DEMO_DOMAIN_ID=%s\n",
		    r.domain_id, r.other_domain_id);
	return 0;
}

/* cmd_inbound reads one raw mail from stdin for an MTA pipe: sysexits codes, 75 when the
 * MTA should try again later. */
static int
cmd_inbound(struct core *core, int argc, char **argv)
{
	struct principal who, *pwho = NULL;
	struct inbound_result res;
	struct buf raw;
	char chunk[65536];
	size_t n;
	lc_err e;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--workspace") == 0 && i + 1 < argc) {
			if ((e = admin_principal_for(core, argv[++i], &who)) != LC_OK)
				return e == LC_ENOTFOUND ? EX_USAGE : EX_TEMPFAIL;
			pwho = &who;
		} else {
			return usage();
		}
	}
	buf_init(&raw, INBOUND_MAX_BYTES);
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		if (buf_append(&raw, chunk, n) != LC_OK) {
			buf_free(&raw);
			fprintf(stderr, "linkcamp: inbound mail larger than %d bytes\n",
			    INBOUND_MAX_BYTES);
			return EX_DATAERR;
		}
	}
	if (ferror(stdin)) {
		buf_free(&raw);
		return 74; /* EX_IOERR */
	}
	e = raw.len > 0 ? inbound_ingest(core, pwho, raw.data, raw.len, &res) : LC_EINVAL;
	buf_free(&raw);
	if (e == LC_EINVAL) {
		fprintf(stderr, "linkcamp: not an email message\n");
		return EX_DATAERR;
	}
	if (e != LC_OK) {
		/* anything else may pass: the MTA keeps the mail and tries again */
		fprintf(stderr, "linkcamp: inbound: %s\n", lc_strerror(e));
		return EX_TEMPFAIL;
	}
	printf("%s %s %s%s\n", res.public_id, inbound_class_name(res.klass),
	    inbound_match_name(res.match), res.duplicate ? " duplicate" : "");
	return 0;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct core core;
	const char *config_path = NULL, *cmd, *sub;
	char why[256], out[KEY_MAX];
	int opt, rc = EX_USAGE;
	lc_err e;

	while ((opt = getopt(argc, argv, "+c:")) != -1) {
		if (opt == 'c')
			config_path = optarg;
		else
			return usage();
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage();
	if (config_load(&cfg, config_path, why, sizeof(why)) != LC_OK) {
		fprintf(stderr, "linkcamp: %s\n", why);
		return EX_CONFIG;
	}
	log_set_level(LOG_WARN);
	if (sodium_init() < 0 || db_library_init() != 0)
		return EX_SOFTWARE;
	mime_global_init();
	memset(&core, 0, sizeof(core));
	core.no_response_days = cfg.no_response_days;
	core.public_url = cfg.public_url;
	if ((core.db = db_new(&cfg)) == NULL)
		return EX_SOFTWARE;
	cmd = argv[0];
	sub = argc > 1 ? argv[1] : "";

	if (strcmp(cmd, "migrate") == 0 && argc == 1) {
		rc = cmd_migrate(&core, &cfg);
	} else if (strcmp(cmd, "account") == 0 && strcmp(sub, "create") == 0 && argc == 3) {
		if ((e = admin_account_create(&core, argv[2], out)) != LC_OK)
			rc = fail("account create", e);
		else
			rc = printf("%s\n", out) < 0;
	} else if (strcmp(cmd, "workspace") == 0 && strcmp(sub, "create") == 0 && argc == 4) {
		if ((e = admin_workspace_create(&core, argv[2], argv[3], out)) != LC_OK)
			rc = fail("workspace create", e);
		else
			rc = printf("%s\n", out) < 0;
	} else if (strcmp(cmd, "key") == 0 && strcmp(sub, "create") == 0 && argc >= 3) {
		const char *ws = NULL, *name = "api key";
		int approve = 0, i;

		rc = 0;
		for (i = 3; i < argc; i++) {
			if (strcmp(argv[i], "--workspace") == 0 && i + 1 < argc)
				ws = argv[++i];
			else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
				name = argv[++i];
			else if (strcmp(argv[i], "--approve") == 0)
				approve = 1;
			else
				rc = usage();
		}
		if (rc == 0) {
			if ((e = admin_key_create(&core, argv[2], ws, name, approve, out)) != LC_OK)
				rc = fail("key create", e);
			else
				rc = printf("%s\n", out) < 0;
		}
	} else if (strcmp(cmd, "key") == 0 && strcmp(sub, "revoke") == 0 && argc == 2) {
		rc = cmd_key_revoke(&core);
	} else if (strcmp(cmd, "credits") == 0 && strcmp(sub, "grant") == 0 && argc == 4) {
		char *end;
		long long amount;

		errno = 0;
		amount = strtoll(argv[3], &end, 10);
		if (errno || *end || end == argv[3])
			rc = usage();
		else if ((e = admin_credits_grant(&core, argv[2], amount)) != LC_OK)
			rc = fail("credits grant", e);
		else
			rc = 0;
	} else if (strcmp(cmd, "campaign") == 0 && strcmp(sub, "create") == 0 && argc == 3) {
		rc = cmd_campaign_create(&core, argv[2]);
	} else if (strcmp(cmd, "user") == 0) {
		rc = cli_user(&core, argc, argv);
	} else if (strcmp(cmd, "mailbox") == 0) {
		rc = cli_mailbox(&core, &cfg, argc, argv);
	} else if (strcmp(cmd, "domain") == 0) {
		rc = cli_domain(&core, &cfg, argc, argv);
	} else if (strcmp(cmd, "prospects") == 0) {
		rc = cli_prospects(&core, argc, argv);
	} else if (strcmp(cmd, "counts") == 0) {
		rc = cli_counts(&core, argc, argv);
	} else if (strcmp(cmd, "doctor") == 0 && argc == 1) {
		rc = cli_doctor(&core, &cfg);
	} else if (strcmp(cmd, "demo") == 0 && argc == 1) {
		rc = cmd_demo(&core, &cfg);
	} else if (strcmp(cmd, "inbound") == 0) {
		rc = cmd_inbound(&core, argc, argv);
	} else if (strcmp(cmd, "mcp") == 0 && argc == 1) {
		json_object_seed(0);
		rc = mcp_stdio_run(&core, stdin, stdout, getenv("LINKCAMP_API_KEY"),
		    getenv("LINKCAMP_WORKSPACE_ID"), cfg.mcp_dotted_names);
	} else {
		rc = usage();
	}
	db_free(core.db);
	db_library_end();
	return rc;
}
