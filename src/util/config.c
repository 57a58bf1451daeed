#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ini.h>

#include "util/config.h"
#include "util/hostlist.h"
#include "util/dns_txt.h"
#include "util/log.h"

#ifndef LINKCAMP_TEMPLATESDIR
#define LINKCAMP_TEMPLATESDIR "/usr/local/share/linkcamp/templates"
#endif
#ifndef LINKCAMP_SQLDIR
#define LINKCAMP_SQLDIR "/usr/local/share/linkcamp/sql"
#endif

struct config_key {
	const char *section, *name, *env;
	enum { K_STR, K_UINT, K_BOOL } kind;
	size_t offset;
	unsigned min, max;
};

/* one key a line reads as the table it is: left as written by scripts/format */
/* clang-format off */
#define STR(sec, key, env, field) {sec, key, env, K_STR, offsetof(struct config, field), 0, 0}
#define UINT(sec, key, env, field, lo, hi) \
	{sec, key, env, K_UINT, offsetof(struct config, field), lo, hi}
#define BOOL(sec, key, env, field) {sec, key, env, K_BOOL, offsetof(struct config, field), 0, 1}

static const struct config_key keys[] = {
	STR("database", "host", "LINKCAMP_DB_HOST", db_host),
	STR("database", "socket", "LINKCAMP_DB_SOCKET", db_socket),
	UINT("database", "port", "LINKCAMP_DB_PORT", db_port, 0, 65535),
	STR("database", "user", "LINKCAMP_DB_USER", db_user),
	STR("database", "password", "LINKCAMP_DB_PASSWORD", db_password),
	STR("database", "name", "LINKCAMP_DB_NAME", db_name),
	STR("database", "hosts", "LINKCAMP_DB_HOSTS", db_hosts),
	STR("database", "writer", "LINKCAMP_DB_WRITER", db_writer),
	UINT("database", "sync_wait", "LINKCAMP_DB_SYNC_WAIT", db_sync_wait, 0, 15),
	STR("fcgi", "listen", "LINKCAMP_FCGI_LISTEN", fcgi_listen),
	UINT("fcgi", "threads", "LINKCAMP_FCGI_THREADS", fcgi_threads, 1, 256),
	STR("app", "public_url", "LINKCAMP_PUBLIC_URL", public_url),
	STR("app", "sql_dir", "LINKCAMP_SQL_DIR", sql_dir),
	STR("app", "templates_dir", "LINKCAMP_TEMPLATES_DIR", templates_dir),
	UINT("app", "no_response_days", "LINKCAMP_NO_RESPONSE_DAYS", no_response_days, 1, 365),
	STR("app", "log_level", "LINKCAMP_LOG_LEVEL", log_level),
	UINT("app", "key_cache_seconds", "LINKCAMP_KEY_CACHE_SECONDS", key_cache_seconds, 0, 3600),
	UINT("app", "response_cache_mb", "LINKCAMP_RESPONSE_CACHE_MB", response_cache_mb, 0, 65536),
	BOOL("app", "secure_cookies", "LINKCAMP_SECURE_COOKIES", secure_cookies),
	UINT("app", "session_idle_minutes", "LINKCAMP_SESSION_IDLE_MINUTES", session_idle_minutes, 1,
	    1440),
	UINT("app", "session_max_hours", "LINKCAMP_SESSION_MAX_HOURS", session_max_hours, 1, 720),
	UINT("app", "login_max_failures", "LINKCAMP_LOGIN_MAX_FAILURES", login_max_failures, 1,
	    1000),
	UINT("app", "login_max_failures_ip", "LINKCAMP_LOGIN_MAX_FAILURES_IP",
	    login_max_failures_ip, 1, 100000),
	UINT("app", "login_window_minutes", "LINKCAMP_LOGIN_WINDOW_MINUTES", login_window_minutes,
	    1, 1440),
	UINT("app", "login_backoff_seconds", "LINKCAMP_LOGIN_BACKOFF_SECONDS", login_backoff_seconds,
	    1, 3600),
	UINT("app", "login_backoff_max_seconds", "LINKCAMP_LOGIN_BACKOFF_MAX_SECONDS",
	    login_backoff_max_seconds, 1, 86400),
	BOOL("app", "mcp_dotted_names", "LINKCAMP_MCP_DOTTED_NAMES", mcp_dotted_names),
	STR("smtp", "host", "LINKCAMP_SMTP_HOST", smtp_host),
	UINT("smtp", "port", "LINKCAMP_SMTP_PORT", smtp_port, 1, 65535),
	STR("smtp", "starttls", "LINKCAMP_SMTP_STARTTLS", smtp_starttls),
	STR("smtp", "user", "LINKCAMP_SMTP_USER", smtp_user),
	STR("smtp", "password", "LINKCAMP_SMTP_PASSWORD", smtp_password),
	STR("smtp", "helo", "LINKCAMP_SMTP_HELO", smtp_helo),
	STR("smtp", "notify_from", "LINKCAMP_SMTP_NOTIFY_FROM", notify_from),
	UINT("smtp", "timeout_ms", "LINKCAMP_SMTP_TIMEOUT_MS", smtp_timeout_ms, 1000, 600000),
	UINT("worker", "threads", "LINKCAMP_WORKER_THREADS", worker_threads, 1, 64),
	UINT("worker", "batch", "LINKCAMP_WORKER_BATCH", worker_batch, 1, 64),
	UINT("worker", "lease_seconds", "LINKCAMP_WORKER_LEASE_SECONDS", worker_lease_seconds, 5,
	    3600),
	UINT("worker", "poll_ms", "LINKCAMP_WORKER_POLL_MS", worker_poll_ms, 10, 60000),
	UINT("worker", "notify_interval", "LINKCAMP_WORKER_NOTIFY_INTERVAL", worker_notify_interval, 0, 86400),
	BOOL("webhooks", "allow_private", "LINKCAMP_WEBHOOK_ALLOW_PRIVATE", webhook_allow_private),
	BOOL("webhooks", "allow_http", "LINKCAMP_WEBHOOK_ALLOW_HTTP", webhook_allow_http),
	STR("webhooks", "ca_file", "LINKCAMP_WEBHOOK_CA_FILE", webhook_ca_file),
	UINT("webhooks", "connect_timeout_ms", "LINKCAMP_WEBHOOK_CONNECT_TIMEOUT_MS",
	    webhook_connect_timeout_ms, 100, 60000),
	UINT("webhooks", "timeout_ms", "LINKCAMP_WEBHOOK_TIMEOUT_MS", webhook_timeout_ms, 100,
	    120000),
	UINT("webhooks", "backoff_scale_ms", "LINKCAMP_WEBHOOK_BACKOFF_SCALE_MS",
	    webhook_backoff_scale_ms, 1, 1000),
	UINT("placements", "recheck_seconds", "LINKCAMP_PLACEMENT_RECHECK_SECONDS",
	    placement_recheck_seconds, 1, 2592000),
	UINT("placements", "backoff_scale_ms", "LINKCAMP_PLACEMENT_BACKOFF_SCALE_MS",
	    placement_backoff_scale_ms, 1, 1000),
	UINT("placements", "lost_after", "LINKCAMP_PLACEMENT_LOST_AFTER", placement_lost_after, 1,
	    30),
	UINT("placements", "lost_confirm_seconds", "LINKCAMP_PLACEMENT_LOST_CONFIRM_SECONDS",
	    placement_lost_confirm_seconds, 1, 2592000),
	UINT("placements", "lost_recheck_seconds", "LINKCAMP_PLACEMENT_LOST_RECHECK_SECONDS",
	    placement_lost_recheck_seconds, 1, 31536000),
	UINT("placements", "host_interval_ms", "LINKCAMP_PLACEMENT_HOST_INTERVAL_MS",
	    placement_host_interval_ms, 0, 3600000),
	UINT("placements", "robots_ttl_seconds", "LINKCAMP_PLACEMENT_ROBOTS_TTL_SECONDS",
	    placement_robots_ttl_seconds, 1, 604800),
	STR("placements", "user_agent", "LINKCAMP_PLACEMENT_USER_AGENT", placement_user_agent),
	STR("mailboxes", "key_file", "LINKCAMP_MAILBOX_KEY_FILE", mailbox_key_file),
	STR("mailboxes", "ca_file", "LINKCAMP_MAILBOX_CA_FILE", mailbox_ca_file),
	BOOL("mailboxes", "allow_plain", "LINKCAMP_MAILBOX_ALLOW_PLAIN", mailbox_allow_plain),
	UINT("mailboxes", "domain_per_hour", "LINKCAMP_MAILBOX_DOMAIN_PER_HOUR", mailbox_domain_per_hour, 0, 100000),
	STR("dns", "resolver", "LINKCAMP_DNS_RESOLVER", dns_resolver),
	STR("log", "format", "LINKCAMP_LOG_FORMAT", log_format),
	STR("metrics", "token", "LINKCAMP_METRICS_TOKEN", metrics_token),
	STR("metrics", "allow", "LINKCAMP_METRICS_ALLOW", metrics_allow),
	STR("metrics", "worker_listen", "LINKCAMP_METRICS_WORKER_LISTEN", metrics_worker_listen),
};
/* clang-format on */

