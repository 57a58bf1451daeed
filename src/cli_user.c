/* cli_user.c: `linkcamp user add`. Wiring only: arguments, standard input and output;
 * the rules live in core/users.c. The password read from standard input is never echoed,
 * logged or kept after the call. */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "cli_user.h"
#include "core/users.h"

#define EX_USAGE 64
#define EX_DATAERR 65
#define EX_SOFTWARE 70
#define EX_TEMPFAIL 75

static int user_usage(void);
static int read_password(char *, size_t);

static int
user_usage(void)
{
	fprintf(stderr,
	    "usage: linkcamp user add EMAIL --workspace WS_ID --role admin|approver|viewer "
	    "[--password-stdin | --link]\n");
	return EX_USAGE;
}

/* read_password reads the first line of standard input without its line ending; -1 when
 * there is none or it is too long. */
static int
read_password(char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, (int)len, stdin) == NULL)
		return -1;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (!feof(stdin))
		return -1; /* longer than the buffer */
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 0;
}

int
cli_user(struct core *core, int argc, char **argv)
{
	const char *email, *ws = NULL, *role_name = NULL, *why = NULL, *base;
	char password[USER_PASSWORD_MAX + 3], link[USER_SECRET_MAX], user[ID_MAX];
	int i, role, from_stdin = 0, want_link = 0, created = 0, rc;
	size_t blen;
	lc_err e;

	if (argc < 3 || strcmp(argv[1], "add") != 0)
		return user_usage();
	email = argv[2];
	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--workspace") == 0 && i + 1 < argc)
			ws = argv[++i];
		else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
			role_name = argv[++i];
		else if (strcmp(argv[i], "--password-stdin") == 0)
			from_stdin = 1;
		else if (strcmp(argv[i], "--link") == 0)
			want_link = 1;
		else
			return user_usage();
	}
	if (ws == NULL || role_name == NULL || (from_stdin && want_link))
		return user_usage();
	if ((role = user_role_from_name(role_name)) < 0) {
		fprintf(stderr, "linkcamp: --role must be admin, approver or viewer\n");
		return EX_USAGE;
	}
	password[0] = '\0';
	if (from_stdin && read_password(password, sizeof(password)) != 0) {
		sodium_memzero(password, sizeof(password));
		fprintf(stderr,
		    "linkcamp: expected the password on the first line of standard input "
		    "(at most %d bytes)\n",
		    USER_PASSWORD_MAX);
		return EX_DATAERR;
	}
	e = users_add(core, email, ws, (unsigned)role, from_stdin ? password : NULL,
	    want_link ? link : NULL, user, &created, &why);
	sodium_memzero(password, sizeof(password));
	switch (e) {
	case LC_OK: break;
	case LC_EINVAL:
		fprintf(stderr, "linkcamp: user add: %s\n", why ? why : "invalid input");
		return EX_DATAERR;
	case LC_ENOTFOUND:
		fprintf(stderr, "linkcamp: user add: no workspace %s\n", ws);
		return EX_DATAERR;
	case LC_EDBDOWN:
	case LC_ERETRY:
		fprintf(stderr, "linkcamp: user add: %s\n", lc_strerror(e));
		return EX_TEMPFAIL;
	default: fprintf(stderr, "linkcamp: user add: %s\n", lc_strerror(e)); return EX_SOFTWARE;
	}
	if (want_link) {
		base = core->public_url ? core->public_url : "";
		blen = strlen(base);
		while (blen > 0 && base[blen - 1] == '/')
			blen--;
		rc = printf("%.*s/app/set-password/%s\n", (int)blen, base, link) < 0;
		sodium_memzero(link, sizeof(link));
	} else {
		rc = printf("%s\n", user) < 0;
		if (created && !from_stdin)
			fprintf(stderr,
			    "linkcamp: %s has no password yet; run again with --link to "
			    "give them a set-password link\n",
			    email);
	}
	return rc ? EX_SOFTWARE : 0;
}
