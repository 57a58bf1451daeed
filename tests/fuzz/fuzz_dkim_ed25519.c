/* fuzz_dkim_ed25519.c: libFuzzer target for the ed25519-sha256 DKIM signer
 * (src/mail/dkim_ed25519.c), which reads a whole composed message. The input is the message.
 * Promises checked, from dkim_ed25519.h: dkim_ed25519_sign answers LC_OK or LC_EINVAL (the
 * output is then untouched and why is set); on LC_OK the field starts "DKIM-Signature: v=1;
 * a=ed25519-sha256;", ends with its only bare line end CRLF, every other CRLF is a fold
 * (followed by a space), its bh= is dkim_body_hash of the message, and signing again gives
 * the same bytes (Ed25519 is deterministic); its b= is what dkim_ed25519_signature makes for
 * the same h= and the field up to "b=" (the KAT of test_dkim_ed25519.c pins that one). The
 * relaxed body has no tab, no double space, no space before a CRLF, no bare CR or LF, and
 * ends with CRLF unless empty, without an empty line at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "fuzz.h"
#include "mail/dkim_ed25519.h"
#include "mail/dkim_headers.h"

static const unsigned char seed[DKIM_ED_SEED_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static void fuzz_die(const char *);
static void check_body(const char *, size_t);
static void tag_value(const char *, char *, size_t);
static void check_field(const char *, size_t, const struct buf *);

static void
fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_dkim_ed25519: broken promise: %s\n", what);
	abort();
}

/* check_body: the relaxed body's shape (RFC 6376 3.4.4). */
static void
check_body(const char *msg, size_t len)
{
	struct buf b;
	const char *body = NULL;
	size_t i;

	for (i = 0; i + 3 < len; i++)
		if (memcmp(msg + i, "\r\n\r\n", 4) == 0) {
			body = msg + i + 4;
			break;
		}
	if (body == NULL)
		return;
	buf_init(&b, 4 * len + 16);
	if (dkim_canon_body_relaxed(body, len - (size_t)(body - msg), &b) == LC_OK) {
		for (i = 0; i < b.len; i++) {
			if (b.data[i] == '\t' ||
			    (b.data[i] == ' ' && i + 1 < b.len &&
			        (b.data[i + 1] == ' ' || b.data[i + 1] == '\r')))
				fuzz_die("the relaxed body has a tab, two spaces or a space at a "
				         "line end");
			if ((b.data[i] == '\r') != (i + 1 < b.len && b.data[i + 1] == '\n') ||
			    (b.data[i] == '\n' && (i == 0 || b.data[i - 1] != '\r')))
				fuzz_die("the relaxed body has a bare CR or LF");
		}
		if (b.len > 0 && (b.len < 2 || memcmp(b.data + b.len - 2, "\r\n", 2) != 0))
			fuzz_die("the relaxed body does not end with CRLF");
		if (b.len >= 4 && memcmp(b.data + b.len - 4, "\r\n\r\n", 4) == 0)
			fuzz_die("the relaxed body ends with an empty line");
		if (b.len == 2)
			fuzz_die("the relaxed body is one empty line");
	}
	buf_free(&b);
}

/* tag_value copies the value of the tag that starts at t (after "x="), FWS removed, up to ';'
 * or the end, into out (max bytes). */
static void
tag_value(const char *t, char *out, size_t max)
{
	size_t k = 0;

	for (; *t && *t != ';' && k + 1 < max; t++)
		if (*t != ' ' && *t != '\t' && *t != '\r' && *t != '\n')
			out[k++] = *t;
	out[k] = '\0';
}

/* check_field: the field's shape, its bh= and its b=. */
static void
check_field(const char *msg, size_t len, const struct buf *f)
{
	static char names_buf[65536];
	static char *names[2100];
	unsigned char bh[32], sig[DKIM_ED_SIG_LEN], raw[100];
	char b64[100], got[200], *tok;
	const char *h, *bhp, *bp, *p;
	size_t i, n = 0;
	char why[200];

	if (f->len < 40 || strncmp(f->data, "DKIM-Signature: v=1; a=ed25519-sha256;", 38) != 0)
		fuzz_die("the field does not start as documented");
	for (i = 0; i + 2 < f->len; i++)
		if (f->data[i] == '\r' && f->data[i + 1] == '\n' && f->data[i + 2] != ' ')
			fuzz_die("a CRLF inside the field is not a fold");
	if (memcmp(f->data + f->len - 2, "\r\n", 2) != 0 || memchr(f->data, '\0', f->len) != NULL)
		fuzz_die("the field does not end with CRLF");
	/* bh= */
	if (dkim_body_hash(msg, len, bh) != LC_OK)
		fuzz_die("a signed message has no body hash");
	EVP_EncodeBlock((unsigned char *)b64, bh, sizeof(bh));
	if ((bhp = strstr(f->data, "bh=")) == NULL)
		fuzz_die("no bh=");
	tag_value(bhp + 3, got, sizeof(got));
	if (strcmp(got, b64) != 0)
		fuzz_die("bh= is not the body hash");
	/* h=: the names */
	if ((h = strstr(f->data, "h=")) == NULL || h[-1] == 'b')
		fuzz_die("no h= before bh=");
	tag_value(h + 2, names_buf, sizeof(names_buf));
	for (tok = strtok(names_buf, ":"); tok && n < 2100; tok = strtok(NULL, ":"))
		names[n++] = tok;
	/* b=: the last tag; the field up to its "b=" is what was signed */
	for (bp = NULL, p = f->data; (p = strstr(p, "b=")) != NULL; p += 2)
		if (p[-1] == ' ')
			bp = p;
	if (bp == NULL)
		fuzz_die("no b=");
	tag_value(bp + 2, got, sizeof(got));
	if (strlen(got) != 88 || EVP_DecodeBlock(raw, (unsigned char *)got, 88) != 66)
		fuzz_die("b= is not 64 bytes in base64");
	if (dkim_ed25519_signature(seed, msg, len, (const char *const *)names, n, f->data,
	        (size_t)(bp + 2 - f->data), sig, why, sizeof(why)) != LC_OK ||
	    memcmp(sig, raw, sizeof(sig)) != 0)
		fuzz_die("b= is not the signature of the field with b= empty");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dkim_ed25519_signer s = {
	    "agency.example", "lcfuzz-ed25519", seed, dkim_sign_headers, dkim_oversign_headers, 1};
	const char *msg = (const char *)data;
	struct buf out, again;
	char why[200];
	lc_err e;

	buf_init(&out, 1 << 20);
	buf_init(&again, 1 << 20);
	if (buf_puts(&out, "x") != LC_OK)
		abort();
	why[0] = '\0';
	e = dkim_ed25519_sign(&s, msg, size, &out, why, sizeof(why));
	if (e != LC_OK && e != LC_EINVAL)
		fuzz_die("an answer other than LC_OK or LC_EINVAL");
	if (e != LC_OK && (out.len != 1 || why[0] == '\0'))
		fuzz_die("a refusal changed the output or gave no reason");
	if (e == LC_OK) {
		struct buf f = out;
		f.data = out.data + 1;
		f.len = out.len - 1;
		check_field(msg, size, &f);
		if (dkim_ed25519_sign(&s, msg, size, &again, why, sizeof(why)) != LC_OK ||
		    again.len != f.len || memcmp(again.data, f.data, f.len) != 0)
			fuzz_die("signing again gives other bytes");
	}
	check_body(msg, size);
	buf_free(&out);
	buf_free(&again);
	return 0;
}
