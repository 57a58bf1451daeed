/* worker/imap.c: linkcamp-worker's IMAP sync (docs/imap.md). One watcher thread holds
 * every mailbox's schedule and polls the sockets of all idling connections at once; a
 * small pool of fetchers runs the rounds (src/core/imap_sync.c): a lease_queue on the one
 * loop (worker/lease_loop.c) whose claim takes a mailbox the watcher queued. A thousand mailboxes
 * are a thousand sockets in one poll(2), not a thousand threads. The watcher re-reads the list of
 * IMAP mailboxes every few seconds: new ones start, changed settings (a new version) run at once,
 * deleted ones end. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/imap_sync.h"
#include "imap/imap_net.h"
#include "db/store_imap.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "worker/lease_loop.h"
#include "worker/worker.h"

#define FETCHERS 3
#define FETCHER_IDLE_MS 1000 /* the watcher wakes them; this is only a bound */
#define RELOAD_MS 2000

enum phase { WAITING = 0, QUEUED, RUNNING };

struct slot {
	struct imap_box *box;
	int64_t mailbox_id, version; /* version: the latest the list showed */
	int64_t due;
	enum phase phase;
	enum imap_next next;
	int gone; /* no longer listed: freed when not running */
	int seen;
};

struct sync {
	struct worker *w;
	pthread_mutex_t lock;
	struct lease_loop *fetchers;
	struct slot *slots;
	size_t n, cap;
	int wake[2];    /* a fetcher that finished wakes the watcher's poll */
	char owner[64]; /* this worker's name on its leases: host:pid */
};

/* One round a fetcher claimed: the box stays in its slot, RUNNING, until the round ends. */
struct fetch_job {
	struct imap_box *box;
	int64_t mailbox_id;
};

static lc_err fetch_claim(struct lease_ctx *, unsigned, void **, size_t *);
static void fetch_run(struct lease_ctx *, void *);
static void fetch_clear(void *);

static const struct lease_queue fetch_queue = {
    .name = "imap fetcher",
    .threads = FETCHERS,
    .batch = 1,
    .idle_ms = FETCHER_IDLE_MS,
    .claim = fetch_claim,
    .job_size = sizeof(struct fetch_job),
    .run = fetch_run,
    .clear = fetch_clear,
};
static int reload(struct sync *, struct core *);
static struct slot *find(struct sync *, int64_t);

static struct slot *
find(struct sync *s, int64_t id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->slots[i].mailbox_id == id)
			return &s->slots[i];
	return NULL;
}

/* reload matches the slots to the stored list; -1 on a database error. */
static int
reload(struct sync *s, struct core *core)
{
	struct db_rows r;
	struct slot *sl;
	size_t i, j;
	int64_t id, version;

	if (imap_sync_list(core, s->owner, &r) != LC_OK)
		return -1;
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->n; i++)
		s->slots[i].seen = 0;
	for (i = 0; i < r.nrows; i++) {
		id = db_i64(&r, i, IMV_COL_MAILBOX);
		version = db_i64(&r, i, IMV_COL_VERSION);
		if ((sl = find(s, id)) == NULL) {
			if (s->n == s->cap) {
				size_t cap = s->cap ? s->cap * 2 : 16;
				struct slot *ns = realloc(s->slots, cap * sizeof(*ns));
				if (ns == NULL)
					break;
				s->slots = ns;
				s->cap = cap;
			}
			sl = &s->slots[s->n];
			memset(sl, 0, sizeof(*sl));
			if ((sl->box = imap_box_new(id)) == NULL)
				break;
			s->n++;
			sl->mailbox_id = id;
			sl->due = now_ms();
			sl->next = IMAP_NEXT_AT;
		}
		sl->seen = 1;
		sl->version = version;
		if (sl->phase == WAITING && imap_box_version(sl->box) != 0 &&
		    imap_box_version(sl->box) != version) {
			sl->due = now_ms(); /* new settings: at once, a paused sync included */
			sl->next = IMAP_NEXT_AT;
		}
	}
	for (i = 0; i < s->n; i++)
		if (!s->slots[i].seen)
			s->slots[i].gone = 1;
	/* free the gone ones that no fetcher holds */
	for (i = 0, j = 0; i < s->n; i++) {
		if (s->slots[i].gone && s->slots[i].phase == WAITING) {
			imap_box_free(s->slots[i].box);
			continue;
		}
		s->slots[j++] = s->slots[i];
	}
	s->n = j;
	pthread_mutex_unlock(&s->lock);
	db_rows_free(&r);
	return 0;
}

/* fetch_claim takes a mailbox the watcher queued (the first), marking it RUNNING. */
static lc_err
fetch_claim(struct lease_ctx *c, unsigned max, void **jobs, size_t *n)
{
	struct sync *s = c->arg;
	struct fetch_job *j;
	size_t i;

	(void)max;
	*jobs = NULL;
	*n = 0;
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->n; i++)
		if (s->slots[i].phase == QUEUED)
			break;
	if (i == s->n) {
		pthread_mutex_unlock(&s->lock);
		return LC_OK;
	}
	if ((j = malloc(sizeof(*j))) == NULL) {
		pthread_mutex_unlock(&s->lock);
		return LC_ENOMEM; /* it stays queued for the next claim */
	}
	s->slots[i].phase = RUNNING;
	j->box = s->slots[i].box;
	j->mailbox_id = s->slots[i].mailbox_id;
	pthread_mutex_unlock(&s->lock);
	*jobs = j;
	*n = 1;
	return LC_OK;
}

