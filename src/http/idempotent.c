/* idempotent.c: a POST with Idempotency-Key runs once. The request's hash (method, path,
 * body) and its first answer are kept under the key (core/idempotency.c); a retry with the
 * same key and request hears that answer again, byte for byte. */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/sending.h" /* idempotency_begin, idempotency_finish */
#include "http/dispatch.h"
#include "util/log.h"

#define IDEM_ATTEMPTS                                                                              \
	3 /* runs of a request whose transaction a deadlock or a lost connection ended */

static int idempotency_key_sane(const char *);

/* idempotency_key_sane: 1 to 255 printable ASCII characters, no space. */
static int
idempotency_key_sane(const char *k)
{
	size_t n = 0;

	for (; *k; k++, n++)
		if (n >= 255 || (unsigned char)*k < 0x21 || (unsigned char)*k > 0x7e)
			return 0;
	return n > 0;
}

void
http_run_idempotent(struct http_ctx *ctx)
{
	struct http_request *req = ctx->req;
	crypto_hash_sha256_state st;
	unsigned char hash[32];
	enum idem_state state;
	char *body = NULL;
	size_t len = 0;
	int status = 0, attempt;
	lc_err e;

	if (!idempotency_key_sane(req->idempotency_key)) {
		http_bad_param(ctx, "Idempotency-Key",
		    "Idempotency-Key must be 1 to 255 printable ASCII characters.");
		return;
	}
	if (http_read_body_or_refuse(req, "invalid_json") != 0)
		return;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)req->method, strlen(req->method) + 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)req->path, req->path_len);
	crypto_hash_sha256_update(&st, (const unsigned char *)"", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)req->body.data, req->body.len);
	crypto_hash_sha256_final(&st, hash);
	for (attempt = 0;; attempt++) {
		if ((e = idempotency_begin(ctx->core, &ctx->who, req->idempotency_key, hash, &state,
		         &status, &body, &len)) != LC_OK) {
			http_fail(ctx, e, NULL);
			return;
		}
		switch (state) {
		case IDEM_REPLAY:
			http_send(req, status,
			    status >= 400 ? "application/problem+json" : "application/json",
			    "Idempotent-Replayed: true\r\n", body, len);
			free(body);
			return;
		case IDEM_IN_USE:
			http_problem(req, 409, "idempotency_key_in_use",
			    "A request with this Idempotency-Key is still being processed.",
			    "Idempotency-Key", NULL, NULL);
			return;
		case IDEM_REUSED:
			http_problem(req, 422, "idempotency_key_reused",
			    "This Idempotency-Key was used with a different request.",
			    "Idempotency-Key", NULL, NULL);
			return;
		case IDEM_NEW: break;
		}
		/* The handler runs inside the key's transaction (core/idempotency.c); its answer
		 * is held until that commits, so no client hears of an effect that rolled back. */
		req->capture = 1;
		req->hold = 1;
		ctx->match.route->handler(ctx);
		if (req->status == 0)
			http_fail(ctx, LC_EDB, NULL);
		e = idempotency_finish(ctx->core, &ctx->who, req->idempotency_key, req->status,
		    req->capture, req->captured.data ? req->captured.data : "", req->captured.len);
		if (e == LC_OK) {
			http_release(req);
			return;
		}
		http_discard(req);
		if ((e == LC_ERETRY || e == LC_EDBDOWN) && attempt < IDEM_ATTEMPTS - 1)
			continue; /* nothing committed: the whole request again */
		log_msg(LOG_ERROR, "an idempotent request did not commit: %s", lc_strerror(e));
		http_fail(ctx, e, NULL);
		return;
	}
}
