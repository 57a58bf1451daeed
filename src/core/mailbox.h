/* mailbox.h: sender mailboxes (SPEC §6a, docs/mailboxes.md). A workspace's own SMTP
 * submission accounts: their settings and encrypted passwords (mailbox_key.c), the API's
 * rules (mailboxes.c), which mailbox each message leaves from and the pause that follows
 * an AUTH failure (mailbox_route.c), and the connection test a worker runs
 * (mailbox_test.c). No SMTP and no JSON here. */
#ifndef LC_MAILBOX_H
#define LC_MAILBOX_H

#include <stddef.h>
#include <stdint.h>
#include "core/core.h"
#include "core/sending.h"
#include "util/config.h"

#define MAILBOX_PASSWORD_MAX 256 /* bytes of a mailbox password */
#define MAILBOX_BOX_MAX 600      /* bytes of a sealed password (nonce + MAC + text) */
#define MAILBOX_DAILY_CAP_DEFAULT 50
#define MAILBOX_DAILY_CAP_MAX 100000
#define MAILBOXES_MAX_PER_WORKSPACE 100
#define MAILBOX_TEXT_MAX 300 /* a pause reason */

enum mailbox_security { MBX_TLS = 0, MBX_STARTTLS, MBX_PLAIN, MBX_NSECURITY };
enum mailbox_status { MBX_ACTIVE = 0, MBX_PAUSED, MBX_DELETED };

/* mailbox_security_name is "tls", "starttls" or "plain" (static); NULL when out of range. */
const char *mailbox_security_name(unsigned s);
/* mailbox_security_from_name is the security named s, -1 when none. */
int mailbox_security_from_name(const char *s);
/* mailbox_host_valid: 1 when s is a host name of LDH labels or an IPv4 literal. */
int mailbox_host_valid(const char *s);

struct imap_in;

/* ---- mailbox_key.c: process-wide settings, loaded once before threads start ---- */

/* mailbox_settings_load reads [mailboxes] of cfg: the key file (32 raw bytes or 64 hex
 * digits; refused when group or others may read it), the CA file and allow_plain. An
 * empty key_file leaves mailboxes unconfigured (creating one is then refused). On error a
 * one-line reason (never the key) is written to why and LC_EINVAL or LC_EIO returned. */
lc_err mailbox_settings_load(const struct config *cfg, char *why, size_t whylen);
/* mailbox_settings_free wipes the key; call after the threads ended. */
void mailbox_settings_free(void);
/* mailbox_configured says whether a key was loaded. */
int mailbox_configured(void);
/* mailbox_allow_plain says whether [mailboxes] allow_plain is yes. */
int mailbox_allow_plain(void);
/* mailbox_domain_per_hour is [mailboxes] domain_per_hour (0: no limit). */
unsigned mailbox_domain_per_hour(void);
/* mailbox_ca_file is [mailboxes] ca_file, or NULL when empty (static). */
const char *mailbox_ca_file(void);
/* mailbox_seal encrypts password[0..len) with crypto_secretbox under the key into box
 * (nonce then ciphertext; MAILBOX_BOX_MAX bytes), *box_len its length. LC_EINVAL when no
 * key is loaded or len > MAILBOX_PASSWORD_MAX. */
lc_err mailbox_seal(const char *password, size_t len, unsigned char *box, size_t *box_len);
/* mailbox_open decrypts box into password (MAILBOX_PASSWORD_MAX + 1 bytes, NUL-ended).
 * The caller wipes it with sodium_memzero after use. LC_EINVAL when no key is loaded or
 * the box does not open (another key, or damaged). */
lc_err mailbox_open(const unsigned char *box, size_t box_len, char *password);

/* secret_seal encrypts plain[0..len) with crypto_secretbox under the [mailboxes] key into
 * box (box_max bytes: nonce, then ciphertext and tag), *box_len its length. The one
 * sealing of secrets at rest: mailbox passwords and DKIM private keys (docs/dkim.md).
 * LC_EINVAL when no key is loaded or the box would not fit. */
lc_err secret_seal(
    const void *plain, size_t len, unsigned char *box, size_t box_max, size_t *box_len);
/* secret_open decrypts box into plain (plain_max bytes), *len its length; the caller wipes
 * plain with sodium_memzero after use. LC_EINVAL when no key is loaded, the text would not
 * fit, or the box does not open (another key, or damaged). */
lc_err secret_open(
    const unsigned char *box, size_t box_len, unsigned char *plain, size_t plain_max, size_t *len);

/* ---- mailboxes.c: the API's rules ---- */

/* Input of create and update. Strings are borrowed; NULL means "not given" (update keeps
 * the stored value; create requires fromAddress, host, username and password). */
