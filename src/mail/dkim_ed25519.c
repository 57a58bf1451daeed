/* dkim_ed25519.c: ed25519-sha256 DKIM signatures (RFC 8463) written from RFC 6376 and RFC
 * 8463, because libopendkim 2.11 leaks the OpenSSL objects of every Ed25519 key it signs
 * with (docs/dkim.md). The message is split into header fields and body once; the body is
 * canonicalised (relaxed) straight into SHA-256, so a large body costs no copy; the signed
 * fields and the signature's own field are canonicalised (relaxed) into a second SHA-256,
 * whose 32 bytes Ed25519 signs (RFC 8463 3: PureEdDSA over the hash, not over the data).
 * Nothing here trusts the message: every index stays inside [0, len), and anything that
 * cannot be canonicalised the way a verifier would is refused rather than guessed at. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>

#include "mail/dkim_ed25519.h"

#define FIELD_MAX 65536 /* bytes of the DKIM-Signature field we write (h= is the long part) */
#define CHUNK 4096

/* One header field: p[0..len) runs from its name to the byte before its final CRLF. */
struct field {
	const char *p;
	size_t len, name_len;
	int used; /* taken by an earlier h= name (RFC 6376 5.4.2: bottom-up, each once) */
};

/* A message split into its header fields and its body. */
struct msg {
	struct field *f;
	size_t n, cap;
	const char *body;
	size_t body_len;
};

/* Where canonical bytes go: a buffer (the tests, the field we hash) or a running SHA-256,
 * through a small staging chunk so that byte-wise canonicalisation stays cheap. */
struct sink {
	struct buf *b;
	EVP_MD_CTX *md;
	unsigned char chunk[CHUNK];
	size_t n;
	lc_err e;
};

/* The folded field being written. */
struct fold {
	struct buf *b;
	size_t col;
	lc_err e;
};

static int is_wsp(int);
static void sink_put(struct sink *, const void *, size_t);
static lc_err sink_end(struct sink *);
static lc_err name_check(const char *, size_t, size_t *);
static lc_err header_relaxed(const char *, size_t, int, struct sink *);
static lc_err body_relaxed(const char *, size_t, struct sink *);
static lc_err field_add(struct msg *, const char *, size_t);
static lc_err split(const char *, size_t, struct msg *, char *, size_t);
static lc_err body_hash(const struct msg *, unsigned char[32]);
static lc_err signature_of(const unsigned char *, struct msg *, const char *const *, size_t,
    const char *, size_t, unsigned char *, char *, size_t);
static int token_ok(const char *, size_t);
static int listed(const char *const *, const char *, size_t);
static void fold_add(struct fold *, const char *, size_t, int);
static void fold_value(struct fold *, const char *, size_t);

static int
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

static void
sink_put(struct sink *s, const void *p, size_t n)
{
	const unsigned char *q = p;
	size_t k;

	if (s->e != LC_OK)
		return;
	if (s->b != NULL) {
		s->e = buf_append(s->b, p, n);
		return;
	}
	while (n > 0) {
		k = CHUNK - s->n < n ? CHUNK - s->n : n;
		memcpy(s->chunk + s->n, q, k);
		s->n += k;
		q += k;
		n -= k;
		if (s->n == CHUNK) {
			if (EVP_DigestUpdate(s->md, s->chunk, s->n) != 1)
				s->e = LC_ENOMEM;
			s->n = 0;
			if (s->e != LC_OK)
				return;
		}
	}
}

/* sink_end hands the staged bytes to the digest; the sink's error, if any. */
static lc_err
sink_end(struct sink *s)
{
	if (s->e == LC_OK && s->md != NULL && s->n > 0 &&
	    EVP_DigestUpdate(s->md, s->chunk, s->n) != 1)
		s->e = LC_ENOMEM;
	s->n = 0;
	return s->e;
}

/* name_check finds the colon of field f[0..len) and checks the name before it (trailing
 * WSP dropped): 1 or more printable ASCII bytes (RFC 5322 2.2: ftext). *name_len is its
 * length. */
