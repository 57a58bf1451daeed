/* mime_classify.c: classification of inbound mail (see mime.c).
 *
 * Auto-reply detection, the unsubscribe word matcher, DSN / bounce parsing (RFC 3464 fields,
 * the returned message's id, a guess from the text when the report is incomplete) and
 * mime_classify, which decides the class of a parsed message. */
#include <stdlib.h>
#include <string.h>
#include <gmime/gmime.h>

#include "mail/mime.h"
#include "mail/mime_internal.h"
#include "util/buf.h"

#define MIME_FIELD_MAX 1024 /* bytes kept of one DSN or rfc822-headers field value */
#define MIME_UNSUB_WORDS 30 /* longest text_new that can be an unsubscribe request */
#define MIME_WORDS_MAX 64
#define MIME_WORD_LEN 24

/* One DSN per-recipient block (RFC 3464 2.3). */
struct mime_dsn {
	char final_rcpt[MIME_ADDR_MAX + 1];
	char orig_rcpt[MIME_ADDR_MAX + 1];
	char status[16];
	char action[16];
	char diag[MIME_DIAG_MAX + 1]; /* Diagnostic-Code, its type ("smtp;") dropped */
};

/* A word list of normalised text for the unsubscribe rules; "|" marks a sentence end. */
struct mime_words {
	size_t n;
	char w[MIME_WORDS_MAX][MIME_WORD_LEN];
	int overflow; /* more words than MIME_WORDS_MAX */
};

/* Subject starts of auto-replies (compared case-folded). */
static const char *const mime_auto_subjects[] = {"out of office", "out of the office",
    "automatic reply", "auto reply", "auto-reply", "autoreply", "auto:", "auto response",
    "auto-response", "autoresponse", "automatic response", "vacation reply", "vacation response",
    "away from the office", "abwesenheitsnotiz", "abwesenheit", "automatische antwort",
    "réponse automatique", "reponse automatique", "absence du bureau", "respuesta automática",
    "respuesta automatica", "fuera de la oficina", "risposta automatica", "fuori ufficio",
    "automatisch antwoord", "resposta automática", "resposta automatica", "automatisk svar",
    "autosvar", "automaattinen vastaus", "odpowiedź automatyczna", "автоматический ответ",
    "自动答复", "自動回覆", "自動応答", NULL};

/* Words that, with X-Auto-Response-Suppress, make a subject an out-of-office one. */
static const char *const mime_ooo_words[] = {"out of office", "out of the office", "ooo", "abwesen",
    "absence", "absent", "vacation", "holiday", "away", "automatic", "auto-reply", "autoreply",
    "auto reply", "congés", "urlaub", NULL};

/* Subject parts of bounces sent from a mailer daemon (compared case-folded, anywhere). */
static const char *const mime_bounce_subjects[] = {"undelivered mail returned to sender",
    "delivery status notification", "undeliverable", "undelivered", "mail delivery failed",
    "mail delivery failure", "delivery failure", "delivery has failed", "failure notice",
    "returned mail", "message not delivered", "could not send message", "delivery notification",
    "mail system error", "delivery incomplete", "non remis", "unzustellbar", "nicht zustellbar",
    "non recapitabile", "no se puede entregar", NULL};

/* Local parts (case-folded prefixes) of mailer daemons. */
static const char *const mime_daemons[] = {"mailer-daemon", "mailerdaemon", "mail-daemon",
    "postmaster", "microsoftexchange", "mdaemon", NULL};

/* Reply and forward prefixes stripped from a subject before the unsubscribe rule. */
static const char *const mime_subject_prefixes[] = {"re:", "re :", "aw:", "sv:", "vs:", "antw:",
    "rif:", "r:", "fw:", "fwd:", "wg:", "tr:", "enc:", "rv:", NULL};

