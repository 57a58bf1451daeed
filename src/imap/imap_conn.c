/* imap_conn.c: an IMAP connection of the sync on libetpan (imap_conn.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libetpan/libetpan.h>

#include "imap/imap_conn.h"
#include "imap/imap_net.h"
#include "imap/mutf7.h"
#include "util/timefmt.h"

/* Budgets of what one command may read (imap_tls_budget): generous for the small ones, and
 * a fetch gets its announced size plus room for the FETCH line around it. */
#define BUDGET_SMALL (1024 * 1024)
#define BUDGET_LIST_PER_UID 256
#define BUDGET_FETCH_SLACK (64 * 1024)
/* Deadlines of a whole command, beside the 30 s of each wait: a server that trickles a
 * byte now and then cannot keep a fetcher forever. A fetch may take a minute plus one
 * second per 32 KiB announced (10 MiB: 6 minutes). */
#define DEADLINE_MS (60 * 1000)
#define DEADLINE_BYTES_PER_S (32 * 1024)

struct imap_conn {
	mailimap *imap;
	int idling;
	int idle_offered;
	long timeout_ms;
};

static void budget(struct imap_conn *, size_t, int64_t);
static void fail_why(struct imap_conn *, const char *, int, char *, size_t);

void
imap_clean_text(const char *s, char *out, size_t outlen)
{
	size_t i = 0;

	if (outlen == 0)
		return;
	for (; s && *s && i + 1 < outlen; s++)
		out[i++] = (*s >= 0x20 && *s < 0x7f) ? *s : ' ';
	out[i] = '\0';
}

/* budget limits what the next command may read (bytes) and how long it may take (ms). */
static void
budget(struct imap_conn *c, size_t bytes, int64_t ms)
{
	mailstream_low *low;

	if (c->imap->imap_stream && (low = mailstream_get_low(c->imap->imap_stream)) != NULL)
		imap_tls_budget(low, bytes, now_ms() + ms);
}

/* fail_why: what failed, with the server's words when it answered. */
static void
fail_why(struct imap_conn *c, const char *what, int r, char *why, size_t whylen)
{
	char said[200];

	if (r == MAILIMAP_ERROR_STREAM)
		snprintf(why, whylen, "%s: the connection dropped or timed out", what);
	else if (r == MAILIMAP_ERROR_PARSE)
		snprintf(why, whylen, "%s: the server's answer could not be read", what);
	else {
		imap_clean_text(c && c->imap ? c->imap->imap_response : NULL, said, sizeof(said));
		snprintf(why, whylen, "%s refused%s%s", what, said[0] ? ": " : "", said);
	}
}

lc_err
imap_conn_open(const struct imap_account *a, struct imap_conn **out, char *why, size_t whylen)
{
	struct mailimap_capability_data *caps = NULL;
	struct imap_conn *c;
	mailstream_low *low, *plain;
	mailstream *s;
	time_t secs = a->timeout_ms / 1000 > 0 ? a->timeout_ms / 1000 : 1;
	int fd, r;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL || (c->imap = mailimap_new(0, NULL)) == NULL) {
		free(c);
		snprintf(why, whylen, "out of memory");
		return LC_EIO;
	}
	c->timeout_ms = a->timeout_ms;
	mailimap_set_timeout(c->imap, secs);
	if ((fd = imap_net_connect(a->host, a->port, a->timeout_ms, why, whylen)) < 0)
		goto fail;
	low = a->starttls ? imap_plain_open(fd, a->timeout_ms)
	                  : imap_tls_open(fd, a->host, a->timeout_ms, why, whylen);
	if (low == NULL) {
		if (a->starttls)
			snprintf(why, whylen, "out of memory");
		goto fail;
	}
	if ((s = mailstream_new(low, 8192)) == NULL) {
		mailstream_low_close(low);
		mailstream_low_free(low);
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	budget(c, BUDGET_SMALL, DEADLINE_MS);
	r = mailimap_connect(c->imap, s); /* the stream is the session's from here on */
	if (r != MAILIMAP_NO_ERROR && r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		fail_why(c, "the greeting", r, why, whylen);
		goto fail;
	}
	if (a->starttls) {
		if ((r = mailimap_starttls(c->imap)) != MAILIMAP_NO_ERROR) {
			fail_why(c, "STARTTLS", r, why, whylen);
			goto fail;
		}
		/* bytes after the STARTTLS answer came in the clear: an injection, not IMAP */
		if (c->imap->imap_stream->read_buffer_len != 0) {
			snprintf(
			    why, whylen, "STARTTLS refused: the server sent data before TLS began");
			goto fail;
		}
		plain = mailstream_get_low(c->imap->imap_stream);
		fd = mailstream_low_get_fd(plain);
		if ((fd = dup(fd)) < 0) {
			snprintf(why, whylen, "out of file descriptors");
			goto fail;
		}
		if ((low = imap_tls_open(fd, a->host, a->timeout_ms, why, whylen)) == NULL)
			goto fail;
		mailstream_low_close(plain);
		mailstream_low_free(plain);
		mailstream_set_low(c->imap->imap_stream, low);
		budget(c, BUDGET_SMALL, DEADLINE_MS);
		/* what the server said it can do before TLS is not to be trusted */
		if ((r = mailimap_capability(c->imap, &caps)) != MAILIMAP_NO_ERROR) {
			fail_why(c, "CAPABILITY", r, why, whylen);
			goto fail;
		}
		mailimap_capability_data_free(caps);
		caps = NULL;
	}
	budget(c, BUDGET_SMALL, DEADLINE_MS);
	r = mailimap_login(c->imap, a->user, a->password);
	if (r != MAILIMAP_NO_ERROR) {
		fail_why(c, "login", r, why, whylen);
		if (r == MAILIMAP_ERROR_LOGIN) {
			imap_conn_close(c);
			return LC_EAUTH;
		}
		goto fail;
	}
	budget(c, BUDGET_SMALL, DEADLINE_MS);
	c->idle_offered = mailimap_has_idle(c->imap);
	/* servers often list more capabilities once logged in */
	if (!c->idle_offered && mailimap_capability(c->imap, &caps) == MAILIMAP_NO_ERROR) {
		mailimap_capability_data_free(caps);
		c->idle_offered = mailimap_has_idle(c->imap);
	}
	*out = c;
	return LC_OK;
fail:
	imap_conn_close(c);
	return LC_EIO;
}

