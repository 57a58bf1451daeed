#include <string.h>
#include <strings.h>

#include "core/validate.h"
#include "util/utf8.h"

int
campaign_id_valid(const char *s)
{
	size_t len = strlen(s);

	return id_has_shape("scmp_", s, len) || id_has_shape("ccmp_", s, len) ||
	       id_has_shape("xcmp_", s, len);
}

int
text_valid(const char *s, size_t min_chars, size_t max_chars, int multiline)
{
	size_t len, n;
	const unsigned char *p;

	if (s == NULL)
		return min_chars == 0;
	len = strlen(s);
	if (!utf8_valid(s, len))
		return 0;
	n = utf8_chars(s, len);
	if (n < min_chars || n > max_chars)
		return 0;
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			if (!multiline || (*p != '\n' && *p != '\r' && *p != '\t'))
				return 0;
		}
		/* C1 controls U+0080..U+009F are C2 80..C2 9F in UTF-8 */
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 0;
	}
	return 1;
}

static int
label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-';
}

int
domain_valid(const char *s)
{
	size_t len = strlen(s), label = 0, i, dots = 0;

	if (len == 0 || len > DOMAIN_MAX_BYTES)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			dots++;
			continue;
		}
		if (!label_char(s[i]) || (label == 0 && s[i] == '-') || ++label > 63)
			return 0;
	}
	return label > 0 && s[len - 1] != '-' && dots > 0;
}

int
email_valid(const char *s)
{
	const char *at = strrchr(s, '@');
	const char *p;
	size_t len = strlen(s);

	if (at == NULL || at == s || len > EMAIL_MAX_BYTES || at - s > 64)
		return 0;
	for (p = s; p < at; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c >= 0x7f || strchr("()<>[]:;@\\,\"", c))
			return 0;
	}
	if (s[0] == '.' || at[-1] == '.' || strstr(s, "..") != NULL)
		return 0;
	return domain_valid(at + 1);
}

int
url_valid(const char *s)
{
	size_t len = strlen(s), i;
	const char *host;

	if (len > URL_MAX_BYTES)
		return 0;
	if (strncasecmp(s, "https://", 8) == 0)
		host = s + 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		host = s + 7;
	else
		return 0;
	if (*host == '\0' || *host == '/' || *host == '?' || *host == '#')
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

lc_err
validate_campaign_new(const struct campaign_new *in, const char **bad_param)
{
	size_t i, j;

	if (in->type >= CAMPAIGN_NTYPES)
		*bad_param = "type";
	else if (!text_valid(in->name, 1, NAME_MAX_CHARS, 0))
		*bad_param = "name";
	else if (in->target_url == NULL || !url_valid(in->target_url))
		*bad_param = "targetUrl";
	else if (in->sender == NULL || !email_valid(in->sender))
		*bad_param = "sender";
	else if (!text_valid(in->subject, 0, SUBJECT_MAX_CHARS, 0))
		*bad_param = "template.subject";
	else if (in->body &&
	         (strlen(in->body) > BODY_MAX_BYTES || !text_valid(in->body, 0, BODY_MAX_BYTES, 1)))
		*bad_param = "template.body";
	else if (in->nprospects > PROSPECTS_MAX)
		*bad_param = "prospects";
	else
		*bad_param = NULL;
	if (*bad_param)
		return LC_EINVAL;
	for (i = 0; i < in->nprospects; i++) {
		const struct prospect_in *p = &in->prospects[i];
		if (p->domain == NULL || !domain_valid(p->domain))
			*bad_param = "prospects[].domain";
		else if (!text_valid(p->contact_name, 0, NAME_MAX_CHARS, 0))
			*bad_param = "prospects[].contactName";
		else if (p->contact_email == NULL || !email_valid(p->contact_email))
			*bad_param = "prospects[].contactEmail";
		for (j = 0; *bad_param == NULL && j < i; j++)
			if (strcasecmp(in->prospects[j].contact_email, p->contact_email) == 0)
				*bad_param = "prospects[].contactEmail";
		if (*bad_param)
			return LC_EINVAL;
	}
	return LC_OK;
}
