/* config.h: the INI configuration (/etc/linkcamp/linkcamp.conf, -c FILE) with
 * LINKCAMP_* environment variables overriding single keys. */
#ifndef LC_CONFIG_H
#define LC_CONFIG_H

#include "util/err.h"

#define CONFIG_DEFAULT_PATH "/etc/linkcamp/linkcamp.conf"
#define CONFIG_STR 512

struct config {
	/* [database] */
	char db_host[CONFIG_STR];
	char db_socket[CONFIG_STR];
	unsigned db_port;
	char db_user[CONFIG_STR];
	char db_password[CONFIG_STR];
	char db_name[CONFIG_STR];
	char db_hosts[CONFIG_STR];  /* several hosts (a Galera cluster): h1:port,h2:port; when set,
	                             * host, port and socket are not used (docs/scaling.md) */
	char db_writer[CONFIG_STR]; /* the host of db_hosts this process uses while it answers */
	unsigned db_sync_wait;      /* wsrep_sync_wait for this process's sessions; 0: unset */
	/* [fcgi] */
	char fcgi_listen[CONFIG_STR]; /* unix socket path or host:port; empty = stdin fd 0 */
	unsigned fcgi_threads;
	/* [app] */
	char public_url[CONFIG_STR];
	char sql_dir[CONFIG_STR];
	char templates_dir[CONFIG_STR];
	unsigned no_response_days;
	char log_level[16];
	unsigned key_cache_seconds;
	unsigned response_cache_mb;     /* linkcamp-fcgi's cache of read answers; 0: none */
	int secure_cookies;             /* yes: cookies are Secure and __Host- (https only) */
	unsigned session_idle_minutes;  /* an unused page session ends after this */
	unsigned session_max_hours;     /* a page session ends this long after login */
	unsigned login_max_failures;    /* failed logins per address within the window ... */
	unsigned login_max_failures_ip; /* ... and per client address, before 429 */
	unsigned login_window_minutes;
	unsigned
	    login_backoff_seconds; /* the first wait once one account is guessed at too often */
	unsigned login_backoff_max_seconds; /* from one client: it doubles per failure up to this */
	int mcp_dotted_names;               /* tools/list shows link_building.campaign.list ... */
	/* [smtp] the relay the worker delivers through */
	char smtp_host[CONFIG_STR];
	unsigned smtp_port;
	char smtp_starttls[16]; /* no, optional, required */
	char smtp_user[CONFIG_STR];
	char smtp_password[CONFIG_STR];
	char smtp_helo[CONFIG_STR];
	char notify_from[CONFIG_STR]; /* From of the emails to approvers */
	unsigned smtp_timeout_ms;
	/* [worker] */
	unsigned worker_threads;
	unsigned worker_batch;
	unsigned worker_lease_seconds;
	unsigned worker_poll_ms;
	unsigned worker_notify_interval; /* seconds between approval emails of a workspace */
	/* [webhooks] (docs/webhooks.md) */
	int webhook_allow_private; /* yes: deliver to private/loopback/link-local addresses */
	int webhook_allow_http;    /* yes: accept and fetch http:// URLs (else https only) */
	char webhook_ca_file[CONFIG_STR]; /* PEM CAs trusted for https targets instead of the
	                                   * system's store; empty: the system's store */
	unsigned webhook_connect_timeout_ms;
	unsigned webhook_timeout_ms; /* the whole request */
	unsigned
	    webhook_backoff_scale_ms; /* one second of the retry schedule; 1000 in production */
	/* [placements] (docs/placements.md); fetches obey webhook_allow_private/_http */
	unsigned placement_recheck_seconds; /* how often a verified link is checked again */
	unsigned
	    placement_backoff_scale_ms; /* one second of the retry schedule; 1000 in production */
	unsigned placement_lost_after;  /* clean missing results (on different days) = lost */
	unsigned
	    placement_lost_confirm_seconds; /* "another day": between counted missing results */
	unsigned placement_lost_recheck_seconds; /* how often a lost link is looked at again */
	unsigned placement_host_interval_ms;     /* at most one request per host this often */
	unsigned placement_robots_ttl_seconds;   /* how long a host's robots.txt is trusted */
	char placement_user_agent[CONFIG_STR];   /* the checker's User-Agent (robots.txt: its
	                                            first word is the token matched) */
	/* [mailboxes] sender mailboxes (docs/mailboxes.md) */
	char mailbox_key_file[CONFIG_STR]; /* 32 bytes (raw, or 64 hex digits); empty: no mailboxes
	                                    */
	char mailbox_ca_file[CONFIG_STR];  /* CAs mailbox servers' certificates chain to; empty:
	                                      the system store */
	int mailbox_allow_plain;           /* yes: a mailbox may speak SMTP without TLS */
	unsigned mailbox_domain_per_hour;  /* messages a workspace sends one recipient domain in an
	                                      hour through its mailboxes; 0: no limit */
	/* [dns] the checks of sending domains (docs/dkim.md) */
	char dns_resolver[CONFIG_STR]; /* "IPv4:port" asked for TXT records; empty: the system's
	                                  resolver (/etc/resolv.conf) */
	/* [log] */
	char log_format[16]; /* json (default) or text */
	/* [metrics] (docs/metrics.md): /metrics is off until token or allow is set */
	char metrics_token[CONFIG_STR]; /* a scrape must send Authorization: Bearer TOKEN */
	char metrics_allow[CONFIG_STR]; /* addresses and CIDR blocks a scrape may come from */
	char metrics_worker_listen[CONFIG_STR]; /* the worker's loopback host:port; empty: none */
};

/* config_load fills cfg with defaults, then the file at path (NULL: the default path,
 * ignored when it does not exist), then the environment. On error it writes a one-line
 * reason into why (size whylen) and returns LC_EINVAL or LC_EIO. */
lc_err config_load(struct config *cfg, const char *path, char *why, size_t whylen);

#endif
