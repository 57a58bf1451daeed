/* worker/mailbox_test.c: linkcamp-worker's mailbox tester — a lease_queue on the one loop
 * (worker/lease_loop.c) that runs the connection tests the API queued
 * (POST /v1/mailboxes/{id}/test) and records their steps. */
#include <stdlib.h>
#include <string.h>

#include "mailbox_run.h"
#include "util/log.h"
#include "worker/lease_loop.h"
#include "worker/worker_int.h"

/* One claimed test. */
struct mailbox_test_job {
	int64_t test_id, mailbox_id;
};

static lc_err test_claim(struct lease_ctx *, unsigned, void **, size_t *);
static void test_run(struct lease_ctx *, void *);
static void test_clear(void *);

const struct lease_queue mailbox_test_lease_queue = {
    .name = "mailbox tester",
    .threads = 1,
    .batch = 1,
    .claim = test_claim,
    .job_size = sizeof(struct mailbox_test_job),
    .run = test_run,
    .run_claimed = 1, /* a claimed test has no lease: it would show running forever */
    .clear = test_clear,
};

/* test_claim takes the oldest waiting test (one at a time: core claims one). */
static lc_err
test_claim(struct lease_ctx *c, unsigned max, void **jobs, size_t *n)
{
	struct mailbox_test_job *j;
	int64_t test_id = 0, mailbox_id = 0;
	lc_err e;

	(void)max;
	*jobs = NULL;
	*n = 0;
	if ((e = mailbox_test_claim(c->core, &test_id, &mailbox_id)) != LC_OK || test_id == 0)
		return e;
	if ((j = malloc(sizeof(*j))) == NULL)
		return LC_ENOMEM; /* the test stays claimed; the API shows it running */
	j->test_id = test_id;
	j->mailbox_id = mailbox_id;
	*jobs = j;
	*n = 1;
	return LC_OK;
}

static void
test_run(struct lease_ctx *c, void *arg)
{
	const struct mailbox_test_job *j = arg;
	char *json = NULL;
	int ok = 0;
	lc_err e;

	e = mailbox_test_run(
	    c->core, j->mailbox_id, c->cfg->smtp_helo, (long)c->cfg->smtp_timeout_ms, &json, &ok);
	if (e != LC_OK) {
		free(json);
		json = strdup(e == LC_ENOTFOUND
		                  ? "{\"ok\":false,\"authFailed\":false,\"steps\":[{\"step\":"
		                    "\"mailbox\",\"ok\":false,\"code\":null,\"reply\":\"the "
		                    "mailbox was deleted\"}]}"
		                  : "{\"ok\":false,\"authFailed\":false,\"steps\":[]}");
		ok = 0;
	}
	if (json == NULL || mailbox_test_finish(c->core, j->test_id, ok, json) != LC_OK)
		log_msg(LOG_WARN, "recording a mailbox test failed");
	free(json);
}

static void
test_clear(void *job)
{
	(void)job; /* a test owns nothing */
}