/* Unsubscribe requests as normalised word sequences. */
static const char *const mime_unsub_phrases[] = {"unsubscribe", "unsub", "remove me", "remove us",
    "remove my email", "remove my address", "remove my name", "remove this email",
    "remove this address", "remove from your list", "remove from your mailing list", "take me off",
    "take us off", "take my email off", "take my name off", "take my address off", "stop emailing",
    "stop e mailing", "stop mailing me", "stop sending me", "stop sending us",
    "stop sending emails", "stop sending these", "stop sending this", "stop contacting",
    "stop writing me", "stop writing to me", "stop spamming", "stop messaging me",
    "do not email me", "dont email me", "do not email us", "dont email us", "do not contact me",
    "dont contact me", "do not contact us", "dont contact us", "do not write to me",
    "dont write to me", "do not send me any more", "dont send me any more", "no more emails",
    "no more email", "no more mails", "opt out", "opt me out", "optout", "leave me alone",
    "abmelden", "austragen", "desabonner", "désabonner", "désinscrire", "desinscrire",
    "darme de baja", "dar de baja", NULL};

/* Whole messages that are a request on their own. */
static const char *const mime_unsub_whole[] = {
    "stop", "remove", "please stop", "stop please", "please remove", "remove please", NULL};

/* Words that negate a request when they come just before it in the same sentence. */
static const char *const mime_negations[] = {
    "not", "dont", "never", "cant", "cannot", "wont", "shouldnt", "doesnt", "didnt", "no", NULL};

/* Lines that end a reply's own text on a phone ("Sent from my iPhone"). */
static const char *const mime_sent_from[] = {"sent from my ", "sent from mail for",
    "sent from outlook", "sent from yahoo mail", "get outlook for", "von meinem iphone",
    "von meinem ipad", "von meinem android", "envoyé de mon", "enviado desde mi", "inviato da ",
    NULL};

static void mime_words(const char *, size_t, struct mime_words *);
static int mime_words_match(const struct mime_words *, size_t, const char *);
static int mime_words_request(const struct mime_words *, int);
static int mime_field_next(const char *, size_t, size_t *, char *, size_t, char *, size_t);
static int mime_status_parse(const char *, char *, size_t);
static void mime_dsn_rcpt(const char *, char *, size_t);
static lc_err mime_dsn_fields(const char *, size_t, struct mime_parsed *);
static lc_err mime_rfc822_headers_id(const char *, size_t, char **);
static lc_err mime_first_msgid(const char *, char **);
static lc_err mime_original_id(GMimeObject *, struct mime_parsed *);
static lc_err mime_report_walk(GMimeObject *, int, struct mime_parsed *, int *);
static GMimeMultipart *mime_report_find(GMimeObject *, const char *, int);
static int mime_is_daemon(const struct mime_parsed *);
static int mime_subject_has(const char *, const char *const *, int);
static int mime_header_yes(GMimeObject *, const char *);
static int mime_auto_reply(GMimeObject *, const struct mime_parsed *, int);
static lc_err mime_bounce_guess(struct mime_parsed *);

/* mime_words splits s[0..n) into lowercase words of letters and digits (bytes >= 0x80
 * count as letters, apostrophes are dropped so "don't" is "dont"); sentence punctuation
 * becomes the word "|". */
static void
mime_words(const char *s, size_t n, struct mime_words *w)
{
	size_t i = 0, len = 0;

	memset(w, 0, sizeof(*w));
	while (i <= n) {
		unsigned char c = i < n ? (unsigned char)s[i] : ' ';
		int letter = mime_is_alnum((char)c) || c >= 0x80;

		if (i + 2 < n && memcmp(s + i, "\xE2\x80\x99", 3) == 0) { /* ’ */
			i += 3;
			continue;
		}
		if (c == '\'') {
			i++;
			continue;
		}
		if (letter) {
			if (len + 1 < MIME_WORD_LEN && w->n < MIME_WORDS_MAX)
				w->w[w->n][len++] = mime_lower((char)c);
			i++;
			continue;
		}
		if (len > 0) {
			if (w->n < MIME_WORDS_MAX)
				w->w[w->n++][len] = '\0';
			else
				w->overflow = 1;
			len = 0;
		}
		if (strchr(".,;!?:()", c) != NULL && c != '\0' && w->n > 0 &&
		    strcmp(w->w[w->n - 1], "|") != 0) {
			if (w->n < MIME_WORDS_MAX)
				memcpy(w->w[w->n++], "|", 2);
			else
				w->overflow = 1;
		}
		i++;
	}
}

