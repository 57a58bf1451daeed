/* ui_tmpl.c: the pages' templates, read and compiled once per process.
 *
 * Before this cache every page opened and read layout.html and its own template and
 * parsed both again: 12 system calls and some 25-30 us of CPU a page, for nothing
 * (docs/first-reads.md). Templates only change with an upgrade or a developer's edit,
 * and either is followed by a restart of linkcamp-fcgi (docs/ui.md), so a process keeps
 * what it read.
 *
 * Loaded lazily, on a page's first request, not all at start-up: a missing, unreadable or
 * broken template then still fails exactly where it did before (that page's request: a
 * 500 page and a log line, on every request until it is fixed, since failures are not
 * cached), linkcamp-fcgi needs no start-up step, and a process that only serves the API
 * never reads one.
 *
 * One mutex guards the list. A lookup holds it for a few string compares; the first
 * request of a page reads and compiles the file under it too, so threads asking for the
 * same new template at once wait for one read instead of racing to publish two. A
 * published template is never changed or freed, so callers use it after unlocking. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui_tmpl.h"
#include "util/buf.h"
#include "util/log.h"

struct ui_tmpl_entry {
	char *name;
	struct tmpl *tmpl;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ui_tmpl_entry *cache; /* grows; the templates it points to never move */
static size_t cache_n, cache_cap;

static lc_err ui_tmpl_read(const char *, const char *, struct buf *);
static lc_err ui_tmpl_load(const char *, const char *, struct tmpl **, char *, size_t);

/* ui_tmpl_read reads dir/name.html into out (bounded by out->max); logs any failure. */
static lc_err
ui_tmpl_read(const char *dir, const char *name, struct buf *out)
{
	char path[1024], chunk[4096];
	size_t n;
	FILE *f;
	lc_err e = LC_OK;
	int len;

	len = snprintf(path, sizeof(path), "%s/%s.html", dir, name);
	if (len < 0 || (size_t)len >= sizeof(path)) {
		log_msg(LOG_ERROR, "template path too long: %s/%s.html", dir, name);
		return LC_EIO;
	}
	if ((f = fopen(path, "r")) == NULL) {
		log_msg(LOG_ERROR, "cannot open template %s", path);
		return LC_EIO;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if ((e = buf_append(out, chunk, n)) != LC_OK)
			break;
	if (e == LC_ENOMEM)
		log_msg(
		    LOG_ERROR, "template %s is over %d bytes, or out of memory", path, UI_TMPL_MAX);
	if (e == LC_OK && ferror(f)) {
		log_msg(LOG_ERROR, "cannot read template %s", path);
		e = LC_EIO;
	}
	fclose(f);
	if (e == LC_OK && out->data == NULL)
		e = buf_append(out, "", 0);
	return e;
}

/* ui_tmpl_load reads and compiles dir/name.html into a new template (*out, the caller's). */
static lc_err
ui_tmpl_load(const char *dir, const char *name, struct tmpl **out, char *err, size_t errlen)
{
	struct buf text;
	lc_err e;

	buf_init(&text, UI_TMPL_MAX);
	if ((e = ui_tmpl_read(dir, name, &text)) == LC_OK &&
	    (e = tmpl_compile(text.data, text.len, out, err, errlen)) == LC_ENOMEM)
		log_msg(LOG_ERROR, "template %s: out of memory", name);
	buf_free(&text);
	return e;
}

lc_err
ui_tmpl_get(const char *dir, const char *name, const struct tmpl **out, char *err, size_t errlen)
{
	struct ui_tmpl_entry *grown;
	struct tmpl *t = NULL;
	char *copy = NULL;
	size_t i, cap;
	lc_err e = LC_OK;

	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < cache_n; i++)
		if (strcmp(cache[i].name, name) == 0) {
			*out = cache[i].tmpl;
			goto out;
		}
	if ((e = ui_tmpl_load(dir, name, &t, err, errlen)) != LC_OK)
		goto out;
	if (cache_n == cache_cap) {
		cap = cache_cap ? cache_cap * 2 : 32;
		if ((grown = realloc(cache, cap * sizeof(*cache))) == NULL) {
			log_msg(LOG_ERROR, "template %s: out of memory", name);
			e = LC_ENOMEM;
			goto out;
		}
		cache = grown;
		cache_cap = cap;
	}
	if ((copy = strdup(name)) == NULL) {
		log_msg(LOG_ERROR, "template %s: out of memory", name);
		e = LC_ENOMEM;
		goto out;
	}
	cache[cache_n].name = copy;
	cache[cache_n].tmpl = t;
	cache_n++;
	*out = t;
	t = NULL;
out:
	pthread_mutex_unlock(&cache_lock);
	tmpl_free(t);
	return e;
}