static lc_err
name_check(const char *f, size_t len, size_t *name_len)
{
	const char *colon = memchr(f, ':', len);
	size_t n, i;

	if (colon == NULL)
		return LC_EINVAL;
	for (n = (size_t)(colon - f); n > 0 && is_wsp((unsigned char)f[n - 1]); n--)
		;
	if (n == 0)
		return LC_EINVAL;
	for (i = 0; i < n; i++)
		if ((unsigned char)f[i] < 33 || (unsigned char)f[i] > 126)
			return LC_EINVAL;
	*name_len = n;
	return LC_OK;
}

/* header_relaxed: RFC 6376 3.4.2. The name lower-cased, WSP around the colon dropped, folds
 * (CRLF before WSP) removed, each WSP run one SP, WSP at the end dropped. A CR or LF that is
 * not part of a fold is refused: a verifier would split the field there. */
static lc_err
header_relaxed(const char *f, size_t len, int crlf, struct sink *s)
{
	size_t nl, i;
	int space = 0, content = 0;
	char c;
	lc_err e;

	if ((e = name_check(f, len, &nl)) != LC_OK)
		return e;
	for (i = 0; i < nl; i++) {
		c = (char)tolower((unsigned char)f[i]);
		sink_put(s, &c, 1);
	}
	sink_put(s, ":", 1);
	for (i = (size_t)((const char *)memchr(f, ':', len) - f) + 1; i < len; i++) {
		c = f[i];
		if (c == '\r' || c == '\n') {
			if (c != '\r' || i + 2 >= len || f[i + 1] != '\n' ||
			    !is_wsp((unsigned char)f[i + 2]))
				return LC_EINVAL;
			i++; /* the fold's LF; its WSP follows */
			continue;
		}
		if (is_wsp((unsigned char)c)) {
			space = 1;
			continue;
		}
		if (space && content)
			sink_put(s, " ", 1);
		space = 0;
		content = 1;
		sink_put(s, &c, 1);
	}
	if (crlf)
		sink_put(s, "\r\n", 2);
	return s->e;
}

/* body_relaxed: RFC 6376 3.4.4. WSP at line ends dropped, other WSP runs one SP, empty lines
 * at the end dropped (they are only counted, and written when a line with content follows),
 * a last line without CRLF given one; an empty body stays empty. */
static lc_err
body_relaxed(const char *p, size_t len, struct sink *s)
{
	size_t i, empty = 0;
	int space = 0, content = 0;

	for (i = 0; i < len; i++) {
		if (p[i] == '\r') {
			if (i + 1 >= len || p[i + 1] != '\n')
				return LC_EINVAL;
			i++;
			if (content)
				sink_put(s, "\r\n", 2);
			else
				empty++;
			content = space = 0;
			continue;
		}
		if (p[i] == '\n')
			return LC_EINVAL;
		if (is_wsp((unsigned char)p[i])) {
			space = 1;
			continue;
		}
		if (!content)
			for (; empty > 0 && s->e == LC_OK; empty--)
				sink_put(s, "\r\n", 2);
		if (space)
			sink_put(s, " ", 1);
		space = 0;
		content = 1;
		sink_put(s, &p[i], 1);
	}
	if (content)
		sink_put(s, "\r\n", 2);
	return s->e;
}

lc_err
dkim_canon_header_relaxed(const char *field, size_t len, int crlf, struct buf *out)
{
	struct sink s;

	memset(&s, 0, sizeof(s));
	s.b = out;
	return header_relaxed(field, len, crlf, &s);
}

lc_err
dkim_canon_body_relaxed(const char *body, size_t len, struct buf *out)
{
	struct sink s;

	memset(&s, 0, sizeof(s));
	s.b = out;
	return body_relaxed(body, len, &s);
}

static lc_err
field_add(struct msg *m, const char *p, size_t len)
{
	struct field *nf;
	size_t cap;

	if (m->n == DKIM_ED_FIELDS_MAX)
		return LC_EINVAL;
	if (m->n == m->cap) {
		cap = m->cap ? m->cap * 2 : 32;
		if ((nf = realloc(m->f, cap * sizeof(*nf))) == NULL)
			return LC_ENOMEM;
		m->f = nf;
		m->cap = cap;
	}
	memset(&m->f[m->n], 0, sizeof(m->f[m->n]));
	m->f[m->n].p = p;
	m->f[m->n].len = len;
	m->n++;
	return LC_OK;
}

/* split finds the header fields and the body of msg (m->f is malloc'd: the caller frees it,
 * also on error). The header ends at the first empty line, or with the message (then the
 * body is empty and the last line may lack its CRLF). */