/* mime_words_match is 1 when the words of phrase (single spaces) are w->w[at..]. */
static int
mime_words_match(const struct mime_words *w, size_t at, const char *phrase)
{
	size_t k = at;
	const char *p = phrase;

	while (*p != '\0') {
		const char *sp = strchr(p, ' ');
		size_t l = sp ? (size_t)(sp - p) : strlen(p);

		if (k >= w->n || strlen(w->w[k]) != l || memcmp(w->w[k], p, l) != 0)
			return 0;
		k++;
		p += l + (sp ? 1 : 0);
	}
	return 1;
}

/* mime_words_request is 1 when w holds an unsubscribe phrase (at its start only, unless
 * anywhere) that none of the three words before it in the same sentence negates, or is one
 * of the whole-message requests ("stop"). */
static int
mime_words_request(const struct mime_words *w, int anywhere)
{
	char whole[3 * MIME_WORD_LEN];
	size_t k, j, b, nwords = 0;
	int neg;

	whole[0] = '\0';
	for (k = 0; k < w->n; k++) {
		if (strcmp(w->w[k], "|") == 0)
			continue;
		if (nwords < 3) {
			if (nwords > 0)
				strncat(whole, " ", sizeof(whole) - strlen(whole) - 1);
			strncat(whole, w->w[k], sizeof(whole) - strlen(whole) - 1);
		}
		nwords++;
	}
	if (nwords > 0 && nwords <= 2 && mime_in_list(whole, strlen(whole), mime_unsub_whole))
		return 1;
	for (k = 0; k < w->n && (anywhere || k == 0); k++) {
		for (j = 0; mime_unsub_phrases[j] != NULL; j++) {
			if (!mime_words_match(w, k, mime_unsub_phrases[j]))
				continue;
			neg = 0;
			for (b = k; b > 0 && k - b < 3; b--) {
				if (strcmp(w->w[b - 1], "|") == 0)
					break;
				if (mime_in_list(w->w[b - 1], strlen(w->w[b - 1]), mime_negations))
					neg = 1;
			}
			if (!neg)
				return 1;
		}
	}
	return 0;
}

int
mime_is_unsubscribe(const char *subject, const char *text_new)
{
	struct mime_words w;
	struct buf b;
	const char *s;
	size_t n, p = 0, count = 0, k;
	int r = 0, stripped;

	if (subject != NULL) {
		s = subject;
		do {
			stripped = 0;
			while (*s == ' ' || *s == '\t')
				s++;
			for (k = 0; mime_subject_prefixes[k] != NULL; k++)
				if (mime_has_prefix(s, strlen(s), mime_subject_prefixes[k])) {
					s += strlen(mime_subject_prefixes[k]);
					stripped = 1;
					break;
				}
		} while (stripped);
		mime_words(s, strnlen(s, 4096), &w);
		if (!w.overflow && w.n <= 12 && mime_words_request(&w, 0))
			return 1;
	}
	if (text_new == NULL)
		return 0;
	/* the sender's own words: up to the signature, without "Sent from my iPhone" lines */
	buf_init(&b, 8192);
	n = strlen(text_new);
	while (p < n) {
		const char *l = text_new + p, *nl = memchr(l, '\n', n - p);
		size_t len = nl ? (size_t)(nl - l) : n - p;

		p += len + 1;
		if ((len == 3 && memcmp(l, "-- ", 3) == 0) || (len == 2 && memcmp(l, "--", 2) == 0))
			break;
		if (mime_line_starts(l, len, mime_sent_from))
			continue;
		if (buf_append(&b, l, len) != LC_OK || buf_puts(&b, "\n") != LC_OK)
			goto out; /* far too long to be a short request */
	}
	if (b.len == 0)
		goto out;
	mime_words(b.data, b.len, &w);
	for (k = 0; k < w.n; k++)
		count += strcmp(w.w[k], "|") != 0;
	if (!w.overflow && count > 0 && count <= MIME_UNSUB_WORDS)
		r = mime_words_request(&w, 1);
out:
	buf_free(&b);
	return r;
}

/* mime_field_next reads the next "Name: value" field of header-like text s[0..n) from *pos:
 * name (lowercased) and the unfolded, trimmed value are cut to their sizes. Returns 1 for a
 * field, 0 for a blank line (the end of a block), -1 at the end of s. Lines that are not
 * fields are skipped. */
