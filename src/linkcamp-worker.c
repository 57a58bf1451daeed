/* linkcamp-worker: drains the outbox, the webhook outbox and the placement checks, and
 * syncs the mailboxes' IMAP. Wiring only: the configuration, the process's libraries and
 * signals; the threads and their loops are src/worker/'s (worker/worker.h). Several
 * workers (on several hosts) may run at once: claims skip each other's locked rows and
 * fences keep a late worker from overwriting. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include <sodium.h>

#include "core/core.h"
#include "core/mailbox.h"
#include "hook/hook_http.h"
#include "hook/link_find.h"
#include "imap/imap_net.h"
#include "mail/dkim_sign.h"
#include "mail/mime.h"
#include "mail/smtp.h"
#include "util/config.h"
#include "util/log.h"
#include "worker/metrics.h"
#include "worker/worker.h"

int
main(int argc, char **argv)
{
	static struct config cfg;
	struct worker *w = NULL;
	const char *config_path = NULL;
	sigset_t set;
	enum log_level level;
	enum log_format format;
	char why[256];
	int opt, sig = 0;

	/* Blocked first thing: a SIGTERM that arrives while starting up waits for sigwait
	 * and ends the process cleanly (status 0) instead of killing it half started.
	 * Threads inherit this mask; only the main thread takes the signals, via sigwait. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	while ((opt = getopt(argc, argv, "c:")) != -1) {
		if (opt == 'c') {
			config_path = optarg;
		} else {
			fprintf(stderr, "usage: linkcamp-worker [-c config]\n");
			return 64;
		}
	}
	if (config_load(&cfg, config_path, why, sizeof(why)) != LC_OK) {
		fprintf(stderr, "linkcamp-worker: %s\n", why);
		return 78;
	}
	if (log_level_parse(cfg.log_level, &level) == 0) /* config_load checked it */
		log_set_level(level);
	if (log_format_parse(cfg.log_format, &format) == 0)
		log_set_format(format);
	/* a ca_file that cannot be read would fail every https delivery one by one: say so
	 * once, at start-up */
	if (cfg.webhook_ca_file[0] && access(cfg.webhook_ca_file, R_OK) != 0) {
		fprintf(stderr, "linkcamp-worker: [webhooks] ca_file %s: %s\n", cfg.webhook_ca_file,
		    strerror(errno));
		return 78;
	}
	if (sodium_init() < 0 || db_library_init() != 0)
		return 70;
	/* never against a schema older than sql/ (core_schema_check says why) */
	if (core_schema_check(&cfg, why, sizeof(why)) != LC_OK) {
		fprintf(stderr, "linkcamp-worker: refusing to start: %s\n", why);
		db_library_end();
		return 75;
	}
	if (why[0] != '\0')
		log_msg(LOG_WARN, "%s", why);
	json_object_seed(0);
	smtp_global_init();
	if (mailbox_settings_load(&cfg, why, sizeof(why)) != LC_OK) {
		fprintf(stderr, "linkcamp-worker: %s\n", why);
		return 78;
	}
	if (smtp_set_trust(mailbox_ca_file()) != LC_OK) {
		fprintf(stderr, "linkcamp-worker: [mailboxes] ca_file %s cannot be read\n",
		    mailbox_ca_file());
		return 78;
	}
	if (dkim_sign_global_init() != LC_OK) {
		fprintf(stderr, "linkcamp-worker: libopendkim cannot start\n");
		return 70;
	}
	/* the IMAP fetchers parse mail (inbound_ingest): GMime is set up before any thread */
	mime_global_init();
	if (imap_net_init(mailbox_ca_file()) != LC_OK) {
		fprintf(stderr, "linkcamp-worker: [mailboxes] ca_file %s cannot be read (IMAP)\n",
		    mailbox_ca_file());
		return 78;
	}
	if (hook_global_init() != LC_OK)
		return 70;
	link_find_init();
	if (worker_metrics_start(&cfg, why, sizeof(why)) != LC_OK) {
		fprintf(stderr, "linkcamp-worker: %s\n", why);
		return 78;
	}
	if (worker_start(&cfg, &w) != LC_OK) {
		fprintf(stderr, "linkcamp-worker: cannot start its threads\n");
		return 70;
	}
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
		;
	log_msg(LOG_INFO, "shutting down on signal %d", sig);
	worker_stop(w);
	worker_metrics_stop();
	link_find_cleanup();
	hook_global_cleanup();
	dkim_sign_global_end();
	imap_net_end();
	mailbox_settings_free();
	db_library_end();
	log_msg(LOG_INFO, "stopped");
	return 0;
}