/* fetch_run runs one round and hands the mailbox back to the watcher. */
static void
fetch_run(struct lease_ctx *c, void *arg)
{
	struct sync *s = c->arg;
	struct fetch_job *j = arg;
	enum imap_next next;
	int64_t due;
	struct slot *sl;
	char b = 1;

	next = imap_box_run(c->core, j->box, &due);
	pthread_mutex_lock(&s->lock);
	if ((sl = find(s, j->mailbox_id)) != NULL) { /* the array may have moved meanwhile */
		sl->phase = WAITING;
		sl->next = next;
		sl->due = due;
		if (next == IMAP_NEXT_GONE)
			sl->gone = 1;
	}
	if (write(s->wake[1], &b, 1) < 0 && errno != EAGAIN)
		log_msg(LOG_WARN, "imap: waking the watcher failed");
	pthread_mutex_unlock(&s->lock);
}

static void
fetch_clear(void *job)
{
	(void)job; /* the box is the slot's */
}

void *
imap_syncer(void *arg)
{
	struct sync s;
	struct core core;
	struct pollfd *fds = NULL;
	size_t *idx = NULL, nfds, cap = 0, i;
	int64_t next_reload = 0, now, wait;
	char drain[64];
	int fd, queued = 0;

	memset(&s, 0, sizeof(s));
	s.w = arg;
	if (gethostname(s.owner, 40) != 0)
		snprintf(s.owner, 40, "worker");
	s.owner[40] = '\0';
	snprintf(
	    s.owner + strlen(s.owner), sizeof(s.owner) - strlen(s.owner), ":%ld", (long)getpid());
	if (pipe2(s.wake, O_CLOEXEC | O_NONBLOCK) != 0)
		return NULL;
	pthread_mutex_init(&s.lock, NULL);
	if (worker_core_open(s.w, &core) != LC_OK) {
		log_msg(LOG_ERROR, "imap watcher has no database handle: no IMAP sync");
		goto out;
	}
	s.fetchers = lease_loop_start(s.w, &fetch_queue, &s);
	while (!worker_stopping(s.w)) {
		now = now_ms();
		if (now >= next_reload) {
			if (reload(&s, &core) != 0)
				log_msg(LOG_WARN, "imap: reading the IMAP mailboxes failed");
			next_reload = now + RELOAD_MS;
		}
		pthread_mutex_lock(&s.lock);
		if (cap < s.n + 1) {
			struct pollfd *nf = realloc(fds, (s.n + 1) * sizeof(*nf));
			size_t *ni = nf ? realloc(idx, (s.n + 1) * sizeof(*ni)) : NULL;
			if (nf)
				fds = nf;
			if (ni) {
				idx = ni;
				cap = s.n + 1;
			}
		}
		fds[0].fd = s.wake[0];
		fds[0].events = POLLIN;
		nfds = 1;
		wait = next_reload - now;
		for (i = 0; i < s.n && nfds < cap; i++) {
			struct slot *sl = &s.slots[i];
			if (sl->phase != WAITING || sl->gone || sl->next == IMAP_NEXT_PAUSED)
				continue;
			if (sl->next == IMAP_NEXT_IDLE && imap_box_ready(sl->box))
				sl->due = now;
			if (sl->due <= now) {
				sl->phase = QUEUED;
				queued = 1;
				continue;
			}
			if (sl->due - now < wait)
				wait = sl->due - now;
			if (sl->next == IMAP_NEXT_IDLE && (fd = imap_box_fd(sl->box)) >= 0) {
				fds[nfds].fd = fd;
				fds[nfds].events = POLLIN;
				idx[nfds++] = i;
			}
		}
		pthread_mutex_unlock(&s.lock);
		if (queued && s.fetchers)
			lease_loop_wake(s.fetchers);
		queued = 0;
		if (wait > 1000)
			wait = 1000; /* the stop flag is looked at every second */
		if (wait < 0)
			wait = 0;
		if (poll(fds, nfds, (int)wait) <= 0)
			continue;
		while (read(s.wake[0], drain, sizeof(drain)) > 0)
			;
		pthread_mutex_lock(&s.lock);
		for (i = 1; i < nfds; i++) {
			/* the slots may not have moved: only reload moves them, in this thread */
			if (fds[i].revents && idx[i] < s.n && s.slots[idx[i]].phase == WAITING)
				s.slots[idx[i]].due = 0;
		}
		pthread_mutex_unlock(&s.lock);
	}
out:
	imap_net_stop(); /* a fetcher waiting on a slow server comes back now */
	lease_loop_stop(s.fetchers);
	for (i = 0; i < s.n; i++)
		imap_box_free(s.slots[i].box);
	if (core.db && imap_sync_release(&core, s.owner) != LC_OK)
		log_msg(LOG_WARN, "imap: giving the leases back failed; they end in 30 s");
	free(s.slots);
	free(fds);
	free(idx);
	worker_core_close(&core);
	close(s.wake[0]);
	close(s.wake[1]);
	pthread_mutex_destroy(&s.lock);
	return NULL;
}