static int
mime_field_next(
    const char *s, size_t n, size_t *pos, char *name, size_t nsz, char *value, size_t vsz)
{
	while (*pos < n) {
		const char *l = s + *pos, *nl = memchr(l, '\n', n - *pos), *colon;
		size_t len = nl ? (size_t)(nl - l) : n - *pos, nl_len, vl = 0, k;

		*pos += len + (nl ? 1 : 0);
		if (mime_blank(l, len))
			return 0;
		if (l[0] == ' ' || l[0] == '\t' || (colon = memchr(l, ':', len)) == NULL)
			continue;
		nl_len = (size_t)(colon - l);
		while (nl_len > 0 && (l[nl_len - 1] == ' ' || l[nl_len - 1] == '\t'))
			nl_len--;
		if (nl_len == 0 || nl_len >= nsz || memchr(l, ' ', nl_len) != NULL)
			continue;
		for (k = 0; k < nl_len; k++)
			name[k] = mime_lower(l[k]);
		name[nl_len] = '\0';
		/* value: the rest of this line and every continuation line */
		for (;;) {
			const char *v = colon ? colon + 1 : l;
			size_t vlen = len - (size_t)(v - l);

			for (k = 0; k < vlen; k++) {
				char c = v[k] == '\r' || v[k] == '\t' ? ' ' : v[k];

				if (vl + 1 < vsz)
					value[vl++] = c;
			}
			if (*pos >= n || (s[*pos] != ' ' && s[*pos] != '\t'))
				break;
			l = s + *pos;
			nl = memchr(l, '\n', n - *pos);
			len = nl ? (size_t)(nl - l) : n - *pos;
			if (mime_blank(l, len))
				break;
			*pos += len + (nl ? 1 : 0);
			colon = NULL;
		}
		while (vl > 0 && value[vl - 1] == ' ')
			vl--;
		value[vl] = '\0';
		for (k = 0; k < vl && value[k] == ' '; k++)
			;
		memmove(value, value + k, vl - k + 1);
		return 1;
	}
	return -1;
}

/* mime_status_parse reads an enhanced status code "c.s.d" (RFC 3463: class 2, 4 or 5, one to
 * three digits each) at the start of s into out; 1 when there is one. */
static int
mime_status_parse(const char *s, char *out, size_t osz)
{
	size_t i = 0, part, d;

	if (s[0] != '2' && s[0] != '4' && s[0] != '5')
		return 0;
	for (part = 0; part < 3; part++) {
		if (part > 0) {
			if (s[i] != '.')
				return 0;
			i++;
		}
		for (d = 0; mime_is_digit(s[i]); d++, i++)
			;
		if (d == 0 || d > 3 || (part == 0 && d != 1))
			return 0;
	}
	if (mime_is_digit(s[i]) || (s[i] == '.' && mime_is_digit(s[i + 1])) || i + 1 > osz)
		return 0;
	memcpy(out, s, i);
	out[i] = '\0';
	return 1;
}

/* mime_dsn_rcpt reads a recipient field ("rfc822; <User@Example.com>") into out as a
 * lowercased addr-spec, or "" when it does not hold one. */
static void
mime_dsn_rcpt(const char *v, char *out, size_t osz)
{
	const char *semi = strchr(v, ';');
	size_t s, e, k;

	out[0] = '\0';
	if (semi != NULL)
		v = semi + 1;
	e = strlen(v);
	s = 0;
	while (s < e && (v[s] == ' ' || v[s] == '<' || v[s] == '"'))
		s++;
	while (e > s && (v[e - 1] == ' ' || v[e - 1] == '>' || v[e - 1] == '"'))
		e--;
	if (e == s || e - s >= osz || memchr(v + s, '@', e - s) == NULL)
		return;
	for (k = s; k < e; k++) {
		if (v[k] == ' ' || v[k] == '<' || v[k] == '>') {
			out[0] = '\0';
			return;
		}
		out[k - s] = mime_lower(v[k]);
	}
	out[e - s] = '\0';
}

/* mime_dsn_fields reads a message/delivery-status body into the bounce fields of out that
 * are still unset: the first per-recipient block whose Action is "failed", else the first
 * one with a recipient. */
