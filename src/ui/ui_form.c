/* ui_form.c: application/x-www-form-urlencoded bodies of the pages' forms. Unlike query
 * strings (src/http/query.c), a form may repeat a key: the queue posts one "id" per
 * checked message. */
#include <stdlib.h>
#include <string.h>

#include "http/query.h"
#include "ui/ui_app.h"
#include "util/utf8.h"

lc_err
ui_form_parse(const char *s, size_t len, struct ui_form *f)
{
	const char *p = s, *end = s + len, *amp, *eq;
	char *w;
	long k, v;

	memset(f, 0, sizeof(*f));
	/* decoding never lengthens: one byte per input byte plus a NUL per string suffices */
	if ((f->storage = malloc(len + 2 * UI_FORM_MAX_FIELDS + 2)) == NULL)
		return LC_ENOMEM;
	w = f->storage;
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp == p) { /* empty pair: "a=1&&b=2" */
			p++;
			continue;
		}
		if (f->n == UI_FORM_MAX_FIELDS)
			goto bad;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		if ((k = url_decode(p, (size_t)(eq - p), w)) < 0 || !utf8_valid(w, (size_t)k))
			goto bad;
		w[k] = '\0';
		f->key[f->n] = w;
		w += k + 1;
		v = eq < amp ? url_decode(eq + 1, (size_t)(amp - eq - 1), w) : 0;
		if (v < 0 || !utf8_valid(w, (size_t)v))
			goto bad;
		w[v] = '\0';
		f->value[f->n] = w;
		w += v + 1;
		f->n++;
		p = amp < end ? amp + 1 : end;
	}
	return LC_OK;
bad:
	ui_form_free(f);
	return LC_EINVAL;
}

const char *
ui_form_get(const struct ui_form *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->key[i], key) == 0)
			return f->value[i];
	return NULL;
}

void
ui_form_free(struct ui_form *f)
{
	free(f->storage);
	memset(f, 0, sizeof(*f));
}
