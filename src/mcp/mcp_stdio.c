/* mcp_stdio.c: the MCP stdio transport behind `linkcamp mcp`. One JSON-RPC message per
 * line on stdin, one answer per line on stdout, flushed at once; stdout carries nothing
 * else (every reason goes to stderr). It ends with 0 at the end of stdin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/dispatch.h"
#include "mcp/mcp.h"
#include "util/buf.h"

#define LINE_MAX_BYTES HTTP_BODY_MAX
#define AUTH_MAX 600

static int write_line(FILE *, const char *);
static int blank(const char *, size_t);
static int read_line(FILE *, struct buf *, int *);

static int
write_line(FILE *out, const char *s)
{
	return fputs(s, out) < 0 || fputc('\n', out) == EOF || fflush(out) != 0 ? -1 : 0;
}

/* read_line reads one line of in, without its '\n', into line (emptied first), keeping at
 * most line->max bytes: *too_long tells that the rest was read and dropped, so a client
 * cannot make the process hold more than one message's worth. Every byte counts, NUL
 * included (the JSON parser then refuses it). 1: a line (the last may lack its '\n');
 * 0: end of input; -1: a read error. */
static int
read_line(FILE *in, struct buf *line, int *too_long)
{
	int c, got = 0;
	char ch;

	line->len = 0;
	*too_long = 0;
	while ((c = getc(in)) != EOF) {
		got = 1;
		if (c == '\n')
			return 1;
		ch = (char)c;
		if (!*too_long && buf_append(line, &ch, 1) != LC_OK)
			*too_long = 1;
	}
	return ferror(in) ? -1 : got;
}

static int
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

int
mcp_stdio_run(struct core *core, FILE *in, FILE *out, const char *key, const char *workspace,
    int dotted_names)
{
	struct mcp_caller caller;
	struct mcp_server srv;
	struct http_request req;
	char authorization[AUTH_MAX];
	int rc = 0, refused;

	if (key == NULL || *key == '\0') {
		fprintf(stderr, "linkcamp mcp: set LINKCAMP_API_KEY to a workspace API key\n");
		return 77;
	}
	if (strlen(key) + 8 > sizeof(authorization)) {
		fprintf(stderr, "linkcamp mcp: LINKCAMP_API_KEY is not a linkcamp key\n");
		return 77;
	}
	snprintf(authorization, sizeof(authorization), "Bearer %s", key);
	memset(&caller, 0, sizeof(caller));
	caller.core = core;
	caller.authorization = authorization;
	caller.workspace = workspace && *workspace ? workspace : NULL;

	/* the key is checked once before serving, so a wrong one fails loudly at start */
	if (http_request_init_local(&req, "POST", "/mcp", "", NULL, NULL, 0, NULL) != LC_OK) {
		http_request_done_local(&req);
		return 70;
	}
	req.authorization = caller.authorization;
	req.workspace_id = caller.workspace;
	refused = http_authenticate(core, &req, &caller.who) != 0;
	if (refused) {
		fprintf(stderr, "linkcamp mcp: the key was refused: %s (HTTP %d)\n",
		    req.out.data ? req.out.data : "", req.status);
		rc = req.status == 503 ? 75 : 77;
	}
	http_request_done_local(&req);
	if (refused)
		return rc;

	srv.dotted_names = dotted_names;
	srv.call = mcp_call_api;
	srv.arg = &caller;
	return mcp_stdio_serve(&srv, in, out, LINE_MAX_BYTES);
}

int
mcp_stdio_serve(const struct mcp_server *srv, FILE *in, FILE *out, size_t line_max)
{
	static const char too_long_answer[] =
	    "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,"
	    "\"message\":\"Parse error: message longer than 1 MiB.\"}}";
	struct buf line;
	char *answer;
	int rc = 0, too_long, got;

	buf_init(&line, line_max);
	while ((got = read_line(in, &line, &too_long)) > 0) {
		if (too_long) {
			if (write_line(out, too_long_answer) != 0) {
				rc = 74;
				break;
			}
			continue;
		}
		if (blank(line.data, line.len))
			continue;
		if (mcp_handle(srv, line.data, line.len, &answer) == MCP_NO_REPLY)
			continue;
		if (answer == NULL) {
			fprintf(stderr, "linkcamp mcp: out of memory answering a message\n");
			continue;
		}
		if (write_line(out, answer) != 0) {
			free(answer);
			rc = 74;
			break;
		}
		free(answer);
	}
	if (rc == 0 && got < 0)
		rc = 74;
	buf_free(&line);
	return rc;
}
