/* worker_imap.c: linkcamp-worker's IMAP sync (docs/imap.md). One watcher thread holds
 * every mailbox's schedule and polls the sockets of all idling connections at once; a
 * small pool of fetchers runs the rounds (src/core/imap_sync.c). A thousand mailboxes are
 * a thousand sockets in one poll(2), not a thousand threads. The watcher re-reads the
 * list of IMAP mailboxes every few seconds: new ones start, changed settings (a new
 * version) run at once, deleted ones end. */
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
#include "worker_hooks.h"

#define FETCHERS 3
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
	pthread_cond_t work;
	struct slot *slots;
	size_t n, cap;
	int stop;
	int wake[2]; /* a fetcher that finished wakes the watcher's poll */
	char owner[64]; /* this worker's name on its leases: host:pid */
};

static void *fetcher(void *);
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

static void *
fetcher(void *arg)
{
	struct sync *s = arg;
	const struct config *cfg = worker_cfg(s->w);
	struct core core;
	struct imap_box *box;
	enum imap_next next;
	int64_t due, id;
	struct slot *sl;
	size_t i;
	char c = 1;

	db_thread_init();
	memset(&core, 0, sizeof(core));
	if ((core.db = db_new(cfg)) == NULL) {
		log_msg(LOG_ERROR, "imap fetcher has no database handle");
		db_thread_end();
		return NULL;
	}
	core.webhook_allow_http = cfg->webhook_allow_http;
	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		sl = NULL;
		for (i = 0; i < s->n; i++)
			if (s->slots[i].phase == QUEUED) {
				sl = &s->slots[i];
				break;
			}
		if (sl == NULL) {
			pthread_cond_wait(&s->work, &s->lock);
			continue;
		}
		sl->phase = RUNNING;
		box = sl->box;
		id = sl->mailbox_id;
		pthread_mutex_unlock(&s->lock);
		next = imap_box_run(&core, box, &due);
		pthread_mutex_lock(&s->lock);
		if ((sl = find(s, id)) != NULL) { /* the array may have moved meanwhile */
			sl->phase = WAITING;
			sl->next = next;
			sl->due = due;
			if (next == IMAP_NEXT_GONE)
				sl->gone = 1;
		}
		if (write(s->wake[1], &c, 1) < 0 && errno != EAGAIN)
			log_msg(LOG_WARN, "imap: waking the watcher failed");
	}
	pthread_mutex_unlock(&s->lock);
	db_free(core.db);
	db_thread_end();
	return NULL;
}

void *
imap_syncer(void *arg)
{
	struct sync s;
	const struct config *cfg;
	struct core core;
	struct pollfd *fds = NULL;
	size_t *idx = NULL, nfds, cap = 0, i;
	pthread_t threads[FETCHERS];
	unsigned started = 0;
	int64_t next_reload = 0, now, wait;
	char drain[64];
	int fd;

	memset(&s, 0, sizeof(s));
	s.w = arg;
	if (gethostname(s.owner, 40) != 0)
		snprintf(s.owner, 40, "worker");
	s.owner[40] = '\0';
	snprintf(s.owner + strlen(s.owner), sizeof(s.owner) - strlen(s.owner), ":%ld",
	    (long)getpid());
	cfg = worker_cfg(s.w);
	if (pipe2(s.wake, O_CLOEXEC | O_NONBLOCK) != 0)
		return NULL;
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.work, NULL);
	db_thread_init();
	memset(&core, 0, sizeof(core));
	if ((core.db = db_new(cfg)) == NULL) {
		log_msg(LOG_ERROR, "imap watcher has no database handle: no IMAP sync");
		goto out;
	}
	for (i = 0; i < FETCHERS; i++)
		if (pthread_create(&threads[started], NULL, fetcher, &s) == 0)
			started++;
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
				pthread_cond_signal(&s.work);
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
	pthread_mutex_lock(&s.lock);
	s.stop = 1;
	pthread_cond_broadcast(&s.work);
	pthread_mutex_unlock(&s.lock);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	for (i = 0; i < s.n; i++)
		imap_box_free(s.slots[i].box);
	if (core.db && imap_sync_release(&core, s.owner) != LC_OK)
		log_msg(LOG_WARN, "imap: giving the leases back failed; they end in 30 s");
	free(s.slots);
	free(fds);
	free(idx);
	if (core.db)
		db_free(core.db);
	db_thread_end();
	close(s.wake[0]);
	close(s.wake[1]);
	pthread_cond_destroy(&s.work);
	pthread_mutex_destroy(&s.lock);
	return NULL;
}