struct mailbox_in {
	const char *from_name, *from_address, *reply_to, *host, *username, *password;
	int reply_to_given; /* update: reply_to given (NULL clears it) */
	int plus_reply_to;  /* -1: not given; 1: Reply-To carries the reply token (issue 16) */
	long port;          /* -1: not given */
	int security;       /* -1: not given */
	long daily_cap;     /* -1: not given */
	/* pacing (docs/mailboxes.md, "Pacing"); -1 / NULL: not given */
	long days;               /* PACING_ALL_DAYS bits */
	long start_min, end_min; /* the window, minutes of the local day */
	const char *time_zone;   /* IANA name */
	long warmup_start;       /* 0: no ramp */
	long warmup_step;
	long gap_s, jitter_s;
	const struct imap_in *imap; /* NULL: not given (mailbox_imap.h) */
};

/* mailbox_in_init empties in: nothing given. */
void mailbox_in_init(struct mailbox_in *in);

/* One mailbox as the API shows it (never its password); strings borrow from the rows it
 * was read with. */
struct mailbox_view {
	int64_t id;
	const char *public_id, *from_name, *from_address, *reply_to, *host, *username;
	const char *paused_reason;
	unsigned port, security, status, daily_cap;
	int64_t sent_today, created_ms, updated_ms, paused_ms; /* paused_ms -1: not paused */
	int password_set;
	/* pacing */
	unsigned days, start_min, end_min, warmup_start, warmup_step, gap_s, jitter_s;
	const char *time_zone;
	unsigned cap_today;   /* the daily cap, or today's step of the warm-up ramp */
	int64_t next_send_ms; /* the gap ends then; -1: no gap pending */
	int plus_reply_to;
};

/* mailboxes_create validates in and stores a mailbox of the principal's workspace with
 * its password sealed. v (one struct mailbox_view; page_free in any case) is the new
 * mailbox as stored. LC_EINVAL with fail (validation_failed + param, mailbox_limit_reached) for bad
 * input; LC_ECONFLICT with fail->code mailboxes_not_configured when no key is loaded. */
lc_err mailboxes_create(struct core *core, const struct principal *who, const struct mailbox_in *in,
    struct page *v, struct core_fail *fail);
/* mailboxes_update changes the fields given in in; a new password is sealed again. Same
 * errors as create, plus LC_ENOTFOUND. */
lc_err mailboxes_update(struct core *core, const struct principal *who, const char *public_id,
    const struct mailbox_in *in, struct page *v, struct core_fail *fail);
/* mailboxes_list reads the workspace's mailboxes, newest first, all of them (one page
 * without a next; items: struct mailbox_view); the caller page_frees out in every case. */
lc_err mailboxes_list(struct core *core, const struct principal *who, struct page *out);
/* mailboxes_get reads one mailbox of the workspace into v (one struct mailbox_view;
 * page_free in any case). LC_ENOTFOUND for another workspace's or a deleted one. */
lc_err mailboxes_get(
    struct core *core, const struct principal *who, const char *public_id, struct page *v);
/* mailboxes_delete deletes a mailbox: campaigns no longer name it; its threads move to
 * another mailbox of their campaign (or the relay) at their next message. LC_ENOTFOUND. */
lc_err mailboxes_delete(struct core *core, const struct principal *who, const char *public_id);
/* mailboxes_pause pauses an active mailbox by hand (mailbox_pause.c): reason "paused by
 * <by>[: reason]" (by: who did it, borrowed; reason may be NULL, at most 200 characters),
 * its due messages held, link_building.mailbox.paused emitted. LC_ENOTFOUND; LC_EINVAL
 * (fail: validation_failed, reason); LC_ECONFLICT with fail->code already_paused. */
lc_err mailboxes_pause(struct core *core, const struct principal *who, const char *public_id,
    const char *by, const char *reason, struct core_fail *fail);
/* mailboxes_resume makes a paused mailbox active again and puts its held messages back
 * in the queue. LC_ENOTFOUND; LC_ECONFLICT with fail->code already_active. */
lc_err mailboxes_resume(
    struct core *core, const struct principal *who, const char *public_id, struct core_fail *fail);

/* mailboxes_resolve_tx maps n public mailbox ids to internal ids of workspace_id's
 * mailboxes (inside the caller's transaction). LC_EINVAL with fail (validation_failed,
 * param "mailboxIds[i]") for an id that is not one of them or repeated. */
lc_err mailboxes_resolve_tx(struct db *db, int64_t workspace_id, const char *const *ids, size_t n,
    int64_t *out, struct core_fail *fail);