void
imap_conn_close(struct imap_conn *c)
{
	if (c == NULL)
		return;
	/* no LOGOUT: closing is enough for a server, and a LOGOUT to a stalled one would hold
	 * the thread (or the worker's shutdown) for a timeout */
	if (c->imap)
		mailimap_free(c->imap);
	free(c);
}

lc_err
imap_conn_examine(struct imap_conn *c, const char *folder, uint32_t *uidvalidity, uint32_t *uidnext,
    char *why, size_t whylen)
{
	size_t size = MUTF7_SIZE(strlen(folder));
	char *name;
	int r;

	*uidvalidity = *uidnext = 0;
	/* the settings keep the name as people see it; IMAP4rev1 wants modified UTF-7 */
	if ((name = malloc(size)) == NULL)
		return LC_ENOMEM;
	if (mutf7_encode(folder, name, size) != 0) {
		free(name);
		snprintf(why, whylen, "the folder's name is not UTF-8");
		return LC_ENOTFOUND;
	}
	budget(c, BUDGET_SMALL, DEADLINE_MS);
	r = mailimap_examine(c->imap, name);
	free(name);
	if (r != MAILIMAP_NO_ERROR) {
		fail_why(c, "EXAMINE", r, why, whylen);
		return r == MAILIMAP_ERROR_EXAMINE ? LC_ENOTFOUND : LC_EIO;
	}
	if (c->imap->imap_selection_info) {
		*uidvalidity = c->imap->imap_selection_info->sel_uidvalidity;
		*uidnext = c->imap->imap_selection_info->sel_uidnext;
	}
	return LC_OK;
}

static int
uid_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct imap_uid *)a)->uid, y = ((const struct imap_uid *)b)->uid;

	return x < y ? -1 : x > y;
}

lc_err
imap_conn_list(struct imap_conn *c, uint32_t after, size_t max, struct imap_uid **out, size_t *n,
    char *why, size_t whylen)
{
	struct mailimap_fetch_type *ft;
	struct mailimap_set *set;
	clist *result = NULL;
	clistiter *it, *jt;
	struct imap_uid *list;
	size_t count = 0, cap;
	uint32_t exists;
	int r;

	*out = NULL;
	*n = 0;
	if (after == UINT32_MAX)
		return LC_OK;
	set = mailimap_set_new_interval(after + 1, 0); /* after+1:* */
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	if (set == NULL || ft == NULL ||
	    mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid()) != 0 ||
	    mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_rfc822_size()) !=
	        0) {
		if (set)
			mailimap_set_free(set);
		if (ft)
			mailimap_fetch_type_free(ft);
		snprintf(why, whylen, "out of memory");
		return LC_EIO;
	}
	/* the folder's size bounds the answer; uidnext is only a hint */
	exists = c->imap->imap_selection_info ? c->imap->imap_selection_info->sel_exists : 0;
	budget(c, BUDGET_SMALL + (size_t)exists * BUDGET_LIST_PER_UID,
	    DEADLINE_MS + (int64_t)exists * BUDGET_LIST_PER_UID * 1000 / DEADLINE_BYTES_PER_S);
	r = mailimap_uid_fetch(c->imap, set, ft, &result);
	mailimap_set_free(set);
	mailimap_fetch_type_free(ft);
	if (r != MAILIMAP_NO_ERROR) {
		fail_why(c, "UID FETCH", r, why, whylen);
		return LC_EIO;
	}
	cap = (size_t)clist_count(result);
	if ((list = calloc(cap ? cap : 1, sizeof(*list))) == NULL) {
		mailimap_fetch_list_free(result);
		snprintf(why, whylen, "out of memory");
		return LC_EIO;
	}
	for (it = clist_begin(result); it; it = clist_next(it)) {
		struct mailimap_msg_att *att = clist_content(it);
		struct imap_uid u = {0, 0};
		int have_size = 0;
		for (jt = clist_begin(att->att_list); jt; jt = clist_next(jt)) {
			struct mailimap_msg_att_item *item = clist_content(jt);
			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC ||
			    !item->att_data.att_static)
				continue;
			if (item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_UID)
				u.uid = item->att_data.att_static->att_data.att_uid;
			else if (item->att_data.att_static->att_type ==
			         MAILIMAP_MSG_ATT_RFC822_SIZE) {
				u.size = item->att_data.att_static->att_data.att_rfc822_size;
				have_size = 1;
			}
		}
		/* "n:*" answers the last message even when its UID is below n (RFC 3501 6.4.8) */
		if (u.uid > after && have_size)
			list[count++] = u;
	}
	mailimap_fetch_list_free(result);
	qsort(list, count, sizeof(*list), uid_cmp);
	*out = list;
	*n = count < max ? count : max;
	return LC_OK;
}

