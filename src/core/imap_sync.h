/* imap_sync.h: the IMAP sync of one mailbox (docs/imap.md), run by linkcamp-worker's IMAP
 * threads (src/worker/imap.c): connect with the stored settings, read each watched folder
 * from its checkpoint, feed every new message to inbound_ingest (the path `linkcamp
 * inbound` takes), and leave the connection idling (RFC 2177) or due for the next poll.
 * The state it reaches is written on the mailbox for the API and the page. */
#ifndef LC_IMAP_SYNC_H
#define LC_IMAP_SYNC_H

#include <stdint.h>
#include "core/core.h"

#define IMAP_POLL_MS (60 * 1000) /* a server without IDLE is read this often */
#define IMAP_IDLE_REFRESH_MS                                                                       \
	(5 * 60 * 1000)             /* IDLE renewed (RFC 2177: < 29 min); other folders read */
#define IMAP_TIMEOUT_MS (30 * 1000) /* any one network wait */
#define IMAP_ROUND_MAX 500          /* messages per folder per round; more: another round at once */

struct imap_box;

/* What a round left: when to run again and whether a socket is to be watched meanwhile. */
enum imap_next {
	IMAP_NEXT_IDLE = 0, /* idling: watch imap_box_fd; run again when it speaks or at *due */
	IMAP_NEXT_AT,       /* run again at *due (poll, retry after a failure, more to read) */
	IMAP_NEXT_PAUSED,   /* the login was refused: nothing until the settings change */
	IMAP_NEXT_GONE      /* the mailbox or its IMAP was removed */
};

/* imap_box_new makes the sync of mailbox_id (nothing connected yet); NULL without memory. */
struct imap_box *imap_box_new(int64_t mailbox_id);
/* imap_box_free closes its connection and frees b (NULL: nothing). */
void imap_box_free(struct imap_box *b);
/* imap_box_run runs one round with core (the calling thread's) and says what is next;
 * *due is the time of the next round (UTC ms). Never fails: failures are recorded on the
 * mailbox (imapStatus error, lastError) and retried later, with a growing delay. */
enum imap_next imap_box_run(struct core *core, struct imap_box *b, int64_t *due);
/* imap_box_fd is the socket of an idling connection (-1 when none); imap_box_ready says
 * whether its answer already waits in a buffer. */
int imap_box_fd(struct imap_box *b);
int imap_box_ready(struct imap_box *b);
/* imap_box_version is the settings' version the box last ran with (0: never ran). */
int64_t imap_box_version(const struct imap_box *b);

#define IMAP_LEASE_MS (30 * 1000) /* a worker's hold on a mailbox, renewed at every list */
#define IMAP_LEASE_TAKE 100       /* mailboxes a worker takes on at one list */

/* imap_sync_list renews owner's leases, takes free ones, and reads (mailbox_id, version,
 * state) of the IMAP mailboxes owner holds (the caller frees rows; columns IMV_COL_* of
 * db/store_imap.h). One worker syncs a mailbox however many run; a killed worker's
 * mailboxes go to another when its lease ends. */
lc_err imap_sync_list(struct core *core, const char *owner, struct db_rows *rows);
/* imap_sync_release gives owner's mailboxes back at a clean stop. */
lc_err imap_sync_release(struct core *core, const char *owner);

#endif
