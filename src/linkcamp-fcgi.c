/* linkcamp-fcgi: the FastCGI application server. Wiring only: configuration, a fixed
 * pool of threads each with its own database connection, and signals. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcgiapp.h>
#include <jansson.h>
#include <sodium.h>

#include "api/api_metrics.h"
#include "core/core.h"
#include "core/domain.h"
#include "core/mailbox.h"
#include "db/db.h"
#include "http/dispatch.h"
#include "mcp/mcp.h"
#include "mail/mime.h"
#include "util/config.h"
#include "ui/ui.h"
#include "util/log.h"

struct server {
	struct config cfg;
	int listen_fd;
	pthread_mutex_t lock;
	int stopping; /* set once by main on a signal; guarded by lock */
};

static void *serve(void *);
static int is_stopping(struct server *);

/* is_stopping reads the stop flag under its lock, so no thread races main's write. */
static int
is_stopping(struct server *srv)
{
	int stopping;

	pthread_mutex_lock(&srv->lock);
	stopping = srv->stopping;
	pthread_mutex_unlock(&srv->lock);
	return stopping;
}
static void usage(void);

static void *
serve(void *arg)
{
	struct server *srv = arg;
	struct core core;
	FCGX_Request fx;
	struct http_request req;

	db_thread_init();
	memset(&core, 0, sizeof(core));
	core.no_response_days = srv->cfg.no_response_days;
	core.key_cache_seconds = srv->cfg.key_cache_seconds;
	core.public_url = srv->cfg.public_url;
	core.templates_dir = srv->cfg.templates_dir;
	core.webhook_allow_http = srv->cfg.webhook_allow_http;
	if ((core.db = db_new(&srv->cfg)) == NULL) {
		log_msg(LOG_ERROR, "out of memory starting a thread");
		db_thread_end();
		return NULL;
	}
	if (FCGX_InitRequest(&fx, srv->listen_fd, 0) != 0) {
		db_free(core.db);
		db_thread_end();
		return NULL;
	}
	/* Linux accept() on one socket from many threads needs no mutex around it. */
	while (!is_stopping(srv) && FCGX_Accept_r(&fx) >= 0) {
		http_request_init(&req, &fx);
		http_dispatch(&core, &req);
		http_request_done(&req);
		FCGX_Finish_r(&fx);
	}
	FCGX_Free(&fx, 1);
	db_free(core.db);
	db_thread_end();
	return NULL;
}

static void
usage(void)
{
	fprintf(stderr, "usage: linkcamp-fcgi [-c config]\n");
	exit(64);
}

int
main(int argc, char **argv)
{
	static struct server srv;
	const char *config_path = NULL;
	pthread_t *threads;
	sigset_t set;
	enum log_level level;
	enum log_format format;
	char why[256];
	unsigned i, started = 0;
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
		if (opt == 'c')
			config_path = optarg;
		else
			usage();
	}
	if (config_load(&srv.cfg, config_path, why, sizeof(why)) != LC_OK) {
		fprintf(stderr, "linkcamp-fcgi: %s\n", why);
		return 78;
	}
	if (log_level_parse(srv.cfg.log_level, &level) == 0) /* config_load checked it */
		log_set_level(level);
	if (log_format_parse(srv.cfg.log_format, &format) == 0)
		log_set_format(format);
	if (api_metrics_init(&srv.cfg, why, sizeof(why)) != LC_OK) {
		fprintf(stderr, "linkcamp-fcgi: %s\n", why);
		return 78;
	}
	pthread_mutex_init(&srv.lock, NULL);
	ui_init(&srv.cfg);
	mcp_http_init(srv.cfg.mcp_dotted_names);
	if (sodium_init() < 0 || db_library_init() != 0) {
		fprintf(stderr, "linkcamp-fcgi: library initialisation failed\n");
		return 70;
	}
	/* never against a schema older than sql/ (core_schema_check says why) */
	if (core_schema_check(&srv.cfg, why, sizeof(why)) != LC_OK) {
		fprintf(stderr, "linkcamp-fcgi: refusing to start: %s\n", why);
		db_library_end();
		return 75;
	}
	if (why[0] != '\0')
		log_msg(LOG_WARN, "%s", why);
	json_object_seed(0);
	mime_global_init();
	if (mailbox_settings_load(&srv.cfg, why, sizeof(why)) != LC_OK) {
		fprintf(stderr, "linkcamp-fcgi: %s\n", why);
		return 78;
	}
	domain_settings_load(&srv.cfg); /* [dns] for GET /v1/domains/{id}/check */
	if (FCGX_Init() != 0) {
		fprintf(stderr, "linkcamp-fcgi: FCGX_Init failed\n");
		return 70;
	}
	if (srv.cfg.fcgi_listen[0]) {
		if (srv.cfg.fcgi_listen[0] == '/')
			unlink(srv.cfg.fcgi_listen);
		srv.listen_fd = FCGX_OpenSocket(srv.cfg.fcgi_listen, 1024);
		if (srv.listen_fd < 0) {
			fprintf(
			    stderr, "linkcamp-fcgi: cannot listen on %s\n", srv.cfg.fcgi_listen);
			return 71;
		}
		if (srv.cfg.fcgi_listen[0] == '/')
			chmod(srv.cfg.fcgi_listen, 0660);
	} else {
		srv.listen_fd = 0; /* spawned by a process manager with the socket on stdin */
	}

	if (http_cache_init((size_t)srv.cfg.response_cache_mb * 1024 * 1024) != LC_OK) {
		log_msg(
		    LOG_ERROR, "cannot make a response cache of %u MiB", srv.cfg.response_cache_mb);
		return 70;
	}
	if ((threads = calloc(srv.cfg.fcgi_threads, sizeof(*threads))) == NULL)
		return 70;
	for (i = 0; i < srv.cfg.fcgi_threads; i++) {
		if (pthread_create(&threads[i], NULL, serve, &srv) != 0) {
			log_msg(LOG_ERROR, "cannot start thread %u", i);
			break;
		}
		started++;
	}
	log_msg(LOG_INFO, "linkcamp-fcgi listening on %s with %u threads",
	    srv.cfg.fcgi_listen[0] ? srv.cfg.fcgi_listen : "stdin", started);
	while (started > 0 && sigwait(&set, &sig) == 0 && sig == SIGHUP)
		; /* nothing to reload yet */
	log_msg(LOG_INFO, "shutting down on signal %d", sig);
	pthread_mutex_lock(&srv.lock);
	srv.stopping = 1;
	pthread_mutex_unlock(&srv.lock);
	FCGX_ShutdownPending();
	/* Wakes every thread blocked in accept(); requests in flight finish first. */
	shutdown(srv.listen_fd, SHUT_RDWR);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	http_cache_free();
	mailbox_settings_free();
	close(srv.listen_fd);
	if (srv.cfg.fcgi_listen[0] == '/')
		unlink(srv.cfg.fcgi_listen);
	db_library_end();
	log_msg(LOG_INFO, "stopped");
	return 0;
}
