/* cli_doctor.c: `linkcamp doctor`. Every check only reads: the SMTP check says EHLO and
 * QUIT, never MAIL. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_counts.h"
#include "cli_doctor.h"
#include "cli_domain.h"
#include "db/migrate.h"
#include "util/timefmt.h"

#define REPLY_MAX 4096

struct smtp_probe {
	int fd;
	long timeout_ms;
	char reply[REPLY_MAX]; /* the last reply, its lines joined by '\n' */
};

static int report(int *, const char *, const char *, const char *, ...)
    __attribute__((format(printf, 4, 5)));
static void check_config(const struct config *, int *);
static void check_database(struct core *, const struct config *, int *);
static void check_smtp(const struct config *, int *);
static int probe_connect(struct smtp_probe *, const char *, unsigned);
static int probe_reply(struct smtp_probe *);
static int probe_say(struct smtp_probe *, const char *);

/* report prints "status  what: detail"; a FAIL sets *failed. */
static int
report(int *failed, const char *status, const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("%-5s %-9s ", status, what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (strcmp(status, "FAIL") == 0)
		*failed = 1;
	return 0;
}

static void
check_config(const struct config *cfg, int *failed)
{
	struct stat st;
	int https = strncasecmp(cfg->public_url, "https://", 8) == 0;
	int local =
	    strstr(cfg->public_url, "://127.0.0.1") || strstr(cfg->public_url, "://localhost");

	if (stat(cfg->sql_dir, &st) != 0 || !S_ISDIR(st.st_mode))
		report(failed, "FAIL", "config", "sql_dir %s is not a directory", cfg->sql_dir);
	else if (stat(cfg->templates_dir, &st) != 0 || !S_ISDIR(st.st_mode))
		report(failed, "FAIL", "config", "templates_dir %s is not a directory",
		    cfg->templates_dir);
	else
		report(failed, "ok", "config", "sql_dir and templates_dir found");
	if (https)
		report(failed, "ok", "config", "public_url %s", cfg->public_url);
	else
		report(failed, local ? "ok" : "warn", "config", "public_url %s is not https%s",
		    cfg->public_url,
		    local ? " (fine for a local stack)"
		          : ": links in emails and the pages go out in clear");
	if (https && !cfg->secure_cookies)
		report(failed, "warn", "config", "secure_cookies = no with an https public_url");
	if (!https && cfg->secure_cookies)
		report(failed, "FAIL", "config",
		    "secure_cookies = yes needs an https public_url: browsers would drop the "
		    "cookies");
	if (cfg->webhook_ca_file[0] && access(cfg->webhook_ca_file, R_OK) != 0)
		report(failed, "FAIL", "config",
		    "[webhooks] ca_file %s cannot be read: the worker "
		    "will not start",
		    cfg->webhook_ca_file);
	else if (cfg->webhook_ca_file[0])
		report(failed, "ok", "config",
		    "[webhooks] ca_file %s: https targets are trusted only "
		    "when one of its CAs signed them",
		    cfg->webhook_ca_file);
	if (cfg->webhook_allow_private && !local)
		report(failed, "warn", "config",
		    "[webhooks] allow_private = yes: webhooks may reach "
		    "this network's private addresses");
}

static void
check_database(struct core *core, const struct config *cfg, int *failed)
{
	char version[128], first[256];
	int pending = 0;
	lc_err e;

	if ((e = db_ping(core->db)) != LC_OK) {
		report(failed, "FAIL", "database", "cannot reach %s (%s): %s",
		    cfg->db_socket[0] ? cfg->db_socket : cfg->db_host, lc_strerror(e),
		    db_last_error(core->db));
		return;
	}
	db_server_version(core->db, version, sizeof(version));
	report(failed, "ok", "database", "connected to %s as %s, server %s",
	    cfg->db_socket[0] ? cfg->db_socket : cfg->db_host, cfg->db_user, version);
	if ((e = migrate_pending(core->db, cfg->sql_dir, &pending, first, sizeof(first))) != LC_OK)
		report(failed, "FAIL", "database",
		    "cannot read the applied migrations (%s): run "
		    "linkcamp migrate",
		    lc_strerror(e));
	else if (pending > 0)
		report(failed, "FAIL", "database",
		    "%d migration(s) pending, first %s: run linkcamp "
		    "migrate",
		    pending, first);
	else
		report(failed, "ok", "database", "every migration applied");
}

/* probe_connect opens a TCP connection to host:port within the timeout; 0 or -1 (errno). */
static int
probe_connect(struct smtp_probe *p, const char *host, unsigned port)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct pollfd pfd;
	char service[16];
	int err = 0, rc;
	socklen_t len = sizeof(err);

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof(service), "%u", port);
	if ((rc = getaddrinfo(host, service, &hints, &res)) != 0) {
		errno = ENOENT;
		return -1;
	}
	p->fd = -1;
	for (ai = res; ai && p->fd < 0; ai = ai->ai_next) {
		if ((p->fd = socket(
		         ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK, ai->ai_protocol)) < 0)
			continue;
		if (connect(p->fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
			close(p->fd);
			p->fd = -1;
			continue;
		}
		pfd.fd = p->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, (int)p->timeout_ms) != 1 ||
		    getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
			close(p->fd);
			p->fd = -1;
			errno = err ? err : ETIMEDOUT;
		}
	}
	freeaddrinfo(res);
	return p->fd < 0 ? -1 : 0;
}

