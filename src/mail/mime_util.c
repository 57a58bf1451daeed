/* mime_util.c: the small string and GMime helpers every part of the inbound parser shares
 * (mime_internal.h): ASCII character classes that ignore the locale, bounded searches,
 * message-id lists, a part's bytes. They call nothing else of src/mail, so that mime.c,
 * mime_text.c, mime_html.c, mime_classify.c and mime_ooo.c depend on this file and never on
 * each other in a circle. */
#include <stdlib.h>
#include <string.h>
#include <gmime/gmime.h>

#include "mail/mime.h"
#include "mail/mime_internal.h"
#include "util/buf.h"

static int mime_msgid_ok(const char *, size_t);

/* mime_utf8_seq returns the length of the well-formed UTF-8 sequence at s (1..4), or 0
 * when s[0] does not start one (overlongs, surrogates and > U+10FFFF are not well-formed). */
size_t
mime_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

/* ASCII-only character classes: independent of the locale. */
/* mime_lower returns c lower-cased (ASCII only). */
char
mime_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* mime_is_digit is 1 for an ASCII digit. */
int
mime_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* mime_is_alpha is 1 for an ASCII letter. */
int
mime_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* mime_is_alnum is 1 for an ASCII letter or digit. */
int
mime_is_alnum(char c)
{
	return mime_is_alpha(c) || mime_is_digit(c);
}

/* mime_is_wsp is 1 for ASCII whitespace (space, TAB, CR, LF, FF, VT). */
int
mime_is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* mime_has_prefix is 1 when s[0..len) starts with prefix, ASCII case-insensitively. */
int
mime_has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t i;

	for (i = 0; prefix[i] != '\0'; i++)
		if (i >= len || mime_lower(s[i]) != mime_lower(prefix[i]))
			return 0;
	return 1;
}

/* mime_find returns the first ASCII case-insensitive occurrence of needle in s[0..len). */
const char *
mime_find(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	if (n == 0 || n > len)
		return n == 0 ? s : NULL;
	for (i = 0; i + n <= len; i++)
		if (mime_has_prefix(s + i, len - i, needle))
			return s + i;
	return NULL;
}

/* mime_eq is 1 when s[0..len) (s may be NULL) equals lit, ASCII case-insensitively. */
int
mime_eq(const char *s, size_t len, const char *lit)
{
	return s != NULL && strlen(lit) == len && mime_has_prefix(s, len, lit);
}

/* mime_in_list is 1 when s[0..len) equals one of list, ASCII case-insensitively. */
int
mime_in_list(const char *s, size_t len, const char *const *list)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strlen(list[i]) == len && mime_has_prefix(s, len, list[i]))
			return 1;
	return 0;
}

/* mime_buf_take moves b's string (an empty string when b is empty) into *out. */
lc_err
mime_buf_take(struct buf *b, char **out)
{
	if (b->data == NULL) {
		if ((*out = strdup("")) == NULL)
			return LC_ENOMEM;
		return LC_OK;
	}
	*out = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return LC_OK;
}

/* mime_fold returns a case-folded copy (g_free) of valid UTF-8 s, or NULL. */
char *
mime_fold(const char *s)
{
	if (s == NULL)
		return NULL;
	return g_utf8_casefold(s, -1);
}

/* mime_msgid_ok is 1 for the inside of a usable msg-id: 1..MIME_ID_LEN_MAX - 2 printable
 * bytes (UTF-8 allowed), no whitespace, no angle brackets. */
static int
mime_msgid_ok(const char *s, size_t n)
{
	size_t i, k;

	if (n == 0 || n > MIME_ID_LEN_MAX - 2)
		return 0;
	for (i = 0; i < n; i += k) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == 0x7F || c == '<' || c == '>')
			return 0;
		if ((k = mime_utf8_seq((const unsigned char *)s + i, n - i)) == 0)
			return 0;
	}
	return 1;
}

/* mime_msgids appends to b every msg-id of the header value s[0..n) as "<id>", separated by
 * spaces, and counts them in *count. Ids are the "<...>" groups (folding whitespace inside
 * removed); a value without any "<" is read as whitespace-separated bare ids that contain
 * "@". Unusable ids are skipped. */