static lc_err
split(const char *msg, size_t len, struct msg *m, char *why, size_t whylen)
{
	size_t pos = 0, i, end;
	lc_err e;

	memset(m, 0, sizeof(*m));
	while (pos < len) {
		for (i = pos; i < len && msg[i] != '\r' && msg[i] != '\n'; i++)
			;
		if (i < len && (msg[i] == '\n' || i + 1 >= len || msg[i + 1] != '\n')) {
			snprintf(why, whylen, "a bare %s at byte %zu of the header",
			    msg[i] == '\n' ? "LF" : "CR", i);
			return LC_EINVAL;
		}
		end = i;
		if (end == pos && end < len) { /* the empty line: the body follows */
			m->body = msg + end + 2;
			m->body_len = len - end - 2;
			break;
		}
		if (is_wsp((unsigned char)msg[pos])) {
			if (m->n == 0) {
				snprintf(why, whylen, "the header starts with a continuation line");
				return LC_EINVAL;
			}
			m->f[m->n - 1].len = end - (size_t)(m->f[m->n - 1].p - msg);
		} else if ((e = field_add(m, msg + pos, end - pos)) != LC_OK) {
			snprintf(why, whylen, "%s",
			    e == LC_EINVAL ? "more than 1000 header fields" : "out of memory");
			return e;
		}
		pos = end < len ? end + 2 : len;
	}
	for (i = 0; i < m->n; i++)
		if (name_check(m->f[i].p, m->f[i].len, &m->f[i].name_len) != LC_OK) {
			snprintf(why, whylen,
			    "header field %zu has no colon or a name that is not printable ASCII",
			    i + 1);
			return LC_EINVAL;
		}
	return LC_OK;
}

static lc_err
body_hash(const struct msg *m, unsigned char hash[32])
{
	struct sink *s;
	unsigned int n = 0;
	lc_err e;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return LC_ENOMEM;
	e = LC_ENOMEM;
	if ((s->md = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) == 1) {
		e = body_relaxed(m->body, m->body_len, s);
		if (e == LC_OK)
			e = sink_end(s);
		if (e == LC_OK && (EVP_DigestFinal_ex(s->md, hash, &n) != 1 || n != 32))
			e = LC_ENOMEM;
	}
	EVP_MD_CTX_free(s->md);
	free(s);
	return e;
}

lc_err
dkim_body_hash(const char *msg, size_t len, unsigned char hash[32])
{
	struct msg m;
	char why[128];
	lc_err e;

	if ((e = split(msg, len, &m, why, sizeof(why))) == LC_OK)
		e = body_hash(&m, hash);
	free(m.f);
	return e;
}

/* signature_of hashes the fields names[] select from m and the signature's own field, and
 * signs the hash. m's used marks are set here. */
static lc_err
signature_of(const unsigned char *seed, struct msg *m, const char *const *names, size_t nnames,
    const char *sig_field, size_t sig_len, unsigned char *sig, char *why, size_t whylen)
{
	unsigned char hash[32];
	unsigned int hn = 0;
	struct sink *s;
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *ctx = NULL;
	size_t i, k, nl, siglen = DKIM_ED_SIG_LEN;
	lc_err e = LC_ENOMEM;

	if ((s = calloc(1, sizeof(*s))) == NULL || (s->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) != 1) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	for (i = 0; i < m->n; i++)
		m->f[i].used = 0;
	for (k = 0; k < nnames && s->e == LC_OK; k++) {
		nl = strlen(names[k]);
		for (i = m->n; i-- > 0;)
			if (!m->f[i].used && m->f[i].name_len == nl &&
			    strncasecmp(m->f[i].p, names[k], nl) == 0)
				break;
		if (i == (size_t)-1)
			continue; /* not present (or no instance left): adds nothing */
		m->f[i].used = 1;
		header_relaxed(m->f[i].p, m->f[i].len, 1, s); /* checked by split */
	}
	if (s->e == LC_OK && header_relaxed(sig_field, sig_len, 0, s) != LC_OK) {
		e = s->e != LC_OK ? s->e : LC_EINVAL;
		snprintf(why, whylen, "the DKIM-Signature field cannot be canonicalised");
		goto out;
	}
	if (sink_end(s) != LC_OK || EVP_DigestFinal_ex(s->md, hash, &hn) != 1 || hn != 32) {
		snprintf(why, whylen, "hashing failed");
		goto out;
	}
	/* PureEdDSA (no digest of its own) over the 32-byte SHA-256: RFC 8463 3 */
	if ((key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, DKIM_ED_SEED_LEN)) ==
	        NULL ||
	    (ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, hash, sizeof(hash)) != 1 ||
	    siglen != DKIM_ED_SIG_LEN) {
		e = LC_EINVAL;
		snprintf(why, whylen, "OpenSSL refused the Ed25519 key or the signature");
		goto out;
	}
	e = LC_OK;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key); /* OpenSSL cleanses the key's bytes */
	if (s != NULL)
		EVP_MD_CTX_free(s->md);
	free(s);
	return e;
}