/* probe_reply reads one (multi-line) reply; its code, or -1 on a timeout, a closed
 * connection or something that is not an SMTP reply. */
static int
probe_reply(struct smtp_probe *p)
{
	struct pollfd pfd = {p->fd, POLLIN, 0};
	size_t used = 0;
	char *line;
	ssize_t n;

	p->reply[0] = '\0';
	for (;;) {
		/* a complete reply: its last line is "NNN " (or "NNN" alone) and ends in CRLF */
		for (line = p->reply; used > 0;) {
			char *eol = strstr(line, "\r\n");
			if (eol == NULL)
				break;
			if (eol - line < 3 || line[0] < '2' || line[0] > '5')
				return -1;
			if (eol - line == 3 || line[3] == ' ') {
				*eol = '\0';
				return (line[0] - '0') * 100 + (line[1] - '0') * 10 +
				       (line[2] - '0');
			}
			line = eol + 2;
		}
		if (used + 1 >= sizeof(p->reply) || poll(&pfd, 1, (int)p->timeout_ms) != 1 ||
		    (n = read(p->fd, p->reply + used, sizeof(p->reply) - 1 - used)) <= 0)
			return -1;
		used += (size_t)n;
		p->reply[used] = '\0';
	}
}

static int
probe_say(struct smtp_probe *p, const char *line)
{
	size_t len = strlen(line), off = 0;
	ssize_t n;

	while (off < len) {
		if ((n = write(p->fd, line + off, len - off)) <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

static void
check_smtp(const struct config *cfg, int *failed)
{
	struct smtp_probe p;
	char ehlo[CONFIG_STR + 16], host[CONFIG_STR];
	int code;
	const char *auth;

	memset(&p, 0, sizeof(p));
	p.timeout_ms = cfg->smtp_timeout_ms > 0 ? (long)cfg->smtp_timeout_ms : 10000;
	if (probe_connect(&p, cfg->smtp_host, cfg->smtp_port) != 0) {
		report(failed, "FAIL", "smtp", "cannot connect to %s:%u: %s", cfg->smtp_host,
		    cfg->smtp_port, errno == ENOENT ? "no such host" : strerror(errno));
		return;
	}
	if ((code = probe_reply(&p)) != 220) {
		report(failed, "FAIL", "smtp", "%s:%u did not greet with 220 (%d)", cfg->smtp_host,
		    cfg->smtp_port, code);
		close(p.fd);
		return;
	}
	if (cfg->smtp_helo[0])
		snprintf(host, sizeof(host), "%s", cfg->smtp_helo);
	else if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(ehlo, sizeof(ehlo), "EHLO %s\r\n", host);
	if (probe_say(&p, ehlo) != 0 || (code = probe_reply(&p)) != 250) {
		report(failed, "FAIL", "smtp", "%s:%u refused EHLO (%d)", cfg->smtp_host,
		    cfg->smtp_port, code);
		close(p.fd);
		return;
	}
	report(
	    failed, "ok", "smtp", "%s:%u greets and answers EHLO", cfg->smtp_host, cfg->smtp_port);
	if (strcasestr(p.reply, "STARTTLS"))
		report(failed, "ok", "smtp", "offers STARTTLS (starttls = %s)", cfg->smtp_starttls);
	else if (strcmp(cfg->smtp_starttls, "required") == 0)
		report(failed, "FAIL", "smtp",
		    "does not offer STARTTLS, and starttls = required: "
		    "nothing could be sent");
	else if (strcmp(cfg->smtp_starttls, "optional") == 0)
		report(failed, "warn", "smtp", "does not offer STARTTLS: mail goes to it in clear");
	else
		report(failed, "ok", "smtp", "STARTTLS not used (starttls = no)");
	auth = strcasestr(p.reply, "AUTH");
	if (cfg->smtp_user[0] && auth == NULL)
		report(failed, "warn", "smtp",
		    "a user is set but AUTH is not offered before "
		    "STARTTLS (many relays offer it only after)");
	(void)probe_say(&p, "QUIT\r\n");
	close(p.fd);
}

int
cli_doctor(struct core *core, const struct config *cfg)
{
	int failed = 0;

	check_config(cfg, &failed);
	check_database(core, cfg, &failed);
	check_smtp(cfg, &failed);
	cli_domain_doctor(core, cfg, &failed);
	cli_counts_doctor(core, &failed);
	printf("%s\n", failed ? "doctor: something needs fixing (FAIL above)" : "doctor: all good");
	return failed;
}