lc_err
imap_conn_fetch(struct imap_conn *c, uint32_t uid, uint32_t size, imap_conn_fetch_cb cb, void *arg,
    char *why, size_t whylen)
{
	struct mailimap_fetch_type *ft;
	struct mailimap_section *sec;
	struct mailimap_set *set;
	clist *result = NULL;
	clistiter *it, *jt;
	lc_err e = LC_ENOTFOUND;
	int r;

	set = mailimap_set_new_single(uid);
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	sec = mailimap_section_new(NULL);
	if (set == NULL || ft == NULL || sec == NULL ||
	    mailimap_fetch_type_new_fetch_att_list_add(
	        ft, mailimap_fetch_att_new_body_peek_section(sec)) != 0) {
		if (set)
			mailimap_set_free(set);
		if (ft)
			mailimap_fetch_type_free(ft);
		snprintf(why, whylen, "out of memory");
		return LC_EIO;
	}
	budget(c, (size_t)size + BUDGET_FETCH_SLACK,
	    DEADLINE_MS + (int64_t)size * 1000 / DEADLINE_BYTES_PER_S);
	r = mailimap_uid_fetch(c->imap, set, ft, &result);
	mailimap_set_free(set);
	mailimap_fetch_type_free(ft);
	if (r != MAILIMAP_NO_ERROR) {
		fail_why(c, "UID FETCH BODY.PEEK[]", r, why, whylen);
		return LC_EIO;
	}
	for (it = clist_begin(result); it && e == LC_ENOTFOUND; it = clist_next(it)) {
		struct mailimap_msg_att *att = clist_content(it);
		for (jt = clist_begin(att->att_list); jt; jt = clist_next(jt)) {
			struct mailimap_msg_att_item *item = clist_content(jt);
			struct mailimap_msg_att_body_section *b;
			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC ||
			    !item->att_data.att_static ||
			    item->att_data.att_static->att_type != MAILIMAP_MSG_ATT_BODY_SECTION)
				continue;
			b = item->att_data.att_static->att_data.att_body_section;
			if (b == NULL || b->sec_body_part == NULL)
				continue;
			e = cb(arg, b->sec_body_part, b->sec_length);
			break;
		}
	}
	mailimap_fetch_list_free(result);
	if (e == LC_ENOTFOUND)
		snprintf(why, whylen, "message UID %u is gone", uid);
	return e;
}

int
imap_conn_has_idle(struct imap_conn *c)
{
	return c->idle_offered;
}

lc_err
imap_conn_idle(struct imap_conn *c, char *why, size_t whylen)
{
	int r;

	budget(c, BUDGET_SMALL, DEADLINE_MS);
	if ((r = mailimap_idle(c->imap)) != MAILIMAP_NO_ERROR) {
		fail_why(c, "IDLE", r, why, whylen);
		return LC_EIO;
	}
	c->idling = 1;
	return LC_OK;
}

int
imap_conn_idle_fd(struct imap_conn *c)
{
	return mailimap_idle_get_fd(c->imap);
}

int
imap_conn_idle_ready(struct imap_conn *c)
{
	mailstream *s = c->imap->imap_stream;

	return s && (s->read_buffer_len > 0 || imap_tls_pending(mailstream_get_low(s)));
}

lc_err
imap_conn_idle_done(struct imap_conn *c, char *why, size_t whylen)
{
	int r;

	/* what arrived while idling (EXISTS lines) is read here; the budget bounds it */
	budget(c, BUDGET_SMALL * 4, DEADLINE_MS);
	c->idling = 0;
	if ((r = mailimap_idle_done(c->imap)) != MAILIMAP_NO_ERROR) {
		fail_why(c, "IDLE DONE", r, why, whylen);
		return LC_EIO;
	}
	return LC_OK;
}
