#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/campaign_input.h"
#include "core/validate.h"

static int only_keys(json_t *, const char *const *, const char **, const char *, char *, size_t);
static const char *str_field(json_t *, const char *, int, int *);

/* only_keys returns 0 when every key of obj is in allowed; else points *bad at the
 * unknown key, written as prefix.key into buf when a prefix is given. */
static int
only_keys(json_t *obj, const char *const *allowed, const char **bad, const char *prefix, char *buf,
    size_t buflen)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(obj, key, v)
	{
		for (i = 0; allowed[i]; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			if (prefix) {
				snprintf(buf, buflen, "%s.%.100s", prefix, key);
				*bad = buf;
			} else {
				*bad = key;
			}
			return -1;
		}
	}
	return 0;
}

/* str_field borrows a string member; *ok is 0 when it is the wrong type or required
 * and missing. */
static const char *
str_field(json_t *obj, const char *name, int required, int *ok)
{
	json_t *v = json_object_get(obj, name);

	if (v == NULL) {
		*ok = !required;
		return NULL;
	}
	*ok = json_is_string(v);
	return *ok ? json_string_value(v) : NULL;
}

lc_err
campaign_input_parse(json_t *doc, struct campaign_new *out, struct prospect_in **prospects,
    const char **bad_param, char *buf, size_t buflen)
{
	static const char *const top[] = {
	    "type", "name", "targetUrl", "sender", "template", "prospects", NULL};
	static const char *const tmpl_keys[] = {"subject", "body", NULL};
	static const char *const prospect_keys[] = {"domain", "contactName", "contactEmail", NULL};
	json_t *tmpl, *list, *item;
	const char *type;
	size_t i;
	int ok, t;

	memset(out, 0, sizeof(*out));
	*prospects = NULL;
	if (!json_is_object(doc)) {
		*bad_param = "body";
		return LC_EINVAL;
	}
	if (only_keys(doc, top, bad_param, NULL, buf, buflen) != 0)
		return LC_EINVAL;
	type = str_field(doc, "type", 1, &ok);
	if (!ok || (t = campaign_type_from_name(type, strlen(type))) < 0) {
		*bad_param = "type";
		return LC_EINVAL;
	}
	out->type = (unsigned)t;
#define REQUIRE_STR(field, key)                                                                    \
	do {                                                                                       \
		out->field = str_field(doc, key, 1, &ok);                                          \
		if (!ok) {                                                                         \
			*bad_param = key;                                                          \
			return LC_EINVAL;                                                          \
		}                                                                                  \
	} while (0)
	REQUIRE_STR(name, "name");
	REQUIRE_STR(target_url, "targetUrl");
	REQUIRE_STR(sender, "sender");
#undef REQUIRE_STR
	if ((tmpl = json_object_get(doc, "template")) != NULL) {
		if (!json_is_object(tmpl) ||
		    only_keys(tmpl, tmpl_keys, bad_param, "template", buf, buflen) != 0) {
			if (!json_is_object(tmpl))
				*bad_param = "template";
			return LC_EINVAL;
		}
		out->subject = str_field(tmpl, "subject", 1, &ok);
		if (!ok) {
			*bad_param = "template.subject";
			return LC_EINVAL;
		}
		out->body = str_field(tmpl, "body", 1, &ok);
		if (!ok) {
			*bad_param = "template.body";
			return LC_EINVAL;
		}
	}
	if ((list = json_object_get(doc, "prospects")) != NULL) {
		if (!json_is_array(list) || json_array_size(list) > PROSPECTS_MAX) {
			*bad_param = "prospects";
			return LC_EINVAL;
		}
		if (json_array_size(list) > 0 &&
		    (*prospects = calloc(json_array_size(list), sizeof(**prospects))) == NULL)
			return LC_ENOMEM;
		json_array_foreach(list, i, item)
		{
			struct prospect_in *p = &(*prospects)[i];
			if (!json_is_object(item) || only_keys(item, prospect_keys, bad_param,
			                                 "prospects[]", buf, buflen) != 0) {
				if (!json_is_object(item))
					*bad_param = "prospects";
				goto fail;
			}
			p->domain = str_field(item, "domain", 1, &ok);
			if (!ok) {
				*bad_param = "prospects[].domain";
				goto fail;
			}
			p->contact_name = str_field(item, "contactName", 0, &ok);
			if (!ok) {
				*bad_param = "prospects[].contactName";
				goto fail;
			}
			if (p->contact_name == NULL)
				p->contact_name = "";
			p->contact_email = str_field(item, "contactEmail", 1, &ok);
			if (!ok) {
				*bad_param = "prospects[].contactEmail";
				goto fail;
			}
		}
		out->prospects = *prospects;
		out->nprospects = json_array_size(list);
	}
	return LC_OK;
fail:
	free(*prospects);
	*prospects = NULL;
	return LC_EINVAL;
}
