/* ui_mailbox_form.c: a mailbox's settings as the form on its page shows them, and the
 * form read back into a change of the mailbox (ui_mailbox_form.h). The form is hostile
 * input like any other: every number is checked for shape and range before it becomes
 * one, days and times of day by the pacing rules; the rest is checked by
 * mailboxes_update, as for the API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pacing.h"
#include "ui/ui_app.h"
#include "ui/ui_mailbox_form.h"

#define FOLDERS_TEXT_MAX UI_MBX_FOLDERS_MAX

/* The form's fields: name, the API parameter a refusal names (its prefix), label. */
struct field {
	const char *name, *param, *label;
};
static const struct field fields[] = {
    {"from_name", "fromName", "From name"},
    {"from_address", "fromAddress", "From address"},
    {"reply_to", "replyTo", "Reply-To"},
    {"smtp_host", "smtp.host", "SMTP host"},
    {"smtp_port", "smtp.port", "SMTP port"},
    {"smtp_security", "smtp.security", "SMTP security"},
    {"smtp_username", "smtp.username", "SMTP username"},
    {"smtp_password", "smtp.password", "SMTP password"},
    {"daily_cap", "dailyCap", "Daily cap"},
    {"days", "window.days", "Days"},
    {"start", "window.start", "Window start"},
    {"end", "window.end", "Window end"},
    {"time_zone", "window.timeZone", "Time zone"},
    {"warmup_start", "warmup.start", "Warm-up start"},
    {"warmup_step", "warmup.increment", "Warm-up increment"},
    {"gap", "minGapSeconds", "Minimum gap"},
    {"jitter", "jitterSeconds", "Jitter"},
    {"imap_host", "imap.host", "IMAP host"},
    {"imap_port", "imap.port", "IMAP port"},
    {"imap_security", "imap.security", "IMAP security"},
    {"imap_username", "imap.username", "IMAP username"},
    {"imap_password", "imap.password", "IMAP password"},
    {"imap_folders", "imap.folders", "IMAP folders"},
    {"window", "window", "Sending window"},
    {"warmup", "warmup", "Warm-up"},
    {"imap", "imap", "IMAP"},
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* The form's text fields, kept with a page that shows it again. */
static const char *const text_fields[] = {"from_name", "from_address", "reply_to", "smtp_host",
    "smtp_port", "smtp_username", "daily_cap", "start", "end", "time_zone", "warmup_start",
    "warmup_step", "gap", "jitter", "imap_host", "imap_port", "imap_username", "imap_folders",
    NULL};

static json_t *security_options(unsigned, int);
static json_t *days_json(unsigned);
static int int_field(
    const struct ui_form *, const char *, long, long, long *, int, struct form_fail *);

static json_t *
security_options(unsigned selected, int with_plain)
{
	json_t *a = json_array();
	unsigned s;

	for (s = 0; a && s <= MBX_PLAIN; s++) {
		if (s == MBX_PLAIN && !with_plain && selected != MBX_PLAIN)
			continue; /* plain exists only where the operator allows it */
		json_array_append_new(a, json_pack("{s:s,s:b}", "name", mailbox_security_name(s),
		                             "selected", s == selected));
	}
	return a;
}

static json_t *
days_json(unsigned bits)
{
	json_t *a = json_array();
	unsigned i;

	for (i = 0; a && i < 7; i++)
		json_array_append_new(a, json_pack("{s:s,s:b}", "name", pacing_day_name(i),
		                             "checked", (bits & (1u << i)) != 0));
	return a;
}

/* stored_form is the form filled with the stored settings (iv NULL: no IMAP). */
json_t *
ui_mbx_stored_form(const struct mailbox_view *v, const struct imap_view *iv, int have_imap)
{
	char start[6], end[6], n[24], folders[FOLDERS_TEXT_MAX];
	json_t *o = json_object();
	size_t k;
	const char *p;

	if (o == NULL)
		return NULL;
	pacing_hhmm_format(v->start_min, start);
	pacing_hhmm_format(v->end_min, end);
	ui_set_str(o, "from_name", v->from_name);
	ui_set_str(o, "from_address", v->from_address);
	ui_set_str(o, "reply_to", v->reply_to);
	ui_set_str(o, "smtp_host", v->host);
	snprintf(n, sizeof(n), "%u", v->port);
	ui_set_str(o, "smtp_port", n);
	ui_set_str(o, "smtp_username", v->username);
	json_object_set_new(o, "smtp_security", security_options(v->security, 0));
	snprintf(n, sizeof(n), "%u", v->daily_cap);
	ui_set_str(o, "daily_cap", n);
	json_object_set_new(o, "days", days_json(v->days));
	ui_set_str(o, "start", start);
	ui_set_str(o, "end", end);
	ui_set_str(o, "time_zone", v->time_zone ? v->time_zone : "UTC");
	if (v->warmup_start > 0) {
		snprintf(n, sizeof(n), "%u", v->warmup_start);
		ui_set_str(o, "warmup_start", n);
		snprintf(n, sizeof(n), "%u", v->warmup_step);
		ui_set_str(o, "warmup_step", n);
	}
	snprintf(n, sizeof(n), "%u", v->gap_s);
	ui_set_str(o, "gap", n);
	snprintf(n, sizeof(n), "%u", v->jitter_s);
	ui_set_str(o, "jitter", n);
	json_object_set_new(o, "imap_on", json_boolean(have_imap));
	json_object_set_new(
	    o, "imap_security", security_options(have_imap ? iv->security : MBX_TLS, 0));
	if (have_imap) {
		ui_set_str(o, "imap_host", iv->host);
		snprintf(n, sizeof(n), "%u", iv->port);
		ui_set_str(o, "imap_port", n);
		ui_set_str(o, "imap_username", iv->username);
		/* the folders are stored one a line: shown so in the textarea */
		for (k = 0, p = iv->folders; p && *p && k + 1 < sizeof(folders); p++)
			folders[k++] = *p;
		folders[k] = '\0';
		ui_set_str(o, "imap_folders", folders);
		json_object_set_new(o, "imap_password_set", json_boolean(iv->own_password));
	} else {
		ui_set_str(o, "imap_folders", "INBOX");
	}
	json_object_set_new(o, "password_set", json_boolean(v->password_set));
	return o;
}

/* typed_form is the form filled with what was typed (passwords left out). */
json_t *
ui_mbx_typed_form(const struct ui_form *f)
{
	json_t *o = json_object();
	unsigned bits = 0;
	size_t i;
	int b, sec;

	if (o == NULL)
		return NULL;
	for (i = 0; text_fields[i]; i++)
		ui_set_str(o, text_fields[i], ui_form_get(f, text_fields[i]));
	for (i = 0; i < f->n; i++)
		if (strcmp(f->key[i], "day") == 0 && (b = pacing_day_from_name(f->value[i])) >= 0)
			bits |= 1u << b;
	json_object_set_new(o, "days", days_json(bits));
	sec = mailbox_security_from_name(
	    ui_form_get(f, "smtp_security") ? ui_form_get(f, "smtp_security") : "");
	json_object_set_new(
	    o, "smtp_security", security_options(sec < 0 ? MBX_STARTTLS : (unsigned)sec, 0));
	sec = mailbox_security_from_name(
	    ui_form_get(f, "imap_security") ? ui_form_get(f, "imap_security") : "");
	json_object_set_new(
	    o, "imap_security", security_options(sec < 0 ? MBX_TLS : (unsigned)sec, 0));
	json_object_set_new(o, "imap_on", json_boolean(ui_form_get(f, "imap_on") != NULL));
	json_object_set_new(o, "password_set", json_true());
	return o;
}

/* int_field reads whole number key within min..max into *out; an empty or missing field
 * is 0 with optional set, else a refusal. 0 or -1 (ff says which field and why). */
static int
int_field(const struct ui_form *f, const char *key, long min, long max, long *out, int optional,
    struct form_fail *ff)
{
	const char *s = ui_form_get(f, key);
	char *end;
	long v;

	*out = -1;
	if (s == NULL || s[0] == '\0') {
		if (optional) {
			*out = 0;
			return 0;
		}
		ff->field = key;
		ff->detail = "This field is required.";
		return -1;
	}
	if (strspn(s, "0123456789") != strlen(s) || strlen(s) > 9) {
		ff->field = key;
		ff->detail = "A whole number, please.";
		return -1;
	}
	v = strtol(s, &end, 10);
	if (v < min || v > max) {
		static _Thread_local char why[80];

		snprintf(why, sizeof(why), "A whole number from %ld to %ld.", min, max);
		ff->field = key;
		ff->detail = why;
		return -1;
	}
	*out = v;
	return 0;
}

/* form_in turns the form into a change of the mailbox, every field given but the
 * passwords left empty and IMAP settings that did not change. folders receives the
 * folder names (the imap_in points into it). 0 or -1 with ff. */
int
ui_mbx_form_in(const struct ui_form *f, const struct imap_view *iv, int have_imap,
    struct mailbox_in *in, struct imap_in *imap, char *folders, struct form_fail *ff)
{
	const char *s, *imap_user;
	long v;
	size_t i;
	int b, sec, imap_sec, changed;
	char *p, *save = NULL, *line;

	mailbox_in_init(in);
	memset(imap, 0, sizeof(*imap));
	imap->port = imap->security = -1;
	in->from_name = ui_form_get(f, "from_name");
	in->from_address = ui_form_get(f, "from_address");
	s = ui_form_get(f, "reply_to");
	in->reply_to = s && s[0] ? s : NULL;
	in->reply_to_given = 1;
	in->host = ui_form_get(f, "smtp_host");
	in->username = ui_form_get(f, "smtp_username");
	s = ui_form_get(f, "smtp_password");
	in->password = s && s[0] ? s : NULL; /* empty: keep the stored one */
	if (int_field(f, "smtp_port", 1, 65535, &in->port, 0, ff) != 0)
		return -1;
	if ((sec = mailbox_security_from_name(
	         ui_form_get(f, "smtp_security") ? ui_form_get(f, "smtp_security") : "")) < 0) {
		ff->field = "smtp_security";
		ff->detail = "Choose tls or starttls.";
		return -1;
	}
	in->security = sec;
	if (int_field(f, "daily_cap", 1, MAILBOX_DAILY_CAP_MAX, &in->daily_cap, 0, ff) != 0)
		return -1;
	in->days = 0;
	for (i = 0; i < f->n; i++) {
		if (strcmp(f->key[i], "day") != 0)
			continue;
		if ((b = pacing_day_from_name(f->value[i])) < 0) {
			ff->field = "days";
			ff->detail = "Days are mon, tue, wed, thu, fri, sat and sun.";
			return -1;
		}
		in->days |= 1L << b;
	}
	if (in->days == 0) {
		ff->field = "days";
		ff->detail = "Choose at least one day.";
		return -1;
	}
	if ((in->start_min = pacing_hhmm_parse(
	         ui_form_get(f, "start") ? ui_form_get(f, "start") : "")) < 0) {
		ff->field = "start";
		ff->detail = "A time of day, HH:MM.";
		return -1;
	}
	if ((in->end_min = pacing_hhmm_parse(ui_form_get(f, "end") ? ui_form_get(f, "end") : "")) <
	    0) {
		ff->field = "end";
		ff->detail = "A time of day, HH:MM (24:00 allowed).";
		return -1;
	}
	in->time_zone = ui_form_get(f, "time_zone");
	if (int_field(f, "warmup_start", 1, MAILBOX_DAILY_CAP_MAX, &in->warmup_start, 1, ff) != 0 ||
	    int_field(f, "warmup_step", 0, MAILBOX_DAILY_CAP_MAX, &in->warmup_step, 1, ff) != 0 ||
	    int_field(f, "gap", 0, PACING_GAP_MAX, &v, 0, ff) != 0)
		return -1;
	in->gap_s = v;
	if (int_field(f, "jitter", 0, PACING_GAP_MAX, &v, 0, ff) != 0)
		return -1;
	in->jitter_s = v;
	if (in->warmup_start == 0)
		in->warmup_step = 0; /* no ramp: its increment means nothing */

	/* IMAP: given only when it changes (a change starts the sync over) */
	if (ui_form_get(f, "imap_on") == NULL) {
		if (have_imap) {
			imap->remove = 1;
			in->imap = imap;
		}
		return 0;
	}
	imap->host = ui_form_get(f, "imap_host");
	if (int_field(f, "imap_port", 1, 65535, &imap->port, 1, ff) != 0)
		return -1;
	if (imap->port == 0)
		imap->port = -1; /* empty: the port of its security */
	if ((imap_sec = mailbox_security_from_name(
	         ui_form_get(f, "imap_security") ? ui_form_get(f, "imap_security") : "")) < 0) {
		ff->field = "imap_security";
		ff->detail = "Choose tls or starttls.";
		return -1;
	}
	imap->security = imap_sec;
	imap_user = ui_form_get(f, "imap_username");
	imap->username = imap_user && imap_user[0] ? imap_user : NULL;
	s = ui_form_get(f, "imap_password");
	imap->password = s && s[0] ? s : NULL;
	s = ui_form_get(f, "imap_folders");
	snprintf(folders, FOLDERS_TEXT_MAX, "%s", s ? s : "");
	if (s && strlen(s) >= FOLDERS_TEXT_MAX) {
		ff->field = "imap_folders";
		ff->detail = "At most 5 folder names, one a line.";
		return -1;
	}
	for (line = strtok_r(folders, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		for (p = line + strlen(line); p > line && (p[-1] == ' ' || p[-1] == '\t'); p--)
			p[-1] = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '\0')
			continue;
		if (imap->nfolders == IMAP_FOLDERS_MAX) {
			ff->field = "imap_folders";
			ff->detail = "At most 5 folder names, one a line.";
			return -1;
		}
		imap->folders[imap->nfolders++] = line;
	}
	if (imap->nfolders == 0)
		imap->folders[imap->nfolders++] = "INBOX";
	imap->folders_given = 1;
	changed = !have_imap || imap->password != NULL ||
	          strcmp(imap->host ? imap->host : "", iv->host ? iv->host : "") != 0 ||
	          (imap->port != -1 && (unsigned long)imap->port != iv->port) ||
	          (unsigned)imap->security != iv->security ||
	          (imap->username != NULL &&
	              strcmp(imap->username, iv->username ? iv->username : "") != 0);
	if (!changed) {
		/* the stored folders, one a line, against the typed ones */
		const char *q = iv->folders ? iv->folders : "";
		for (i = 0; i < imap->nfolders && !changed; i++) {
			size_t n = strlen(imap->folders[i]);
			changed =
			    strncmp(q, imap->folders[i], n) != 0 || (q[n] != '\n' && q[n] != '\0');
			q += n + (q[n] == '\n');
		}
		changed |= *q != '\0';
	}
	if (changed)
		in->imap = imap;
	return 0;
}

/* field_of_param finds the form field of an API parameter a refusal names. */
static const struct field *
field_of_param(const char *param)
{
	size_t i, n;

	if (param == NULL)
		return NULL;
	for (i = 0; i < NFIELDS; i++) {
		n = strlen(fields[i].param);
		if (strncmp(param, fields[i].param, n) == 0 &&
		    (param[n] == '\0' || param[n] == '['))
			return &fields[i];
	}
	return NULL;
}

const char *
ui_mbx_field_of_param(const char *param)
{
	const struct field *f = field_of_param(param);

	return f ? f->name : NULL;
}

const char *
ui_mbx_label(const char *name)
{
	size_t i;

	for (i = 0; name && i < NFIELDS; i++)
		if (strcmp(fields[i].name, name) == 0)
			return fields[i].label;
	return name ? name : "";
}