struct load_ctx {
	struct config *cfg;
	char *why;
	size_t whylen;
	int failed;
};

static int set_key(struct config *, const struct config_key *, const char *, char *, size_t);
static int config_ini_line(void *, const char *, const char *, const char *);

static int
set_key(struct config *cfg, const struct config_key *k, const char *value, char *why, size_t whylen)
{
	char *field = (char *)cfg + k->offset, *end;
	unsigned long v;

	if (k->kind == K_BOOL) {
		if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0 ||
		    strcmp(value, "1") == 0)
			*(int *)(void *)field = 1;
		else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0 ||
		         strcmp(value, "0") == 0)
			*(int *)(void *)field = 0;
		else {
			snprintf(why, whylen, "%s.%s must be yes or no", k->section, k->name);
			return -1;
		}
		return 0;
	}
	if (k->kind == K_STR) {
		if (strcmp(k->name, "starttls") == 0) {
			if (strcmp(value, "no") && strcmp(value, "optional") &&
			    strcmp(value, "required")) {
				snprintf(
				    why, whylen, "smtp.starttls must be no, optional or required");
				return -1;
			}
			snprintf(field, 16, "%s", value);
			return 0;
		}
		if (strcmp(k->section, "dns") == 0 && strcmp(k->name, "resolver") == 0 &&
		    value[0] != '\0' && dns_server_parse(value) != LC_OK) {
			snprintf(
			    why, whylen, "dns.resolver must be an IPv4 address:port (or empty)");
			return -1;
		}
		if (strcmp(k->section, "log") == 0 && strcmp(k->name, "format") == 0) {
			enum log_format format;

			if (log_format_parse(value, &format) != 0) {
				snprintf(why, whylen, "log.format must be json or text");
				return -1;
			}
			snprintf(field, 16, "%s", value);
			return 0;
		}
		if (strlen(value) >= CONFIG_STR && strcmp(k->name, "log_level") != 0) {
			snprintf(why, whylen, "%s.%s is too long", k->section, k->name);
			return -1;
		}
		if (strcmp(k->section, "database") == 0 &&
		    (strcmp(k->name, "hosts") == 0 || strcmp(k->name, "writer") == 0)) {
			struct hostport hp[HOSTLIST_MAX];
			size_t n = 0;

			/* a list that cannot be used stops the program at start, not at the first
			 * failover */
			if (hostlist_parse(value, hp,
			        strcmp(k->name, "writer") == 0 ? 1 : HOSTLIST_MAX, &n, why,
			        whylen) != LC_OK) {
				if (strcmp(k->name, "writer") == 0)
					snprintf(
					    why, whylen, "database.writer must be one host[:port]");
				return -1;
			}
		}
		if (strcmp(k->name, "log_level") == 0) {
			enum log_level level;

			if (log_level_parse(value, &level) != 0) {
				snprintf(why, whylen,
				    "app.log_level must be debug, info, warn or error");
				return -1;
			}
			snprintf(field, 16, "%s", value);
		} else {
			snprintf(field, CONFIG_STR, "%s", value);
		}
		return 0;
	}
	errno = 0;
	v = strtoul(value, &end, 10);
	if (errno || end == value || *end != '\0' || v < k->min || v > k->max) {
		snprintf(why, whylen, "%s.%s must be an integer in %u..%u", k->section, k->name,
		    k->min, k->max);
		return -1;
	}
	*(unsigned *)(void *)field = (unsigned)v;
	return 0;
}