lc_err
dkim_ed25519_signature(const unsigned char seed[DKIM_ED_SEED_LEN], const char *msg, size_t len,
    const char *const *names, size_t nnames, const char *sig_field, size_t sig_len,
    unsigned char sig[DKIM_ED_SIG_LEN], char *why, size_t whylen)
{
	struct msg m;
	lc_err e;

	why[0] = '\0';
	if ((e = split(msg, len, &m, why, whylen)) == LC_OK)
		e = signature_of(seed, &m, names, nnames, sig_field, sig_len, sig, why, whylen);
	free(m.f);
	return e;
}

/* token_ok: a d= or s= value we write as it is: letters, digits, dots, hyphens,
 * underscores (nothing that could end the tag or the field). */
static int
token_ok(const char *t, size_t max)
{
	size_t i, n = strlen(t);

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)t[i]) && t[i] != '.' && t[i] != '-' && t[i] != '_')
			return 0;
	return 1;
}

/* listed says whether name[0..n) is one of list (case-insensitive); the index + 1, or 0. */
static int
listed(const char *const *list, const char *name, size_t n)
{
	int i;

	for (i = 0; list != NULL && list[i] != NULL; i++)
		if (strlen(list[i]) == n && strncasecmp(list[i], name, n) == 0)
			return i + 1;
	return 0;
}

/* fold_add writes t[0..n) after a space (sp) or straight on, first folding (CRLF SP) when
 * the line would pass DKIM_ED_LINE_MAX and something is on it already. */
static void
fold_add(struct fold *f, const char *t, size_t n, int sp)
{
	if (f->e != LC_OK)
		return;
	if (f->col + (size_t)sp + n > DKIM_ED_LINE_MAX && f->col > 1) {
		f->e = buf_append(f->b, "\r\n ", 3);
		f->col = 1;
	} else if (sp) {
		f->e = buf_append(f->b, " ", 1);
		f->col++;
	}
	if (f->e == LC_OK)
		f->e = buf_append(f->b, t, n);
	f->col += n;
}

/* fold_value writes a base64 value straight on, cut wherever a line is full (base64 in a
 * tag value may hold FWS anywhere: RFC 6376 3.5, b= and bh=). */
static void
fold_value(struct fold *f, const char *v, size_t n)
{
	size_t room, k;

	while (n > 0 && f->e == LC_OK) {
		room = f->col < DKIM_ED_LINE_MAX ? DKIM_ED_LINE_MAX - f->col : 0;
		if (room < 4) {
			f->e = buf_append(f->b, "\r\n ", 3);
			f->col = 1;
			continue;
		}
		k = room < n ? room : n;
		f->e = buf_append(f->b, v, k);
		f->col += k;
		v += k;
		n -= k;
	}
}