/* campaign_mailboxes_set_tx makes campaign_id send from the n mailboxes named (public ids,
 * this workspace's) inside the caller's transaction; n = 0: the relay again. */
lc_err campaign_mailboxes_set_tx(struct db *db, int64_t workspace_id, int64_t campaign_id,
    const char *const *ids, size_t n, struct core_fail *fail);
/* campaign_mailboxes_set does campaign_mailboxes_set_tx for a campaign of the principal's
 * workspace in its own transaction. LC_ENOTFOUND (campaign); LC_EINVAL with fail. */
lc_err campaign_mailboxes_set(struct core *core, const struct principal *who,
    const char *campaign_public_id, const char *const *ids, size_t n, struct core_fail *fail);
/* campaign_mailboxes_get reads the public ids of campaign_id's mailboxes into ids (items:
 * const char *; page_free in any case). */
lc_err campaign_mailboxes_get(struct core *core, int64_t campaign_id, struct page *ids);

/* ---- mailbox_route.c: the worker's side ---- */

/* What a claimed message is sent with. */
enum mailbox_route_kind { ROUTE_RELAY = 0, ROUTE_MAILBOX, ROUTE_HELD };
struct mailbox_route {
	enum mailbox_route_kind kind;
	int64_t mailbox_id;
	char mailbox_public[ID_MAX];
	char held_reason[MAILBOX_TEXT_MAX + 40];
};

/* mailbox_route_tx decides, inside the claim's transaction, which mailbox message m (locked)
 * leaves from: the one it already has (a retry), else its thread's, else — when its
 * campaign names mailboxes — the one with the most capacity left today (ties: the fewest
 * threads so far), which the thread then keeps. A workspace without mailboxes: the relay.
 * A paused mailbox: ROUTE_HELD (the caller holds the message). */
lc_err mailbox_route_tx(
    struct db *db, const struct out_message *m, int64_t now_ms, struct mailbox_route *out);

/* pacing_claim_tx applies the mailbox's pacing (core/pacing.c) to message m inside the
 * claim's transaction, locking the mailbox's row: PACE_OK takes the slot (the day's
 * count, the gap with its jitter, the recipient domain's hourly count move now);
 * otherwise out has the reason and the first instant the message could go (-1: none,
 * e.g. a window without days). A mailbox whose time zone cannot be read: PACE_MAILBOX_ERROR. */
struct pacing_verdict {
	unsigned reason;      /* enum pacing_reason */
	int64_t next_slot_ms; /* -1: none */
};
lc_err pacing_claim_tx(struct db *db, const struct out_message *m, int64_t mailbox_id,
    int64_t now_ms, struct pacing_verdict *out);

/* What the worker needs to send through a mailbox; owned strings (free with
 * mailbox_send_clear). The password stays sealed until mailbox_open right before use. */
struct mailbox_send {
	int64_t id;
	char public_id[ID_MAX];
	char *from_name, *from_address, *reply_to, *host, *username;
	unsigned char *box;
	size_t box_len;
	unsigned port, security;
	int plus_reply_to; /* reply to local+<reply token>@domain (core/reply_token.h) */
};
/* mailbox_send_load reads mailbox id into out. LC_ENOTFOUND when it is gone. */
lc_err mailbox_send_load(struct core *core, int64_t id, struct mailbox_send *out);
void mailbox_send_clear(struct mailbox_send *s);

/* mailbox_auth_failed_tx pauses mailbox_id with the server's words (inside the caller's
 * transaction) and, when it was active, emits link_building.mailbox.paused. */
lc_err mailbox_auth_failed_tx(
    struct db *db, int64_t mailbox_id, const char *reason, int64_t now_ms);

/* ---- mailbox_test.c ---- */

/* mailbox_test_queue asks a worker to test the connection of a mailbox; test_id receives
 * the test's id. LC_ENOTFOUND. */
lc_err mailbox_test_queue(
    struct core *core, const struct principal *who, const char *public_id, char test_id[ID_MAX]);
/* mailbox_test_result reads a test of the workspace: *done 0 while it waits or runs; then
 * *ok and *result (the steps as JSON text, malloc'd; the caller frees). LC_ENOTFOUND. */
lc_err mailbox_test_result(struct core *core, const struct principal *who, const char *test_id,
    int *done, int *ok, char **result);
/* mailbox_test_claim takes the oldest waiting test for a worker: *test_row_id its row (0 when
 * none) and *mailbox_id its mailbox. */
lc_err mailbox_test_claim(struct core *core, int64_t *test_row_id, int64_t *mailbox_id);
/* mailbox_test_finish stores a test's outcome (result: JSON text, borrowed). */
lc_err mailbox_test_finish(struct core *core, int64_t test_row_id, int ok, const char *result);

#endif