static lc_err
mime_dsn_fields(const char *s, size_t n, struct mime_parsed *out)
{
	struct mime_dsn cur, pick;
	char name[64], value[MIME_FIELD_MAX];
	size_t pos = 0;
	int r, have = 0; /* 1: a recipient, 2: a failed recipient */
	lc_err e;

	memset(&cur, 0, sizeof(cur));
	memset(&pick, 0, sizeof(pick));
	do {
		r = mime_field_next(s, n, &pos, name, sizeof(name), value, sizeof(value));
		if (r == 1) {
			if (strcmp(name, "final-recipient") == 0)
				mime_dsn_rcpt(value, cur.final_rcpt, sizeof(cur.final_rcpt));
			else if (strcmp(name, "original-recipient") == 0)
				mime_dsn_rcpt(value, cur.orig_rcpt, sizeof(cur.orig_rcpt));
			else if (strcmp(name, "status") == 0 &&
			         !mime_status_parse(value, cur.status, sizeof(cur.status)))
				cur.status[0] = '\0';
			else if (strcmp(name, "action") == 0) {
				memset(cur.action, 0, sizeof(cur.action));
				memcpy(cur.action, value, strnlen(value, sizeof(cur.action) - 1));
			} else if ((strcmp(name, "original-message-id") == 0 ||
			               strcmp(name, "x-original-message-id") == 0) &&
			           out->bounce_original_message_id == NULL) {
				/* not RFC 3464, but written by some MTAs (and RFC 8098's MDNs) in
				 * reports that return no headers: our message's id all the same */
				if ((e = mime_first_msgid(
				         value, &out->bounce_original_message_id)) != LC_OK)
					return e;
			} else if (strcmp(name, "diagnostic-code") == 0) {
				/* "smtp; 550 5.1.1 ...": the server's words after the type, cut to
				 * MIME_DIAG_MAX (a hostile server's essay is not kept whole) */
				const char *d = strchr(value, ';');

				d = d ? d + 1 : value;
				memset(cur.diag, 0, sizeof(cur.diag));
				memcpy(cur.diag, d, strnlen(d, sizeof(cur.diag) - 1));
			}
			continue;
		}
		if (cur.final_rcpt[0] != '\0' || cur.orig_rcpt[0] != '\0') {
			int failed = mime_has_prefix(cur.action, strlen(cur.action), "failed");

			if (have == 0 || (have == 1 && failed)) {
				pick = cur;
				have = failed ? 2 : 1;
			}
		}
		memset(&cur, 0, sizeof(cur));
	} while (r != -1);
	if (have == 0)
		return LC_OK;
	if (out->bounce_recipient == NULL &&
	    (e = mime_dup_line(pick.orig_rcpt[0] ? pick.orig_rcpt : pick.final_rcpt, 0,
	         &out->bounce_recipient)) != LC_OK)
		return e;
	if (out->bounce_diagnostic == NULL && pick.diag[0] != '\0' &&
	    (e = mime_dup_line(pick.diag, 0, &out->bounce_diagnostic)) != LC_OK)
		return e;
	if (out->bounce_status == NULL && pick.status[0] != '\0' &&
	    (e = mime_dup_line(pick.status, 0, &out->bounce_status)) != LC_OK)
		return e;
	if (out->bounce_action == NULL) {
		/* the action keyword alone, lower case: "failed", "delayed", ... (RFC 3464 2.3.3)
		 */
		char act[sizeof(pick.action)];
		size_t i = 0, j = 0;

		while (pick.action[i] != '\0' && mime_is_wsp(pick.action[i]))
			i++;
		while (
		    pick.action[i] != '\0' && mime_is_alpha(pick.action[i]) && j + 1 < sizeof(act))
			act[j++] = mime_lower(pick.action[i++]);
		act[j] = '\0';
		if (j > 0 && (e = mime_dup_line(act, 0, &out->bounce_action)) != LC_OK)
			return e;
	}
	return LC_OK;
}

/* mime_rfc822_headers_id stores in *id the Message-ID of a header block (text/rfc822-headers
 * or a returned message read as bytes), or NULL. */
static lc_err
mime_rfc822_headers_id(const char *s, size_t n, char **id)
{
	char name[64], value[MIME_FIELD_MAX];
	size_t pos = 0;
	lc_err e = LC_OK;

	*id = NULL;
	while (mime_field_next(s, n, &pos, name, sizeof(name), value, sizeof(value)) == 1) {
		if (strcmp(name, "message-id") != 0)
			continue;
		e = mime_first_msgid(value, id);
		break;
	}
	return e;
}

