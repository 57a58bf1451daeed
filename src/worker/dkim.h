/* worker/dkim.h: the worker's DKIM step between composing a message and handing it to
 * libesmtp (docs/dkim.md). */
#ifndef LC_WORKER_DKIM_H
#define LC_WORKER_DKIM_H

#include <stddef.h>
#include <stdint.h>
#include "core/core.h"
#include "util/buf.h"

/* worker_dkim_sign signs text (the composed message message_id, From from_address) when a
 * sending domain of its workspace covers the From domain; text then holds the signed
 * message: the rsa-sha256 DKIM-Signature field, the ed25519-sha256 one when the domain has
 * an Ed25519 key (its failure alone is logged and leaves it out), then the message. LC_OK when
 * signed or when no domain covers it (text unchanged). Otherwise text is unchanged, why says why in
 * words (never a key) and the message must not leave unsigned: LC_EINVAL (the keys do not open, or
 * libopendkim refused), LC_ENOMEM, or a database error. */
lc_err worker_dkim_sign(struct core *core, int64_t message_id, const char *from_address,
    struct buf *text, char *why, size_t whylen);

#endif