lc_err
dkim_ed25519_sign(const struct dkim_ed25519_signer *s, const char *msg, size_t len, struct buf *out,
    char *why, size_t whylen)
{
	unsigned char bh[32], sig[DKIM_ED_SIG_LEN];
	char b64[100], tag[320];
	const char **names = NULL;
	struct buf field;
	struct fold f;
	struct msg m;
	size_t n = 0, i, sig_len;
	int k;
	lc_err e;

	why[0] = '\0';
	buf_init(&field, FIELD_MAX);
	memset(&m, 0, sizeof(m));
	if (!token_ok(s->domain, 253) || !token_ok(s->selector, 63) || s->seed == NULL) {
		snprintf(why, whylen, "the domain or the selector is not a DNS name");
		e = LC_EINVAL;
		goto out;
	}
	if ((e = split(msg, len, &m, why, whylen)) != LC_OK)
		goto out;
	if ((e = body_hash(&m, bh)) != LC_OK) {
		snprintf(why, whylen, "%s",
		    e == LC_EINVAL ? "the body has a bare CR or LF" : "hashing the body failed");
		goto out;
	}
	/* h=: the signer's headers present, top to bottom, then each oversigned one again */
	for (k = 0; s->oversign_headers && s->oversign_headers[k]; k++)
		;
	if ((names = calloc(m.n + (size_t)k + 1, sizeof(*names))) == NULL) {
		e = LC_ENOMEM;
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	for (i = 0; i < m.n; i++)
		if ((k = listed(s->sign_headers, m.f[i].p, m.f[i].name_len)) > 0)
			names[n++] = s->sign_headers[k - 1];
	for (k = 0; s->oversign_headers && s->oversign_headers[k]; k++)
		names[n++] = s->oversign_headers[k];
	for (i = 0; i < m.n; i++)
		if (m.f[i].name_len == 4 && strncasecmp(m.f[i].p, "from", 4) == 0)
			break;
	if (i == m.n || n == 0) {
		/* RFC 6376 5.4: From must be signed */
		e = LC_EINVAL;
		snprintf(why, whylen, "the message has no From field to sign");
		goto out;
	}

	f.b = &field;
	f.e = buf_puts(&field, "DKIM-Signature:");
	f.col = strlen("DKIM-Signature:");
	fold_add(&f, "v=1;", 4, 1);
	fold_add(&f, "a=ed25519-sha256;", 17, 1);
	fold_add(&f, "c=relaxed/relaxed;", 18, 1);
	snprintf(tag, sizeof(tag), "d=%s;", s->domain);
	fold_add(&f, tag, strlen(tag), 1);
	snprintf(tag, sizeof(tag), "s=%s;", s->selector);
	fold_add(&f, tag, strlen(tag), 1);
	if (s->time_s > 0) {
		snprintf(tag, sizeof(tag), "t=%lld;", (long long)s->time_s);
		fold_add(&f, tag, strlen(tag), 1);
	}
	for (i = 0; i < n; i++) {
		/* folding only after a colon: FWS may follow it in h= (RFC 6376 3.5) */
		snprintf(tag, sizeof(tag), "%s%s%s", i == 0 ? "h=" : "", names[i],
		    i + 1 == n ? ";" : ":");
		fold_add(&f, tag, strlen(tag), i == 0);
	}
	EVP_EncodeBlock((unsigned char *)b64, bh, sizeof(bh));
	snprintf(tag, sizeof(tag), "bh=%s;", b64);
	fold_add(&f, tag, strlen(tag), 1);
	fold_add(&f, "b=", 2, 1);
	if ((e = f.e) != LC_OK) {
		snprintf(why, whylen, "the DKIM-Signature field is too large");
		goto out;
	}
	/* what is signed is this very text with b= empty, canonicalised like the others */
	sig_len = field.len;
	if ((e = signature_of(s->seed, &m, names, n, field.data, sig_len, sig, why, whylen)) !=
	    LC_OK)
		goto out;
	EVP_EncodeBlock((unsigned char *)b64, sig, sizeof(sig));
	fold_value(&f, b64, strlen(b64));
	if (f.e == LC_OK)
		f.e = buf_append(&field, "\r\n", 2);
	if ((e = f.e) == LC_OK)
		e = buf_append(out, field.data, field.len);
	if (e != LC_OK)
		snprintf(why, whylen, "the signed message is too large");
out:
	free(names);
	free(m.f);
	buf_free(&field);
	return e;
}

lc_err
dkim_ed25519_public(const unsigned char seed[DKIM_ED_SEED_LEN], char pub[DKIM_ED_PUB_B64_MAX])
{
	unsigned char raw[32];
	size_t n = sizeof(raw);
	EVP_PKEY *key;
	lc_err e = LC_ENOMEM;

	if ((key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, DKIM_ED_SEED_LEN)) ==
	    NULL)
		return LC_ENOMEM;
	if (EVP_PKEY_get_raw_public_key(key, raw, &n) == 1 && n == sizeof(raw)) {
		EVP_EncodeBlock((unsigned char *)pub, raw, sizeof(raw));
		e = LC_OK;
	}
	EVP_PKEY_free(key);
	return e;
}
