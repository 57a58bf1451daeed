/* worker_dkim.c: find the message's signing keys (core/domains.c: one point read per
 * candidate domain), open them, sign with libopendkim (rsa-sha256, mail/dkim_sign.c) and with
 * our own signer (ed25519-sha256, mail/dkim_ed25519.c) when the domain has an Ed25519 key,
 * wipe them. The RSA signature is required; the Ed25519 one is a second signature, whose
 * failure alone is logged and leaves it out (docs/dkim.md). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/domain.h"
#include "mail/dkim_ed25519.h"
#include "mail/dkim_headers.h"
#include "mail/dkim_sign.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "worker/dkim.h"

static void ed25519_add(const struct domain_signing *, int64_t, const struct buf *, struct buf *);

/* ed25519_add puts the Ed25519 signature of text under the RSA one at the top of
 * signed_text (the RSA field, then text): RSA first, so that a verifier that checks only the
 * first signature checks the one every receiver understands. On failure signed_text stays
 * as it is and the reason is logged, once, without the key. */
static void
ed25519_add(const struct domain_signing *s, int64_t message_id, const struct buf *text,
    struct buf *signed_text)
{
	struct dkim_ed25519_signer ed = {s->domain, s->ed_selector, s->ed_seed, dkim_sign_headers,
	    dkim_oversign_headers, now_ms() / 1000};
	struct buf out;
	size_t rsa_len = signed_text->len - text->len;
	char why[200] = "";
	lc_err e;

	if (s->ed_seed == NULL) {
		if (s->ed_unopened)
			log_msg(LOG_WARN,
			    "DKIM: message %" PRId64 " leaves with its rsa-sha256 signature only: "
			    "the Ed25519 key of %s does not open with this server's key_file",
			    message_id, s->domain);
		return;
	}
	buf_init(&out, signed_text->max);
	e = buf_append(&out, signed_text->data, rsa_len);
	if (e == LC_OK)
		e = dkim_ed25519_sign(&ed, text->data, text->len, &out, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "the signed message is too large");
	if (e == LC_OK && (e = buf_append(&out, text->data, text->len)) != LC_OK)
		snprintf(why, sizeof(why), "the signed message is too large");
	if (e != LC_OK) {
		log_msg(LOG_WARN,
		    "DKIM: message %" PRId64 " leaves with its rsa-sha256 signature only: "
		    "ed25519-sha256 failed: %s",
		    message_id, why);
		buf_free(&out);
		return;
	}
	buf_free(signed_text);
	*signed_text = out;
}

lc_err
worker_dkim_sign(struct core *core, int64_t message_id, const char *from_address, struct buf *text,
    char *why, size_t whylen)
{
	struct domain_signing s;
	struct dkim_signer signer;
	struct buf signed_text;
	lc_err e;

	why[0] = '\0';
	e = domain_signing_load(core, message_id, from_address, &s);
	if (e == LC_ENOTFOUND)
		return LC_OK;
	if (e != LC_OK) {
		snprintf(why, whylen, "DKIM: %s",
		    e == LC_EINVAL ? "the sending domain's key cannot be opened with this server's "
		                     "[mailboxes] key_file; not sent unsigned"
		                   : lc_strerror(e));
		return e;
	}
	memset(&signer, 0, sizeof(signer));
	signer.domain = s.domain;
	signer.selector = s.selector;
	signer.rsa_pem = s.rsa_pem;
	buf_init(&signed_text, text->max);
	e = dkim_sign_message(&signer, text->data, text->len, &signed_text, why, whylen);
	if (e == LC_OK)
		ed25519_add(&s, message_id, text, &signed_text);
	domain_signing_clear(&s);
	if (e != LC_OK) {
		buf_free(&signed_text);
		return e;
	}
	buf_free(text);
	*text = signed_text; /* the buffer moves: text owns the signed copy */
	return LC_OK;
}