/* mime_first_msgid stores in *id the first msg-id of a field's value, or NULL. */
static lc_err
mime_first_msgid(const char *value, char **id)
{
	struct buf b;
	size_t count;
	char *sp;
	lc_err e;

	*id = NULL;
	buf_init(&b, MIME_WORK_MAX);
	if ((e = mime_msgids(value, strlen(value), &b, &count)) == LC_OK && count > 0) {
		if ((sp = strchr(b.data, ' ')) != NULL)
			*sp = '\0';
		e = mime_buf_take(&b, id);
	}
	buf_free(&b);
	return e;
}

/* mime_original_id sets out->bounce_original_message_id, when unset, from a returned
 * message (message/rfc822, message/global) or header block (text/rfc822-headers). */
static lc_err
mime_original_id(GMimeObject *obj, struct mime_parsed *out)
{
	GMimeStream *stream = NULL;
	const char *data;
	size_t n;
	lc_err e;

	if (out->bounce_original_message_id != NULL)
		return LC_OK;
	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

		if (m == NULL)
			return LC_OK;
		return mime_header_ids(
		    GMIME_OBJECT(m), "Message-ID", 1, &out->bounce_original_message_id);
	}
	if (!GMIME_IS_PART(obj))
		return LC_OK;
	mime_part_bytes(GMIME_PART(obj), &data, &n, &stream);
	e = mime_rfc822_headers_id(data, n, &out->bounce_original_message_id);
	g_object_unref(stream);
	return e;
}

/* mime_report_walk reads the bounce details below obj: delivery-status parts of every
 * multipart/report and the first returned message or header block. Attached messages are
 * not entered. */
static lc_err
mime_report_walk(GMimeObject *obj, int depth, struct mime_parsed *out, int *in_report)
{
	GMimeStream *stream = NULL;
	GMimeMultipart *mp;
	const char *data;
	size_t len;
	int i, n, saved = *in_report;
	lc_err e = LC_OK;

	if (obj == NULL || depth > MIME_DEPTH_MAX)
		return LC_OK;
	if (GMIME_IS_MESSAGE_PART(obj) || mime_ct_is(obj, "text", "rfc822-headers") ||
	    mime_ct_is(obj, "message", "global") || mime_ct_is(obj, "message", "global-headers") ||
	    mime_ct_is(obj, "message", "rfc822-headers"))
		return mime_original_id(obj, out);
	if (GMIME_IS_PART(obj) && *in_report &&
	    (mime_ct_is(obj, "message", "delivery-status") ||
	        mime_ct_is(obj, "message", "global-delivery-status"))) {
		mime_part_bytes(GMIME_PART(obj), &data, &len, &stream);
		e = mime_dsn_fields(data, len, out);
		g_object_unref(stream);
		return e;
	}
	if (!GMIME_IS_MULTIPART(obj))
		return LC_OK;
	if (mime_ct_is(obj, "multipart", "report")) {
		const char *rt = g_mime_object_get_content_type_parameter(obj, "report-type");

		*in_report = mime_eq(rt, strlen(rt ? rt : ""), "delivery-status");
	}
	mp = GMIME_MULTIPART(obj);
	n = g_mime_multipart_get_count(mp);
	for (i = 0; i < n && e == LC_OK; i++)
		e = mime_report_walk(g_mime_multipart_get_part(mp, i), depth + 1, out, in_report);
	*in_report = saved;
	return e;
}

/* mime_report_find returns the first multipart/report with report-type rtype at obj or at
 * most two multipart levels below it. */
static GMimeMultipart *
mime_report_find(GMimeObject *obj, const char *rtype, int depth)
{
	GMimeMultipart *mp, *r;
	int i, n;

	if (obj == NULL || depth > 2 || !GMIME_IS_MULTIPART(obj))
		return NULL;
	mp = GMIME_MULTIPART(obj);
	if (mime_ct_is(obj, "multipart", "report")) {
		const char *rt = g_mime_object_get_content_type_parameter(obj, "report-type");

		if (mime_eq(rt, strlen(rt ? rt : ""), rtype))
			return mp;
	}
	n = g_mime_multipart_get_count(mp);
	for (i = 0; i < n; i++)
		if ((r = mime_report_find(g_mime_multipart_get_part(mp, i), rtype, depth + 1)))
			return r;
	return NULL;
}

