/* fuzz_mcp_stdio.c: libFuzzer target for the framing of `linkcamp mcp` (mcp_stdio_serve,
 * src/mcp/mcp_stdio.c): the bytes a stdio client writes, cut into lines and each handed
 * to mcp_handle. The input is the whole of stdin. The line limit is LINE_LIMIT bytes here
 * (1 MiB in the program) so that inputs of fuzzing size reach the too-long path; the tools
 * run against a core whose database cannot be reached (fuzz_core.h).
 *
 * Promise checked, from mcp.h: the framing neither merges, splits, drops nor reorders
 * messages. The output is exactly, line by line, what each input line calls for on its
 * own: a line over the limit the parse error, a blank line (spaces, tabs, CRs) nothing,
 * any other line mcp_handle's answer to it when it has one; every output line ends with
 * '\n', and serving a memory stream ends with 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_mcp.h"
#include "mcp/mcp.h"
#include "util/buf.h"
#include "util/config.h"

#define LINE_LIMIT 256

static void fuzz_die(const char *);
static int expect_line(const char *, size_t, struct buf *);

static struct fuzz_mcp m;

static void
fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_mcp_stdio: broken promise: %s\n", what);
	abort();
}

/* expect_line appends to want what one input line calls for, worked out on its own. */
static int
expect_line(const char *line, size_t len, struct buf *want)
{
	static const char too_long[] =
	    "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,"
	    "\"message\":\"Parse error: message longer than 1 MiB.\"}}\n";
	char *answer = NULL;
	size_t i;
	int blank = 1;

	if (len > LINE_LIMIT)
		return buf_append(want, too_long, sizeof(too_long) - 1) == LC_OK ? 0 : -1;
	for (i = 0; i < len && blank; i++)
		blank = line[i] == ' ' || line[i] == '\t' || line[i] == '\r';
	if (blank)
		return 0;
	if (mcp_handle(&m.srv, line, len, &answer) == MCP_NO_REPLY)
		return 0;
	if (answer == NULL)
		fuzz_die("no answer to a message that gets one");
	if (buf_append(want, answer, strlen(answer)) != LC_OK ||
	    buf_append(want, "\n", 1) != LC_OK) {
		free(answer);
		return -1;
	}
	free(answer);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	struct buf want;
	char *got = NULL;
	size_t got_len = 0;
	FILE *in, *out;
	int rc;

	fuzz_mcp_init(&m);
	if (size == 0)
		return 0; /* fmemopen refuses an empty buffer; EOF at once is covered by a 0 return
		           */
	buf_init(&want, 1 << 24);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (expect_line(p, nl ? (size_t)(nl - p) : (size_t)(end - p), &want) != 0)
			fuzz_die("the expected output outgrew its buffer");
		p = nl ? nl + 1 : end;
	}
	if ((in = fmemopen((void *)data, size, "r")) == NULL ||
	    (out = open_memstream(&got, &got_len)) == NULL)
		abort();
	rc = mcp_stdio_serve(&m.srv, in, out, LINE_LIMIT);
	fclose(in);
	fclose(out);
	if (rc != 0)
		fuzz_die("serving a memory stream did not end with 0");
	if (got_len != want.len || (got_len > 0 && memcmp(got, want.data, got_len) != 0))
		fuzz_die("the answers are not, line by line, those of the input's lines");
	free(got);
	buf_free(&want);
	return 0;
}
