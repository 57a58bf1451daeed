/* worker_mailbox.c: linkcamp-worker's mailbox tester thread — it runs the connection tests
 * the API queued (POST /v1/mailboxes/{id}/test) and records their steps. */
#include <stdlib.h>
#include <string.h>

#include "mailbox_run.h"
#include "util/log.h"
#include "worker_hooks.h"

void *
mailbox_tester(void *arg)
{
	struct worker *w = arg;
	const struct config *cfg = worker_cfg(w);
	struct core core;
	int64_t test_id = 0, mailbox_id = 0;
	char *json = NULL;
	int ok = 0;
	lc_err e;

	db_thread_init();
	memset(&core, 0, sizeof(core));
	if ((core.db = db_new(cfg)) == NULL) {
		log_msg(LOG_ERROR, "mailbox tester has no database handle: no mailbox tests will run");
		db_thread_end();
		return NULL;
	}
	while (!worker_stopping(w)) {
		if ((e = mailbox_test_claim(&core, &test_id, &mailbox_id)) != LC_OK) {
			log_msg(LOG_WARN, "mailbox test claim failed: %s", lc_strerror(e));
			worker_nap(w, 1000);
			continue;
		}
		if (test_id == 0) {
			worker_nap(w, cfg->worker_poll_ms);
			continue;
		}
		e = mailbox_test_run(&core, mailbox_id, cfg->smtp_helo, (long)cfg->smtp_timeout_ms,
		    &json, &ok);
		if (e != LC_OK) {
			free(json);
			json = strdup(e == LC_ENOTFOUND
			                  ? "{\"ok\":false,\"authFailed\":false,\"steps\":[{\"step\":"
			                    "\"mailbox\",\"ok\":false,\"code\":null,\"reply\":\"the "
			                    "mailbox was deleted\"}]}"
			                  : "{\"ok\":false,\"authFailed\":false,\"steps\":[]}");
			ok = 0;
		}
		if (json == NULL || mailbox_test_finish(&core, test_id, ok, json) != LC_OK)
			log_msg(LOG_WARN, "recording a mailbox test failed");
		free(json);
		json = NULL;
	}
	db_free(core.db);
	db_thread_end();
	return NULL;
}