/* mime_is_daemon is 1 when the sender is a mail system (MAILER-DAEMON, postmaster, Exchange,
 * "Mail Delivery System"). */
static int
mime_is_daemon(const struct mime_parsed *p)
{
	size_t k;
	int r = 0;
	char *fold;

	if (p->from_email != NULL)
		for (k = 0; mime_daemons[k] != NULL; k++)
			if (mime_has_prefix(p->from_email, strlen(p->from_email), mime_daemons[k]))
				return 1;
	if (p->from_name == NULL || (fold = mime_fold(p->from_name)) == NULL)
		return 0;
	r = strstr(fold, "mail delivery") != NULL || strstr(fold, "mailer-daemon") != NULL ||
	    strstr(fold, "postmaster") != NULL;
	g_free(fold);
	return r;
}

/* mime_subject_has is 1 when the case-folded subject starts with (prefix) or contains one of
 * list. */
static int
mime_subject_has(const char *subject, const char *const *list, int prefix)
{
	char *fold, *s;
	size_t k;
	int r = 0;

	if (subject == NULL || (fold = mime_fold(subject)) == NULL)
		return 0;
	for (s = fold; *s == ' ' || *s == '\t'; s++)
		;
	for (k = 0; list[k] != NULL && !r; k++)
		r = prefix ? strncmp(s, list[k], strlen(list[k])) == 0 : strstr(s, list[k]) != NULL;
	g_free(fold);
	return r;
}

/* mime_header_yes is 1 when header name is present with a value other than no/false/0. */
static int
mime_header_yes(GMimeObject *obj, const char *name)
{
	static const char *const no[] = {"no", "false", "0", "off", NULL};
	const char *v = g_mime_object_get_header(obj, name);
	size_t s = 0, e;

	if (v == NULL)
		return 0;
	e = strnlen(v, 256);
	while (s < e && mime_is_wsp(v[s]))
		s++;
	while (e > s && mime_is_wsp(v[e - 1]))
		e--;
	return !mime_in_list(v + s, e - s, no);
}

/* mime_auto_reply is 1 for the RFC 3834 headers and their non-standard kin, a read receipt
 * (mdn), or an auto-reply subject: see mime_parse. */
static int
mime_auto_reply(GMimeObject *obj, const struct mime_parsed *p, int mdn)
{
	static const char *const prec[] = {"auto_reply", "auto-reply", "bulk", "junk", NULL};
	const char *v;
	size_t s = 0, e;

	if (mdn)
		return 1;
	if (p->auto_submitted != NULL) {
		v = p->auto_submitted;
		e = strcspn(v, " ;(\t");
		if (!mime_eq(v, e, "no"))
			return 1;
	}
	if (mime_header_yes(obj, "X-Autoreply") || mime_header_yes(obj, "X-Autorespond") ||
	    mime_header_yes(obj, "X-Autoresponder"))
		return 1;
	if ((v = g_mime_object_get_header(obj, "Precedence")) != NULL) {
		e = strnlen(v, 256);
		while (s < e && mime_is_wsp(v[s]))
			s++;
		while (e > s && mime_is_wsp(v[e - 1]))
			e--;
		if (mime_in_list(v + s, e - s, prec))
			return 1;
	}
	if (g_mime_object_get_header(obj, "X-Auto-Response-Suppress") != NULL &&
	    !mime_subject_has(p->subject, mime_subject_prefixes, 1) &&
	    mime_subject_has(p->subject, mime_ooo_words, 0))
		return 1;
	return mime_subject_has(p->subject, mime_auto_subjects, 1);
}

/* mime_bounce_guess fills bounce fields still unset from the text of a bounce: the first
 * enhanced status code, else the class of the first SMTP reply code (bounce_hard only); the
 * first address that is not the mail system's, ours (To) or the sender's; the Message-ID of
 * a returned copy pasted into the text. */