static int
config_ini_line(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *ctx = user;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0) {
			if (set_key(ctx->cfg, &keys[i], value, ctx->why, ctx->whylen) != 0) {
				ctx->failed = 1;
				return 0;
			}
			return 1;
		}
	}
	snprintf(ctx->why, ctx->whylen, "unknown configuration key [%s] %s", section, name);
	ctx->failed = 1;
	return 0;
}

lc_err
config_load(struct config *cfg, const char *path, char *why, size_t whylen)
{
	struct load_ctx ctx = {cfg, why, whylen, 0};
	const char *env;
	FILE *f;
	size_t i;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->db_host, sizeof(cfg->db_host), "localhost");
	snprintf(cfg->db_user, sizeof(cfg->db_user), "linkcamp");
	snprintf(cfg->db_name, sizeof(cfg->db_name), "linkcamp");
	cfg->fcgi_threads = 8;
	cfg->no_response_days = 7;
	cfg->key_cache_seconds = 10;
	cfg->response_cache_mb = 128;
	cfg->secure_cookies = 1;
	cfg->session_idle_minutes = 30;
	cfg->session_max_hours = 12;
	cfg->login_max_failures = 5;
	cfg->login_max_failures_ip = 20;
	cfg->login_window_minutes = 15;
	cfg->login_backoff_seconds = 30;
	cfg->login_backoff_max_seconds = 900;
	snprintf(cfg->sql_dir, sizeof(cfg->sql_dir), "%s", LINKCAMP_SQLDIR);
	snprintf(cfg->templates_dir, sizeof(cfg->templates_dir), "%s", LINKCAMP_TEMPLATESDIR);
	snprintf(cfg->public_url, sizeof(cfg->public_url), "http://127.0.0.1");
	snprintf(cfg->log_level, sizeof(cfg->log_level), "info");
	snprintf(cfg->log_format, sizeof(cfg->log_format), "json");
	snprintf(cfg->smtp_host, sizeof(cfg->smtp_host), "127.0.0.1");
	cfg->smtp_port = 25;
	snprintf(cfg->smtp_starttls, sizeof(cfg->smtp_starttls), "optional");
	snprintf(cfg->notify_from, sizeof(cfg->notify_from), "linkcamp@linkcamp.invalid");
	cfg->smtp_timeout_ms = 60000;
	cfg->worker_threads = 4;
	cfg->worker_batch = 32;
	cfg->worker_lease_seconds = 600;
	cfg->worker_poll_ms = 500;
	cfg->worker_notify_interval = 120;
	cfg->webhook_connect_timeout_ms = 5000;
	cfg->webhook_timeout_ms = 15000;
	cfg->webhook_backoff_scale_ms = 1000;
	cfg->placement_recheck_seconds = 86400;
	cfg->placement_backoff_scale_ms = 1000;
	cfg->placement_lost_after = 2;
	cfg->placement_lost_confirm_seconds = 86400;
	cfg->placement_lost_recheck_seconds = 7 * 86400;
	cfg->placement_host_interval_ms = 5000;
	cfg->placement_robots_ttl_seconds = 86400;
	snprintf(cfg->placement_user_agent, sizeof(cfg->placement_user_agent),
	    "linkcamp-placement-check/1.0 (+https://linkcamp.local/bot)");

	if ((env = getenv("LINKCAMP_CONFIG")) != NULL && path == NULL)
		path = env;
	f = fopen(path ? path : CONFIG_DEFAULT_PATH, "r");
	if (f == NULL && (path != NULL || errno != ENOENT)) {
		snprintf(why, whylen, "cannot open %s: %s", path ? path : CONFIG_DEFAULT_PATH,
		    strerror(errno));
		return LC_EIO;
	}
	if (f != NULL) {
		rc = ini_parse_file(f, config_ini_line, &ctx);
		fclose(f);
		if (ctx.failed)
			return LC_EINVAL;
		if (rc != 0) {
			snprintf(why, whylen, "syntax error on line %d of the configuration", rc);
			return LC_EINVAL;
		}
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if ((env = getenv(keys[i].env)) == NULL)
			continue;
		if (set_key(cfg, &keys[i], env, why, whylen) != 0)
			return LC_EINVAL;
	}
	return LC_OK;
}