lc_err
mime_msgids(const char *s, size_t n, struct buf *b, size_t *count)
{
	char id[MIME_ID_LEN_MAX];
	size_t i = 0, j;
	int angle = memchr(s, '<', n) != NULL;
	lc_err e;

	*count = 0;
	while (i < n) {
		size_t len = 0;
		int bad = 0;

		if (angle) {
			while (i < n && s[i] != '<')
				i++;
			if (i >= n)
				break;
			for (j = i + 1; j < n && s[j] != '>' && s[j] != '<'; j++) {
				if (mime_is_wsp(s[j]))
					continue;
				if (len < sizeof(id))
					id[len++] = s[j];
				else
					bad = 1;
			}
			if (j >= n || s[j] == '<') {
				i = j;
				continue;
			}
			i = j + 1;
		} else {
			while (i < n && mime_is_wsp(s[i]))
				i++;
			for (j = i; j < n && !mime_is_wsp(s[j]); j++) {
				if (len < sizeof(id))
					id[len++] = s[j];
				else
					bad = 1;
			}
			i = j;
			if (memchr(id, '@', len) == NULL)
				bad = 1;
		}
		if (!angle && len > 0 && id[len - 1] == ',')
			len--; /* "a@b, c@d" */
		if (bad || !mime_msgid_ok(id, len))
			continue;
		if ((e = buf_printf(b, "%s<%.*s>", *count ? " " : "", (int)len, id)) != LC_OK)
			return e;
		(*count)++;
	}
	return LC_OK;
}

/* mime_header_ids stores in *out the msg-ids of header name of obj: the first one when
 * first_only, else all of them (the first and the last MIME_REFS_MAX - 1). NULL when none. */
lc_err
mime_header_ids(GMimeObject *obj, const char *name, int first_only, char **out)
{
	const char *v = g_mime_object_get_header(obj, name);
	struct buf b;
	size_t count, skip, i, pos;
	char *sp;
	lc_err e;

	*out = NULL;
	if (v == NULL)
		return LC_OK;
	buf_init(&b, MIME_WORK_MAX);
	if ((e = mime_msgids(v, strnlen(v, MIME_HDR_MAX), &b, &count)) != LC_OK || count == 0)
		goto out;
	if (first_only && (sp = strchr(b.data, ' ')) != NULL) {
		*sp = '\0';
		b.len = (size_t)(sp - b.data);
	} else if (!first_only && count > MIME_REFS_MAX) {
		/* keep "<first>" then drop ids 1 .. count - MIME_REFS_MAX */
		skip = count - MIME_REFS_MAX;
		pos = (size_t)(strchr(b.data, ' ') - b.data);
		sp = b.data + pos;
		for (i = 0; i < skip; i++)
			sp = strchr(sp + 1, ' ');
		memmove(b.data + pos, sp, strlen(sp) + 1);
		b.len = strlen(b.data);
	}
	e = mime_buf_take(&b, out);
out:
	buf_free(&b);
	return e;
}

/* mime_part_bytes decodes the content of part (transfer encoding undone) into a memory
 * stream that the caller unrefs: *data (never NULL) holds its first *len bytes, at most
 * MIME_TEXT_MAX. */
void
mime_part_bytes(GMimePart *part, const char **data, size_t *len, GMimeStream **stream)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GByteArray *arr;

	*stream = g_mime_stream_mem_new();
	if (w != NULL)
		g_mime_data_wrapper_write_to_stream(w, *stream);
	arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(*stream));
	*data = arr->data != NULL ? (const char *)arr->data : "";
	*len = arr->len < MIME_TEXT_MAX ? arr->len : MIME_TEXT_MAX;
}

/* mime_ct_is is 1 when obj's content type is type/subtype (subtype "*" matches any). */
int
mime_ct_is(GMimeObject *obj, const char *type, const char *subtype)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);

	return ct != NULL && g_mime_content_type_is_type(ct, type, subtype);
}