static lc_err
mime_bounce_guess(struct mime_parsed *p)
{
	const char *t = p->text;
	size_t n = strlen(t), i, s, e2;
	char st[16], cand[MIME_ADDR_MAX + 1], addr[MIME_ADDR_MAX + 1];
	lc_err e;
	int smtp = 0;

	for (i = 0; i < n && p->bounce_status == NULL; i++) {
		if (i > 0 && (mime_is_alnum(t[i - 1]) || t[i - 1] == '.'))
			continue;
		if (mime_status_parse(t + i, st, sizeof(st))) {
			if ((e = mime_dup_line(st, 0, &p->bounce_status)) != LC_OK)
				return e;
		} else if (smtp == 0 && i + 3 < n && (t[i] == '4' || t[i] == '5') &&
		           mime_is_digit(t[i + 1]) && mime_is_digit(t[i + 2]) &&
		           (t[i + 3] == ' ' || t[i + 3] == '-')) {
			smtp = t[i] - '0';
		}
	}
	if (p->bounce_status != NULL)
		p->bounce_hard = p->bounce_status[0] == '5';
	else
		p->bounce_hard = smtp == 5;
	for (i = 0; i < n && p->bounce_recipient == NULL; i++) {
		if (t[i] != '@')
			continue;
		for (s = i;
		     s > 0 && (mime_is_alnum(t[s - 1]) || strchr("._%+-=", t[s - 1]) != NULL); s--)
			;
		for (e2 = i + 1; e2 < n && (mime_is_alnum(t[e2]) || t[e2] == '.' || t[e2] == '-');
		     e2++)
			;
		while (e2 > i + 1 && t[e2 - 1] == '.')
			e2--;
		if (s == i || e2 == i + 1 || memchr(t + i, '.', e2 - i) == NULL ||
		    e2 - s > MIME_ADDR_MAX)
			continue;
		memcpy(cand, t + s, e2 - s);
		cand[e2 - s] = '\0';
		mime_dsn_rcpt(cand, addr, sizeof(addr));
		if (addr[0] == '\0' || mime_has_prefix(addr, strlen(addr), "postmaster@") ||
		    mime_has_prefix(addr, strlen(addr), "mailer-daemon@") ||
		    (p->to_email != NULL && strcmp(addr, p->to_email) == 0) ||
		    (p->from_email != NULL && strcmp(addr, p->from_email) == 0))
			continue;
		if ((e = mime_dup_line(addr, 0, &p->bounce_recipient)) != LC_OK)
			return e;
	}
	if (p->bounce_original_message_id == NULL) {
		const char *m = t;

		while ((m = mime_find(m, n - (size_t)(m - t), "message-id:")) != NULL) {
			if (m == t || m[-1] == '\n') {
				const char *nl = strchr(m, '\n');

				return mime_rfc822_headers_id(m, nl ? (size_t)(nl - m) : strlen(m),
				    &p->bounce_original_message_id);
			}
			m += 11;
		}
	}
	return LC_OK;
}

/* mime_classify sets p->klass and the bounce fields (see mime_parse). */
lc_err
mime_classify(GMimeMessage *msg, struct mime_parsed *p)
{
	GMimeObject *top = g_mime_message_get_mime_part(msg);
	int in_report = 0, dsn;
	lc_err e;

	dsn = mime_report_find(top, "delivery-status", 0) != NULL;
	if (dsn || (mime_is_daemon(p) && mime_subject_has(p->subject, mime_bounce_subjects, 0))) {
		p->klass = MIME_BOUNCE;
		if ((e = mime_report_walk(top, 0, p, &in_report)) != LC_OK)
			return e;
		if (p->bounce_status != NULL)
			p->bounce_hard = p->bounce_status[0] == '5';
		if ((p->bounce_status == NULL || p->bounce_recipient == NULL ||
		        p->bounce_original_message_id == NULL) &&
		    (e = mime_bounce_guess(p)) != LC_OK)
			return e;
		/* "still being retried": a warning, nothing bounced (a recipient that failed
		 * would have been picked first by mime_dsn_fields) */
		if (p->bounce_action != NULL && strcmp(p->bounce_action, "delayed") == 0) {
			p->klass = MIME_DELAYED;
			p->bounce_hard = 0;
		}
		return LC_OK;
	}
	if (mime_auto_reply(
	        GMIME_OBJECT(msg), p, mime_report_find(top, "disposition-notification", 0) != NULL))
		p->klass = MIME_AUTO_REPLY;
	else if (mime_is_unsubscribe(p->subject, p->text_new))
		p->klass = MIME_UNSUBSCRIBE;
	else
		p->klass = MIME_HUMAN;
	return LC_OK;
}
