/* worker_dkim.c: find the message's signing key (core/domains.c: one point read per
 * candidate domain), open it, sign with libopendkim (mail/dkim_sign.c), wipe it. */
#include <stdio.h>
#include <string.h>

#include "core/domain.h"
#include "mail/dkim_sign.h"
#include "worker/dkim.h"

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
	domain_signing_clear(&s);
	if (e != LC_OK) {
		buf_free(&signed_text);
		return e;
	}
	buf_free(text);
	*text = signed_text; /* the buffer moves: text owns the signed copy */
	return LC_OK;
}
