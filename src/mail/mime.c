/* mime.c: inbound mail parsing with GMime 3.
 *
 * GMime does the MIME structure (headers, RFC 2047 words, boundaries, transfer encodings,
 * address lists, dates); everything that turns a reply into what the core needs is here:
 * choosing the body, charset conversion with a replacement policy, HTML to text, format=flowed,
 * quote stripping, link extraction, DSN fields and classification. The HTML converter is
 * hand-written because libxml2 is not in the build and a tolerant one-pass tag stripper is
 * what mail needs (no DOM, unbalanced tags, no scripts). Every string that leaves this file
 * passes mime_clean, so it is valid UTF-8 without NUL whatever the input was. */
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <gmime/gmime.h>

#include "mail/mime.h"
#include "util/buf.h"
#include "util/timefmt.h"

#define MIME_DEPTH_MAX 64                 /* MIME levels walked looking for a body or a report */
#define MIME_WORK_MAX ((size_t)256 << 20) /* hard cap of any intermediate buffer */
#define MIME_HDR_MAX 65536                /* bytes of one header value we look at */
#define MIME_FIELD_MAX 1024               /* bytes kept of one DSN or rfc822-headers field value */
#define MIME_ADDR_MAX 320
#define MIME_UNSUB_WORDS 30 /* longest text_new that can be an unsubscribe request */
#define MIME_ATTRIB_MAX 400 /* longest "On ... wrote:" attribution, joined */
#define MIME_WORDS_MAX 64
#define MIME_WORD_LEN 24

static const char mime_fffd[] = "\xEF\xBF\xBD";

/* How a declared charset is read. */
enum mime_cs { MIME_CS_UNDECLARED, MIME_CS_UTF8, MIME_CS_CP1252, MIME_CS_ICONV };

/* State of the HTML to text converter. */
struct mime_html {
	struct buf *out;
	int pre;        /* inside <pre>: whitespace is kept */
	int quote;      /* <blockquote> depth */
	int space;      /* a collapsed space is pending */
	int nl;         /* line breaks pending (0..2) */
	int bol;        /* at the beginning of a line: the quote prefix is not written yet */
	char *href;     /* http(s) target of the open <a>, or NULL */
	size_t a_start; /* out->len when that <a> opened */
};

/* One DSN per-recipient block (RFC 3464 2.3). */
struct mime_dsn {
	char final_rcpt[MIME_ADDR_MAX + 1];
	char orig_rcpt[MIME_ADDR_MAX + 1];
	char status[16];
	char action[16];
};

/* A word list of normalised text for the unsubscribe rules; "|" marks a sentence end. */
struct mime_words {
	size_t n;
	char w[MIME_WORDS_MAX][MIME_WORD_LEN];
	int overflow; /* more words than MIME_WORDS_MAX */
};

struct mime_entity {
	const char *name;
	unsigned cp;
};

static pthread_once_t mime_once = PTHREAD_ONCE_INIT;
static GMimeParserOptions *mime_options;
static int mime_ready;

static const unsigned short mime_cp1252_hi[32] = {0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026,
    0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018,
    0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D,
    0x017E, 0x0178};

/* Named character references seen in mail; the rest stay literal. */
static const struct mime_entity mime_entities[] = {{"amp", '&'}, {"lt", '<'}, {"gt", '>'},
    {"quot", '"'}, {"apos", '\''}, {"nbsp", 0xA0}, {"copy", 0xA9}, {"reg", 0xAE}, {"trade", 0x2122},
    {"hellip", 0x2026}, {"mdash", 0x2014}, {"ndash", 0x2013}, {"lsquo", 0x2018}, {"rsquo", 0x2019},
    {"sbquo", 0x201A}, {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"bdquo", 0x201E}, {"laquo", 0xAB},
    {"raquo", 0xBB}, {"lsaquo", 0x2039}, {"rsaquo", 0x203A}, {"bull", 0x2022}, {"middot", 0xB7},
    {"euro", 0x20AC}, {"pound", 0xA3}, {"yen", 0xA5}, {"cent", 0xA2}, {"sect", 0xA7},
    {"para", 0xB6}, {"deg", 0xB0}, {"plusmn", 0xB1}, {"times", 0xD7}, {"divide", 0xF7},
    {"frac12", 0xBD}, {"frac14", 0xBC}, {"frac34", 0xBE}, {"shy", 0xAD}, {"iexcl", 0xA1},
    {"iquest", 0xBF}, {"ordf", 0xAA}, {"ordm", 0xBA}, {"micro", 0xB5}, {"dagger", 0x2020},
    {"zwnj", 0x200C}, {"zwj", 0x200D}, {"ensp", 0x2002}, {"emsp", 0x2003}, {"thinsp", 0x2009},
    {"Agrave", 0xC0}, {"Aacute", 0xC1}, {"Acirc", 0xC2}, {"Atilde", 0xC3}, {"Auml", 0xC4},
    {"Aring", 0xC5}, {"AElig", 0xC6}, {"Ccedil", 0xC7}, {"Egrave", 0xC8}, {"Eacute", 0xC9},
    {"Ecirc", 0xCA}, {"Euml", 0xCB}, {"Igrave", 0xCC}, {"Iacute", 0xCD}, {"Icirc", 0xCE},
    {"Iuml", 0xCF}, {"Ntilde", 0xD1}, {"Ograve", 0xD2}, {"Oacute", 0xD3}, {"Ocirc", 0xD4},
    {"Otilde", 0xD5}, {"Ouml", 0xD6}, {"Oslash", 0xD8}, {"Ugrave", 0xD9}, {"Uacute", 0xDA},
    {"Ucirc", 0xDB}, {"Uuml", 0xDC}, {"Yacute", 0xDD}, {"szlig", 0xDF}, {"agrave", 0xE0},
    {"aacute", 0xE1}, {"acirc", 0xE2}, {"atilde", 0xE3}, {"auml", 0xE4}, {"aring", 0xE5},
    {"aelig", 0xE6}, {"ccedil", 0xE7}, {"egrave", 0xE8}, {"eacute", 0xE9}, {"ecirc", 0xEA},
    {"euml", 0xEB}, {"igrave", 0xEC}, {"iacute", 0xED}, {"icirc", 0xEE}, {"iuml", 0xEF},
    {"ntilde", 0xF1}, {"ograve", 0xF2}, {"oacute", 0xF3}, {"ocirc", 0xF4}, {"otilde", 0xF5},
    {"ouml", 0xF6}, {"oslash", 0xF8}, {"ugrave", 0xF9}, {"uacute", 0xFA}, {"ucirc", 0xFB},
    {"uuml", 0xFC}, {"yacute", 0xFD}, {"yuml", 0xFF}, {"OElig", 0x152}, {"oelig", 0x153},
    {"Scaron", 0x160}, {"scaron", 0x161}, {"Yuml", 0x178}, {"circ", 0x2C6}, {"tilde", 0x2DC},
    {"larr", 0x2190}, {"rarr", 0x2192}, {"uarr", 0x2191}, {"darr", 0x2193}, {NULL, 0}};

/* Named references that are also recognised without their ';'. */
static const char *const mime_legacy_entities[] = {
    "amp", "lt", "gt", "quot", "nbsp", "copy", "reg", NULL};

/* Elements whose content is not text. */
static const char *const mime_html_skip[] = {"script", "style", "title", "template", NULL};
/* Elements that end a line. */
static const char *const mime_html_block1[] = {"div", "li", "tr", "dt", "dd", "section", "article",
    "header", "footer", "nav", "aside", "center", "address", "form", "fieldset", "figure",
    "figcaption", "main", "caption", "hr", "body", "html", NULL};
/* Elements that end a paragraph (a blank line). */
static const char *const mime_html_block2[] = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "pre", "blockquote", NULL};

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

/* Attribution lines: a start word and the verb that must be in the line. */
static const char *const mime_attrib[][2] = {{"on ", "wrote"}, {"am ", "schrieb"},
    {"le ", "a écrit"}, {"el ", "escribió"}, {"il ", "ha scritto"}, {"op ", "schreef"},
    {"em ", "escreveu"}, {"den ", "skrev"}, {NULL, NULL}};

/* Separator words of an original-message line, inside dashes. */
static const char *const mime_original[] = {"original message", "ursprüngliche nachricht",
    "message d'origine", "mensaje original", "messaggio originale", "oorspronkelijk bericht",
    "mensagem original", "original meddelelse", "ursprungligt meddelande", NULL};

/* Outlook header block: the "From:" line and the "Sent:" line, in some languages. */
static const char *const mime_ol_from[] = {
    "from:", "von:", "de :", "de:", "da:", "van:", "fra:", "från:", NULL};
static const char *const mime_ol_sent[] = {"sent:", "gesendet:", "envoyé :", "envoyé:", "enviado:",
    "enviado el:", "inviato:", "verzonden:", "sendt:", "skickat:", NULL};

/* Forward markers: everything from here on is kept. */
static const char *const mime_forward[] = {"---------- forwarded message",
    "-------- forwarded message", "-----forwarded message", "----- forwarded message",
    "begin forwarded message:", "-------- weitergeleitete nachricht",
    "---------- weitergeleitete nachricht", "-------- message transféré", NULL};

static void mime_init_once(void);
static char mime_lower(char);
static int mime_is_digit(char);
static int mime_is_alpha(char);
static int mime_is_alnum(char);
static int mime_is_wsp(char);
static int mime_has_prefix(const char *, size_t, const char *);
static const char *mime_find(const char *, size_t, const char *);
static int mime_eq(const char *, size_t, const char *);
static int mime_in_list(const char *, size_t, const char *const *);
static size_t mime_utf8_seq(const unsigned char *, size_t);
static lc_err mime_put_cp(struct buf *, unsigned);
static lc_err mime_clean(struct buf *, const char *, size_t, int);
static lc_err mime_dup_line(const char *, int, char **);
static lc_err mime_buf_take(struct buf *, char **);
static void mime_truncate(struct buf *, size_t);
static char *mime_fold(const char *);
static int mime_msgid_ok(const char *, size_t);
static lc_err mime_msgids(const char *, size_t, struct buf *, size_t *);
static lc_err mime_header_ids(GMimeObject *, const char *, int, char **);
static lc_err mime_addr_norm(const char *, char **);
static lc_err mime_address(InternetAddressList *, int, char **, char **);
static int64_t mime_date(GMimeMessage *);
static enum mime_cs mime_charset_kind(const char *);
static lc_err mime_cp1252(struct buf *, const unsigned char *, size_t);
static lc_err mime_iconv(struct buf *, const char *, const char *, size_t, int *);
static lc_err mime_to_utf8(struct buf *, const char *, const char *, size_t);
static const char *mime_html_charset(const char *, size_t, char *, size_t);
static void mime_part_bytes(GMimePart *, const char **, size_t *, GMimeStream **);
static int mime_blank(const char *, size_t);
static lc_err mime_flowed(struct buf *, const char *, size_t, int);
static lc_err mime_part_text(GMimePart *, int, struct buf *);
static int mime_is_attachment(GMimeObject *);
static int mime_ct_is(GMimeObject *, const char *, const char *);
static lc_err mime_body(GMimeObject *, int, struct buf *, int *);
static lc_err mime_html_emit(struct mime_html *, const char *, size_t);
static void mime_html_break(struct mime_html *, int);
static lc_err mime_html_close_a(struct mime_html *);
static size_t mime_html_entity(const char *, size_t, unsigned *);
static lc_err mime_html_text(struct mime_html *, const char *, size_t);
static size_t mime_html_tag(struct mime_html *, const char *, size_t, size_t, lc_err *);
static lc_err mime_html_convert(const char *, size_t, struct buf *);
static int mime_is_quoted(const char *, size_t);
static size_t mime_skip_ws(const char *, size_t);
static int mime_line_starts(const char *, size_t, const char *const *);
static int mime_attribution(const char **, const size_t *, size_t, size_t);
static int mime_original_line(const char *, size_t);
static int mime_outlook_block(const char **, const size_t *, size_t, size_t);
static int mime_underscores(const char *, size_t);
static lc_err mime_strip(const char *, struct buf *);
static int mime_url_char(unsigned char);
static lc_err mime_links(const char *, struct mime_parsed *);
static void mime_words(const char *, size_t, struct mime_words *);
static int mime_words_match(const struct mime_words *, size_t, const char *);
static int mime_words_request(const struct mime_words *, int);
static int mime_field_next(const char *, size_t, size_t *, char *, size_t, char *, size_t);
static int mime_status_parse(const char *, char *, size_t);
static void mime_dsn_rcpt(const char *, char *, size_t);
static lc_err mime_dsn_fields(const char *, size_t, struct mime_parsed *);
static lc_err mime_rfc822_headers_id(const char *, size_t, char **);
static lc_err mime_original_id(GMimeObject *, struct mime_parsed *);
static lc_err mime_report_walk(GMimeObject *, int, struct mime_parsed *, int *);
static GMimeMultipart *mime_report_find(GMimeObject *, const char *, int);
static int mime_is_daemon(const struct mime_parsed *);
static int mime_subject_has(const char *, const char *const *, int);
static int mime_header_yes(GMimeObject *, const char *);
static int mime_auto_reply(GMimeObject *, const struct mime_parsed *, int);
static lc_err mime_bounce_guess(struct mime_parsed *);
static lc_err mime_classify(GMimeMessage *, struct mime_parsed *);

static void
mime_init_once(void)
{
	const char *fallback[] = {"UTF-8", "windows-1252", NULL};

	g_mime_init();
	mime_options = g_mime_parser_options_new();
	g_mime_parser_options_set_address_compliance_mode(mime_options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(
	    mime_options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_rfc2047_compliance_mode(mime_options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_allow_addresses_without_domain(mime_options, TRUE);
	g_mime_parser_options_set_fallback_charsets(mime_options, fallback);
	g_mime_parser_options_set_warning_callback(mime_options, NULL, NULL);
	mime_ready = 1;
}

void
mime_global_init(void)
{
	pthread_once(&mime_once, mime_init_once);
}

void
mime_global_shutdown(void)
{
	if (!mime_ready)
		return;
	g_mime_parser_options_free(mime_options);
	mime_options = NULL;
	mime_ready = 0;
	g_mime_shutdown();
}

const char *
mime_class_name(enum mime_class klass)
{
	switch (klass) {
	case MIME_HUMAN: return "human";
	case MIME_AUTO_REPLY: return "auto_reply";
	case MIME_BOUNCE: return "bounce";
	case MIME_UNSUBSCRIBE: return "unsubscribe";
	}
	return "unknown";
}

/* ASCII-only character classes: independent of the locale. */
static char
mime_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int
mime_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
mime_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
mime_is_alnum(char c)
{
	return mime_is_alpha(c) || mime_is_digit(c);
}

static int
mime_is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* mime_has_prefix is 1 when s[0..len) starts with prefix, ASCII case-insensitively. */
static int
mime_has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t i;

	for (i = 0; prefix[i] != '\0'; i++)
		if (i >= len || mime_lower(s[i]) != mime_lower(prefix[i]))
			return 0;
	return 1;
}

/* mime_find returns the first ASCII case-insensitive occurrence of needle in s[0..len). */
static const char *
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
static int
mime_eq(const char *s, size_t len, const char *lit)
{
	return s != NULL && strlen(lit) == len && mime_has_prefix(s, len, lit);
}

/* mime_in_list is 1 when s[0..len) equals one of list, ASCII case-insensitively. */
static int
mime_in_list(const char *s, size_t len, const char *const *list)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strlen(list[i]) == len && mime_has_prefix(s, len, list[i]))
			return 1;
	return 0;
}

/* mime_utf8_seq returns the length of the well-formed UTF-8 sequence at s (1..4), or 0
 * when s[0] does not start one (overlongs, surrogates and > U+10FFFF are not well-formed). */
static size_t
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

/* mime_put_cp appends code point cp as UTF-8 (U+FFFD for surrogates, 0 and > U+10FFFF). */
static lc_err
mime_put_cp(struct buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return buf_append(b, u, n);
}

/* mime_clean appends s[0..n) to b as valid UTF-8 without NUL: every byte that does not start
 * a well-formed sequence becomes U+FFFD and U+FEFF (BOM) is dropped. With oneline, CR, LF,
 * TAB and other controls become spaces; otherwise CR LF and lone CR become LF, TAB stays,
 * other C0 controls and DEL are dropped. */
static lc_err
mime_clean(struct buf *b, const char *s, size_t n, int oneline)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0, k;
	lc_err e;

	while (i < n) {
		unsigned c = u[i];
		const char *rep = NULL;
		size_t skip = 1;

		if (c >= 0x20 && c < 0x7F) {
			i++;
			continue;
		}
		if (c >= 0x80) {
			if ((k = mime_utf8_seq(u + i, n - i)) != 0 &&
			    !(k == 3 && memcmp(s + i, "\xEF\xBB\xBF", 3) == 0)) {
				i += k;
				continue;
			}
			if (k == 3) {
				rep =
				    ""; /* U+FEFF, a byte order mark or zero-width no-break space */
				skip = 3;
			} else {
				rep = mime_fffd;
			}
		} else if (oneline) {
			rep = " ";
		} else if (c == '\r') {
			rep = "\n";
			if (i + 1 < n && u[i + 1] == '\n')
				skip = 2;
		} else if (c == '\n' || c == '\t') {
			i++;
			continue;
		} else {
			rep = "";
		}
		if ((e = buf_append(b, s + run, i - run)) != LC_OK ||
		    (e = buf_puts(b, rep)) != LC_OK)
			return e;
		i += skip;
		run = i;
	}
	return buf_append(b, s + run, i - run);
}

/* mime_buf_take moves b's string (an empty string when b is empty) into *out. */
static lc_err
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

/* mime_dup_line stores in *out a cleaned one-line copy of s with its ends trimmed: NULL for
 * a NULL s, and for an empty result unless keep_empty. */
static lc_err
mime_dup_line(const char *s, int keep_empty, char **out)
{
	struct buf b;
	size_t start = 0, end;
	lc_err e;

	*out = NULL;
	if (s == NULL)
		return keep_empty ? mime_dup_line("", 1, out) : LC_OK;
	buf_init(&b, MIME_WORK_MAX);
	if ((e = mime_clean(&b, s, strnlen(s, MIME_HDR_MAX), 1)) != LC_OK)
		goto out;
	if ((e = buf_append(&b, "", 0)) != LC_OK)
		goto out;
	end = b.len;
	while (start < end && b.data[start] == ' ')
		start++;
	while (end > start && b.data[end - 1] == ' ')
		end--;
	if (start == end && !keep_empty)
		goto out;
	memmove(b.data, b.data + start, end - start);
	b.data[end - start] = '\0';
	b.len = end - start;
	e = mime_buf_take(&b, out);
out:
	buf_free(&b);
	return e;
}

/* mime_truncate shortens b to at most max bytes without splitting a UTF-8 sequence. */
static void
mime_truncate(struct buf *b, size_t max)
{
	size_t cut = max;

	if (b->len <= max)
		return;
	while (cut > 0 && ((unsigned char)b->data[cut] & 0xC0) == 0x80)
		cut--;
	b->len = cut;
	b->data[cut] = '\0';
}

/* mime_fold returns a case-folded copy (g_free) of valid UTF-8 s, or NULL. */
static char *
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
static lc_err
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
static lc_err
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

/* mime_addr_norm stores a cleaned addr-spec with ASCII letters lowercased in *out, or NULL
 * when addr is empty or holds whitespace. */
static lc_err
mime_addr_norm(const char *addr, char **out)
{
	char *p;
	lc_err e;

	*out = NULL;
	if ((e = mime_dup_line(addr, 0, out)) != LC_OK || *out == NULL)
		return e;
	for (p = *out; *p != '\0'; p++) {
		if (*p == ' ' || strlen(*out) > MIME_ADDR_MAX) {
			free(*out);
			*out = NULL;
			return LC_OK;
		}
		*p = mime_lower(*p);
	}
	return LC_OK;
}

/* mime_address reads the first mailbox of list (looking into one level of groups) into
 * *email and, when name is not NULL, its display name into *name. */
static lc_err
mime_address(InternetAddressList *list, int depth, char **email, char **name)
{
	int i, n;
	lc_err e;

	if (list == NULL || depth > 1)
		return LC_OK;
	n = internet_address_list_length(list);
	for (i = 0; i < n && *email == NULL; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			e = mime_address(
			    internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)),
			    depth + 1, email, name);
			if (e != LC_OK)
				return e;
			continue;
		}
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		e = mime_addr_norm(
		    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)), email);
		if (e != LC_OK)
			return e;
		if (*email != NULL && name != NULL)
			return mime_dup_line(internet_address_get_name(ia), 0, name);
	}
	return LC_OK;
}

/* mime_date returns the Date header in UTC ms, or -1. */
static int64_t
mime_date(GMimeMessage *msg)
{
	GDateTime *dt = g_mime_message_get_date(msg);
	gint64 s;
	int64_t ms;

	if (dt == NULL)
		return -1;
	s = g_date_time_to_unix(dt);
	if (s < 0 || s > TIME_MAX_MS / 1000)
		return -1;
	ms = (int64_t)s * 1000 + g_date_time_get_microsecond(dt) / 1000;
	return (ms < TIME_MIN_MS || ms > TIME_MAX_MS) ? -1 : ms;
}

/* mime_charset_kind says how text declared in charset is read. US-ASCII and undeclared text
 * is UTF-8 when it is valid UTF-8 and windows-1252 otherwise; ISO-8859-1 is read as its
 * superset windows-1252, as browsers do. */
static enum mime_cs
mime_charset_kind(const char *cs)
{
	static const char *const undeclared[] = {"", "us-ascii", "ascii", "ansi_x3.4-1968",
	    "iso646-us", "x-unknown", "unknown-8bit", "unknown", "default", "8bit",
	    "x-user-defined", "us", NULL};
	static const char *const utf8[] = {
	    "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8", "unicode", NULL};
	static const char *const cp1252[] = {"iso-8859-1", "iso8859-1", "iso_8859-1",
	    "iso_8859-1:1987", "latin1", "latin-1", "l1", "iso-ir-100", "cp819", "ibm819",
	    "csisolatin1", "windows-1252", "cp1252", "x-cp1252", "windows-cp1252", "cp-1252", NULL};
	size_t n;

	if (cs == NULL)
		return MIME_CS_UNDECLARED;
	n = strlen(cs);
	if (mime_in_list(cs, n, undeclared))
		return MIME_CS_UNDECLARED;
	if (mime_in_list(cs, n, utf8))
		return MIME_CS_UTF8;
	if (mime_in_list(cs, n, cp1252))
		return MIME_CS_CP1252;
	return MIME_CS_ICONV;
}

/* mime_cp1252 appends windows-1252 s[0..n) as UTF-8 (the five unassigned bytes map to the
 * C1 controls of the same value, as in the WHATWG encoding standard). */
static lc_err
mime_cp1252(struct buf *b, const unsigned char *s, size_t n)
{
	size_t i, run = 0;
	lc_err e;

	for (i = 0; i < n; i++) {
		unsigned c = s[i];

		if (c < 0x80)
			continue;
		if ((e = buf_append(b, s + run, i - run)) != LC_OK)
			return e;
		if ((e = mime_put_cp(b, c < 0xA0 ? mime_cp1252_hi[c - 0x80] : c)) != LC_OK)
			return e;
		run = i + 1;
	}
	return buf_append(b, s + run, n - run);
}

/* mime_iconv appends s[0..n) converted from charset cs with iconv; an invalid or incomplete
 * sequence becomes U+FFFD and conversion goes on after its first byte. *known is 0 when
 * iconv does not know cs (then nothing is appended). */
static lc_err
mime_iconv(struct buf *b, const char *cs, const char *s, size_t n, int *known)
{
	iconv_t cd;
	char chunk[4096];
	char *in = (char *)(uintptr_t)s, *op;
	size_t il = n, ol;
	lc_err e = LC_OK;

	*known = 0;
	if ((cd = iconv_open("UTF-8", g_mime_charset_iconv_name(cs))) == (iconv_t)-1)
		return LC_OK;
	*known = 1;
	for (;;) {
		size_t r;
		int err;

		op = chunk;
		ol = sizeof(chunk);
		r = il > 0 ? iconv(cd, &in, &il, &op, &ol) : iconv(cd, NULL, NULL, &op, &ol);
		err = errno;
		if ((e = buf_append(b, chunk, sizeof(chunk) - ol)) != LC_OK)
			goto out;
		if (r != (size_t)-1) {
			if (il == 0 && op == chunk)
				break;
			continue;
		}
		if (err == E2BIG)
			continue;
		if (err == EILSEQ || err == EINVAL) {
			if ((e = buf_puts(b, mime_fffd)) != LC_OK)
				goto out;
			if (il > 0) {
				in++;
				il--;
			}
			continue;
		}
		break;
	}
out:
	iconv_close(cd);
	return e;
}

/* mime_to_utf8 appends s[0..n), declared in charset cs (may be NULL), as UTF-8 (which may
 * still hold invalid sequences or controls: mime_clean runs afterwards). */
static lc_err
mime_to_utf8(struct buf *b, const char *cs, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, k;
	int known;
	lc_err e;

	switch (mime_charset_kind(cs)) {
	case MIME_CS_UTF8: return buf_append(b, s, n);
	case MIME_CS_CP1252: return mime_cp1252(b, u, n);
	case MIME_CS_ICONV:
		if ((e = mime_iconv(b, cs, s, n, &known)) != LC_OK || known)
			return e;
		break;
	case MIME_CS_UNDECLARED: break;
	}
	for (i = 0; i < n; i += k)
		if ((k = mime_utf8_seq(u + i, n - i)) == 0)
			return mime_cp1252(b, u, n);
	return buf_append(b, s, n);
}

/* mime_html_charset finds a <meta> charset in the first 4 KiB of html and copies it to cs
 * (size csz); returns cs or NULL. */
static const char *
mime_html_charset(const char *html, size_t n, char *cs, size_t csz)
{
	const char *p;
	size_t i = 0;

	if (n > 4096)
		n = 4096;
	if ((p = mime_find(html, n, "charset=")) == NULL)
		return NULL;
	p += 8;
	n -= (size_t)(p - html);
	while (n > 0 && (*p == '"' || *p == '\'' || *p == ' ')) {
		p++;
		n--;
	}
	while (i < n && i + 1 < csz &&
	       (mime_is_alnum(p[i]) || p[i] == '-' || p[i] == '_' || p[i] == ':' || p[i] == '.')) {
		cs[i] = p[i];
		i++;
	}
	cs[i] = '\0';
	return i > 0 ? cs : NULL;
}

/* mime_part_bytes decodes the content of part (transfer encoding undone) into a memory
 * stream that the caller unrefs: *data (never NULL) holds its first *len bytes, at most
 * MIME_TEXT_MAX. */
static void
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

/* mime_blank is 1 when s[0..n) holds only whitespace. */
static int
mime_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!mime_is_wsp(s[i]))
			return 0;
	return 1;
}

/* mime_flowed appends LF text s[0..n) in format=flowed (RFC 3676) as fixed lines: soft line
 * breaks (a trailing space) are joined, space-stuffing is removed and quoted lines are
 * written with a "> " prefix per level. delsp removes the space of a soft break. */
static lc_err
mime_flowed(struct buf *b, const char *s, size_t n, int delsp)
{
	size_t i = 0, depth = 0, k;
	int open = 0; /* a paragraph is being written */
	lc_err e;

	while (i < n) {
		const char *line = s + i, *nl = memchr(line, '\n', n - i);
		size_t len = nl ? (size_t)(nl - line) : n - i, d = 0;
		int flowed;

		i += len + (nl ? 1 : 0);
		while (d < len && line[d] == '>')
			d++;
		line += d;
		len -= d;
		if (len > 0 && line[0] == ' ')
			line++, len--;
		flowed =
		    len > 0 && line[len - 1] == ' ' && !(len == 3 && memcmp(line, "-- ", 3) == 0);
		if (flowed && delsp)
			len--;
		if (open && d != depth) {
			if ((e = buf_puts(b, "\n")) != LC_OK)
				return e;
			open = 0;
		}
		if (!open) {
			for (k = 0; k < d; k++)
				if ((e = buf_puts(b, ">")) != LC_OK)
					return e;
			if (d > 0 && (e = buf_puts(b, " ")) != LC_OK)
				return e;
			depth = d;
			open = 1;
		}
		if ((e = buf_append(b, line, len)) != LC_OK)
			return e;
		if (!flowed) {
			if ((e = buf_puts(b, "\n")) != LC_OK)
				return e;
			open = 0;
		}
	}
	return open ? buf_puts(b, "\n") : LC_OK;
}

/* mime_part_text appends the text of a text/plain (html 0) or text/html (html 1) part:
 * decoded, converted to UTF-8, cleaned, then converted from HTML or format=flowed. */
static lc_err
mime_part_text(GMimePart *part, int html, struct buf *out)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	GMimeStream *stream = NULL;
	struct buf u, c;
	const char *data, *cs, *fmt, *delsp;
	char meta[64];
	size_t n;
	lc_err e;

	buf_init(&u, MIME_WORK_MAX);
	buf_init(&c, MIME_WORK_MAX);
	mime_part_bytes(part, &data, &n, &stream);
	cs = g_mime_object_get_content_type_parameter(obj, "charset");
	if (html && (cs == NULL || *cs == '\0'))
		cs = mime_html_charset(data, n, meta, sizeof(meta));
	if ((e = mime_to_utf8(&u, cs, data, n)) != LC_OK)
		goto out;
	if ((e = mime_clean(&c, u.data ? u.data : "", u.len, 0)) != LC_OK)
		goto out;
	if (html) {
		e = mime_html_convert(c.data ? c.data : "", c.len, out);
	} else {
		fmt = g_mime_object_get_content_type_parameter(obj, "format");
		delsp = g_mime_object_get_content_type_parameter(obj, "delsp");
		if (mime_eq(fmt, strlen(fmt ? fmt : ""), "flowed"))
			e = mime_flowed(out, c.data ? c.data : "", c.len,
			    mime_eq(delsp, strlen(delsp ? delsp : ""), "yes"));
		else
			e = buf_append(out, c.data ? c.data : "", c.len);
	}
out:
	if (stream != NULL)
		g_object_unref(stream);
	buf_free(&u);
	buf_free(&c);
	return e;
}

/* mime_is_attachment is 1 when obj has Content-Disposition: attachment. */
static int
mime_is_attachment(GMimeObject *obj)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(obj);

	return d != NULL && g_mime_content_disposition_is_attachment(d);
}

/* mime_ct_is is 1 when obj's content type is type/subtype (subtype "*" matches any). */
static int
mime_ct_is(GMimeObject *obj, const char *type, const char *subtype)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);

	return ct != NULL && g_mime_content_type_is_type(ct, type, subtype);
}

/* mime_body appends to out the best text of obj and sets *found when there was some: see
 * struct mime_parsed.text. Attachments and attached messages are never read. */
static lc_err
mime_body(GMimeObject *obj, int depth, struct buf *out, int *found)
{
	GMimeMultipart *mp;
	size_t mark = out->len;
	int i, n, pass;
	lc_err e;

	*found = 0;
	if (obj == NULL || depth > MIME_DEPTH_MAX)
		return LC_OK;
	if (GMIME_IS_PART(obj)) {
		if (mime_is_attachment(obj))
			return LC_OK;
		if (mime_ct_is(obj, "text", "plain"))
			e = mime_part_text(GMIME_PART(obj), 0, out);
		else if (mime_ct_is(obj, "text", "html"))
			e = mime_part_text(GMIME_PART(obj), 1, out);
		else
			return LC_OK;
		if (e != LC_OK)
			return e;
		if (mime_blank(out->data ? out->data + mark : "", out->len - mark)) {
			out->len = mark;
			if (out->data != NULL)
				out->data[mark] = '\0';
		} else {
			*found = 1;
		}
		return LC_OK;
	}
	if (!GMIME_IS_MULTIPART(obj) || GMIME_IS_MULTIPART_ENCRYPTED(obj))
		return LC_OK;
	mp = GMIME_MULTIPART(obj);
	n = g_mime_multipart_get_count(mp);
	if (mime_ct_is(obj, "multipart", "alternative")) {
		/* pass 0: text/plain; pass 1: anything else (HTML, related, nested) */
		for (pass = 0; pass < 2; pass++) {
			for (i = 0; i < n; i++) {
				GMimeObject *c = g_mime_multipart_get_part(mp, i);
				int plain = GMIME_IS_PART(c) && mime_ct_is(c, "text", "plain");

				if (plain != (pass == 0))
					continue;
				if ((e = mime_body(c, depth + 1, out, found)) != LC_OK || *found)
					return e;
			}
		}
		return LC_OK;
	}
	if (mime_ct_is(obj, "multipart", "related")) {
		const char *start = g_mime_object_get_content_type_parameter(obj, "start");
		GMimeObject *root = NULL;
		char cid[256];
		size_t sl;

		if (start != NULL && (sl = strlen(start)) > 2 && sl < sizeof(cid) &&
		    start[0] == '<') {
			memcpy(cid, start + 1, sl - 2);
			cid[sl - 2] = '\0';
			root = g_mime_multipart_get_subpart_from_content_id(mp, cid);
		}
		if (root == NULL && n > 0)
			root = g_mime_multipart_get_part(mp, 0);
		return mime_body(root, depth + 1, out, found);
	}
	for (i = 0; i < n; i++) {
		GMimeObject *c = g_mime_multipart_get_part(mp, i);

		if (mime_is_attachment(c))
			continue;
		if ((e = mime_body(c, depth + 1, out, found)) != LC_OK || *found)
			return e;
	}
	return LC_OK;
}

/* mime_html_emit writes text s[0..n) (already entity-decoded) through the whitespace rules:
 * runs of whitespace collapse to one space outside <pre>, pending line breaks are written
 * before the next visible character, and each line inside <blockquote> starts with "> ". */
static lc_err
mime_html_emit(struct mime_html *h, const char *s, size_t n)
{
	size_t i;
	int q;
	lc_err e;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (h->pre && c == '\n') {
			if ((e = buf_puts(h->out, "\n")) != LC_OK)
				return e;
			h->bol = 1;
			h->space = 0;
			continue;
		}
		if (!h->pre && mime_is_wsp(c)) {
			h->space = 1;
			continue;
		}
		if (h->nl > 0 && h->out->len > 0) {
			if ((e = buf_puts(h->out, h->nl > 1 ? "\n\n" : "\n")) != LC_OK)
				return e;
			h->bol = 1;
		}
		h->nl = 0;
		if (h->bol) {
			for (q = 0; q < h->quote; q++)
				if ((e = buf_puts(h->out, "> ")) != LC_OK)
					return e;
			h->bol = 0;
			h->space = 0;
		}
		if (h->space && h->out->len > 0 && h->out->data[h->out->len - 1] != ' ' &&
		    h->out->data[h->out->len - 1] != '\n' && (e = buf_puts(h->out, " ")) != LC_OK)
			return e;
		h->space = 0;
		if ((e = buf_append(h->out, &c, 1)) != LC_OK)
			return e;
	}
	return LC_OK;
}

/* mime_html_break asks for n line breaks (1: end of line, 2: blank line) before the next
 * text; n < 0 adds one (for <br>). Pending spaces are dropped. */
static void
mime_html_break(struct mime_html *h, int n)
{
	if (n < 0)
		h->nl = h->nl < 2 ? h->nl + 1 : 2;
	else if (h->nl < n)
		h->nl = n;
	h->space = 0;
	if (h->out->len == 0)
		h->nl = 0;
}

/* mime_html_close_a ends the open <a>: when its text is not empty and does not show the URL
 * already, " <url>" is written after it, so the target stays in the text. */
static lc_err
mime_html_close_a(struct mime_html *h)
{
	lc_err e = LC_OK;
	const char *t;
	size_t tl;

	if (h->href == NULL)
		return LC_OK;
	t = h->out->data ? h->out->data + h->a_start : "";
	tl = h->out->len - h->a_start;
	if (!mime_blank(t, tl) && memmem(t, tl, h->href, strlen(h->href)) == NULL) {
		h->space = 1;
		if ((e = mime_html_emit(h, "<", 1)) == LC_OK &&
		    (e = mime_html_emit(h, h->href, strlen(h->href))) == LC_OK)
			e = mime_html_emit(h, ">", 1);
	}
	free(h->href);
	h->href = NULL;
	return e;
}

/* mime_html_entity reads a character reference at s[0] == '&' and stores its code point in
 * *cp; returns its length, or 0 when s does not start one (the '&' is then literal). */
static size_t
mime_html_entity(const char *s, size_t n, unsigned *cp)
{
	size_t i = 1, k, start;
	unsigned v = 0;
	int hex = 0;

	if (n > 1 && s[1] == '#') {
		i = 2;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			hex = 1;
			i++;
		}
		start = i;
		while (i < n && i - start < 8) {
			char c = mime_lower(s[i]);

			if (mime_is_digit(c))
				v = v * (hex ? 16 : 10) + (unsigned)(c - '0');
			else if (hex && c >= 'a' && c <= 'f')
				v = v * 16 + (unsigned)(c - 'a' + 10);
			else
				break;
			i++;
		}
		if (i == start)
			return 0;
		while (i < n && (mime_is_digit(s[i]) || (hex && mime_is_alnum(s[i]))))
			i++, v = 0x110000; /* too many digits */
		if (i < n && s[i] == ';')
			i++;
		if (v >= 0x80 && v < 0xA0)
			v = mime_cp1252_hi[v - 0x80];
		*cp = v;
		return i;
	}
	while (i < n && i < 10 && mime_is_alnum(s[i]))
		i++;
	for (k = 0; mime_entities[k].name != NULL; k++) {
		size_t l = strlen(mime_entities[k].name);

		if (l != i - 1 || memcmp(s + 1, mime_entities[k].name, l) != 0)
			continue;
		if (i < n && s[i] == ';') {
			*cp = mime_entities[k].cp;
			return i + 1;
		}
		/* references that HTML 5 (13.5) also knows without ';', for the common ones */
		if (mime_in_list(mime_entities[k].name, l, mime_legacy_entities)) {
			*cp = mime_entities[k].cp;
			return i;
		}
	}
	return 0;
}

/* mime_html_text decodes character references of s[0..n) and emits the result; a reference
 * to a control character becomes whitespace (TAB, LF, CR, FF, VT) or nothing. */
static lc_err
mime_html_text(struct mime_html *h, const char *s, size_t n)
{
	size_t i = 0, run = 0, k;
	unsigned cp;
	struct buf one;
	lc_err e;

	while (i < n) {
		if (s[i] != '&' || (k = mime_html_entity(s + i, n - i, &cp)) == 0) {
			i++;
			continue;
		}
		if ((e = mime_html_emit(h, s + run, i - run)) != LC_OK)
			return e;
		/* a reference can name any code point: keep the text's rules (no CR, no
		 * controls but TAB and LF) */
		if (cp == 0xA0 || cp == '\t' || cp == '\f' || cp == '\v') {
			e = mime_html_emit(h, " ", 1);
		} else if (cp == '\r' || cp == '\n') {
			e = mime_html_emit(h, "\n", 1);
		} else if ((cp > 0 && cp < 0x20) || cp == 0x7F) {
			e = LC_OK;
		} else {
			buf_init(&one, 8);
			if ((e = mime_put_cp(&one, cp)) == LC_OK)
				e = mime_html_emit(h, one.data, one.len);
			buf_free(&one);
		}
		if (e != LC_OK)
			return e;
		i += k;
		run = i;
	}
	return mime_html_emit(h, s + run, n - run);
}

/* mime_html_tag handles the markup starting at s[i] == '<' and returns the index after it
 * (i + 1 when the '<' is literal text, which the caller then emits). */
static size_t
mime_html_tag(struct mime_html *h, const char *s, size_t n, size_t i, lc_err *e)
{
	char name[16];
	size_t p = i + 1, nl = 0, k;
	int closing = 0;
	const char *end;
	struct buf href;

	*e = LC_OK;
	if (p < n && s[p] == '!') {
		if (n - p >= 3 && memcmp(s + p, "!--", 3) == 0) {
			end = mime_find(s + p + 3, n - p - 3, "-->");
			return end ? (size_t)(end - s) + 3 : n;
		}
		end = memchr(s + p, '>', n - p);
		return end ? (size_t)(end - s) + 1 : n;
	}
	if (p < n && s[p] == '?') {
		end = memchr(s + p, '>', n - p);
		return end ? (size_t)(end - s) + 1 : n;
	}
	if (p < n && s[p] == '/') {
		closing = 1;
		p++;
	}
	if (p >= n || !mime_is_alpha(s[p]))
		return i + 1;
	while (p < n && (mime_is_alnum(s[p]) || s[p] == ':' || s[p] == '-')) {
		if (nl + 1 < sizeof(name))
			name[nl] = mime_lower(s[p]);
		nl++, p++;
	}
	name[nl < sizeof(name) ? nl : sizeof(name) - 1] = '\0';
	if (nl >= sizeof(name))
		name[0] = '\0'; /* too long: no element we know */
	buf_init(&href, (size_t)MIME_LINK_LEN_MAX * 8);
	/* attributes, honouring quotes, up to '>' */
	while (p < n && s[p] != '>') {
		size_t an = p, al, vs, vl;
		char q;

		if (mime_is_wsp(s[p]) || s[p] == '/') {
			p++;
			continue;
		}
		while (p < n && !mime_is_wsp(s[p]) && s[p] != '=' && s[p] != '>' && s[p] != '/')
			p++;
		al = p - an;
		if (al == 0)
			p++;
		while (p < n && mime_is_wsp(s[p]))
			p++;
		if (p >= n || s[p] != '=')
			continue;
		p++;
		while (p < n && mime_is_wsp(s[p]))
			p++;
		if (p < n && (s[p] == '"' || s[p] == '\'')) {
			q = s[p++];
			vs = p;
			while (p < n && s[p] != q)
				p++;
			vl = p - vs;
			if (p < n)
				p++;
		} else {
			vs = p;
			while (p < n && !mime_is_wsp(s[p]) && s[p] != '>')
				p++;
			vl = p - vs;
		}
		if (!closing && strcmp(name, "a") == 0 && al == 4 &&
		    mime_has_prefix(s + an, al, "href")) {
			buf_reset(&href);
			for (k = vs; k < vs + vl; k++) {
				unsigned cp;
				size_t el;

				if (s[k] == '&' &&
				    (el = mime_html_entity(s + k, vs + vl - k, &cp)) > 0) {
					if (mime_put_cp(&href, cp) != LC_OK)
						break;
					k += el - 1;
				} else if (!mime_is_wsp(s[k]) &&
				           buf_append(&href, s + k, 1) != LC_OK) {
					break;
				}
			}
		}
	}
	p = p < n ? p + 1 : n;

	if (!closing && mime_in_list(name, strlen(name), mime_html_skip)) {
		/* skip to the matching end tag */
		char close[20];
		const char *c;

		close[0] = '<';
		close[1] = '/';
		memcpy(close + 2, name, strlen(name) + 1);
		c = mime_find(s + p, n - p, close);
		if (c == NULL) {
			p = n;
		} else {
			end = memchr(c, '>', (size_t)(s + n - c));
			p = end ? (size_t)(end - s) + 1 : n;
		}
	} else if (strcmp(name, "br") == 0) {
		mime_html_break(h, -1);
	} else if (strcmp(name, "a") == 0) {
		if ((*e = mime_html_close_a(h)) != LC_OK)
			goto out;
		if (!closing && href.len > 0 && href.len <= MIME_LINK_LEN_MAX &&
		    (mime_has_prefix(href.data, href.len, "http://") ||
		        mime_has_prefix(href.data, href.len, "https://")) &&
		    mime_utf8_seq((const unsigned char *)href.data, href.len) != 0) {
			struct buf clean;

			buf_init(&clean, MIME_WORK_MAX);
			if ((*e = mime_clean(&clean, href.data, href.len, 1)) == LC_OK)
				*e = mime_buf_take(&clean, &h->href);
			buf_free(&clean);
			if (*e != LC_OK)
				goto out;
			h->a_start = h->out->len;
		}
	} else if (strcmp(name, "pre") == 0) {
		mime_html_break(h, 2);
		h->pre = closing ? 0 : 1;
	} else if (strcmp(name, "blockquote") == 0) {
		mime_html_break(h, 1);
		if (closing && h->quote > 0)
			h->quote--;
		else if (!closing && h->quote < 32)
			h->quote++;
		h->bol = 1;
	} else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
		h->space = 1;
	} else if (mime_in_list(name, strlen(name), mime_html_block2)) {
		mime_html_break(h, 2);
	} else if (mime_in_list(name, strlen(name), mime_html_block1)) {
		mime_html_break(h, 1);
	} else if (strcmp(name, "img") != 0 && strcmp(name, "span") != 0 && name[0] != '\0') {
		/* inline elements: nothing */
	}
	if (h->nl > 0)
		h->bol = 1;
out:
	buf_free(&href);
	return p;
}

/* mime_html_convert appends the text of UTF-8 HTML s[0..n) to out. */
static lc_err
mime_html_convert(const char *s, size_t n, struct buf *out)
{
	struct mime_html h;
	size_t i = 0, run = 0, start = out->len, next;
	lc_err e = LC_OK;

	memset(&h, 0, sizeof(h));
	h.out = out;
	h.bol = 1;
	/* the converter decides on spaces by looking at what it wrote: start on a clean line */
	if (out->len > 0 && (e = buf_puts(out, "\n")) != LC_OK)
		return e;
	start = out->len;
	h.a_start = start;
	while (i < n) {
		if (s[i] != '<') {
			i++;
			continue;
		}
		if ((e = mime_html_text(&h, s + run, i - run)) != LC_OK)
			goto out;
		next = mime_html_tag(&h, s, n, i, &e);
		if (e != LC_OK)
			goto out;
		if (next == i + 1 && (e = mime_html_emit(&h, "<", 1)) != LC_OK)
			goto out;
		i = run = next;
	}
	if ((e = mime_html_text(&h, s + run, n - run)) != LC_OK)
		goto out;
	e = mime_html_close_a(&h);
	if (e == LC_OK && out->len > start)
		e = buf_puts(out, "\n");
out:
	free(h.href);
	return e;
}

lc_err
mime_html_to_text(const char *html, size_t len, char **out)
{
	struct buf u, t;
	lc_err e;

	*out = NULL;
	buf_init(&u, MIME_WORK_MAX);
	buf_init(&t, MIME_WORK_MAX);
	if (html == NULL)
		html = "";
	if ((e = mime_clean(&u, html, len, 0)) != LC_OK)
		goto out;
	if ((e = mime_html_convert(u.data ? u.data : "", u.len, &t)) != LC_OK)
		goto out;
	e = mime_buf_take(&t, out);
out:
	buf_free(&u);
	buf_free(&t);
	return e;
}

/* mime_is_quoted is 1 for a line that starts with '>' after optional blanks. */
static int
mime_is_quoted(const char *l, size_t n)
{
	size_t i = mime_skip_ws(l, n);

	return i < n && l[i] == '>';
}

/* mime_skip_ws returns the index of the first character of l[0..n) that is not a blank or
 * a '*' (Outlook's plain-text bold). */
static size_t
mime_skip_ws(const char *l, size_t n)
{
	size_t i = 0;

	while (i < n && (l[i] == ' ' || l[i] == '\t' || l[i] == '*'))
		i++;
	return i;
}

/* mime_line_starts is 1 when line l[0..n), after blanks, starts with one of list. */
static int
mime_line_starts(const char *l, size_t n, const char *const *list)
{
	size_t i = mime_skip_ws(l, n), k;

	for (k = 0; list[k] != NULL; k++)
		if (mime_has_prefix(l + i, n - i, list[k]))
			return 1;
	return 0;
}

/* mime_attribution is 1 when lines i.. (joined, at most 3) are an attribution line such as
 * "On Thu, 26 Nov 2026 at 05:40, Marina <m@example.com> wrote:": a known start word, the
 * verb, a digit (every client writes a date), ending with ':'. A single line ending in ':'
 * that holds "wrote" or an address and is followed (after blank lines) by a quoted line
 * counts too, whatever its language. */
static int
mime_attribution(const char **l, const size_t *ln, size_t nl, size_t i)
{
	char join[MIME_ATTRIB_MAX + 1];
	size_t jl = 0, k, a, s;
	int digit;

	for (k = i; k < nl && k < i + 3; k++) {
		if (k > i && jl < MIME_ATTRIB_MAX)
			join[jl++] = ' ';
		if (ln[k] > MIME_ATTRIB_MAX - jl)
			return 0;
		memcpy(join + jl, l[k], ln[k]);
		jl += ln[k];
		while (jl > 0 && (join[jl - 1] == ' ' || join[jl - 1] == '\t'))
			jl--;
		join[jl] = '\0';
		if (jl == 0 || join[jl - 1] != ':')
			continue;
		s = mime_skip_ws(join, jl);
		digit = 0;
		for (a = s; a < jl; a++)
			digit |= mime_is_digit(join[a]);
		for (a = 0; mime_attrib[a][0] != NULL; a++)
			if (digit && mime_has_prefix(join + s, jl - s, mime_attrib[a][0]) &&
			    mime_find(join + s, jl - s, mime_attrib[a][1]) != NULL)
				return 1;
		/* any other language: a line naming someone ("wrote", an address) before a quote */
		if (k == i &&
		    (mime_find(join, jl, "wrote") != NULL || memchr(join, '@', jl) != NULL)) {
			size_t q = k + 1;

			while (q < nl && mime_blank(l[q], ln[q]))
				q++;
			if (q < nl && mime_is_quoted(l[q], ln[q]))
				return 1;
		}
	}
	return 0;
}

/* mime_original_line is 1 for "-----Original Message-----" and its translations: the words
 * between runs of at least two dashes. */
static int
mime_original_line(const char *l, size_t n)
{
	size_t s = mime_skip_ws(l, n), e = n, d1 = 0, d2 = 0;

	while (s < e && l[s] == '-')
		s++, d1++;
	while (e > s && (l[e - 1] == ' ' || l[e - 1] == '\t'))
		e--;
	while (e > s && l[e - 1] == '-')
		e--, d2++;
	while (s < e && l[s] == ' ')
		s++;
	while (e > s && l[e - 1] == ' ')
		e--;
	return d1 >= 2 && d2 >= 2 && mime_in_list(l + s, e - s, mime_original);
}

/* mime_outlook_block is 1 when line i starts an Outlook header block: "From:" followed
 * within 5 lines by "Sent:", or by "Date:" and "Subject:". */
static int
mime_outlook_block(const char **l, const size_t *ln, size_t nl, size_t i)
{
	static const char *const date[] = {"date:", "datum:", "fecha:", "data:", NULL};
	static const char *const subj[] = {"subject:", "betreff:", "objet :", "objet:", "asunto:",
	    "oggetto:", "onderwerp:", "assunto:", "emne:", "ämne:", NULL};
	size_t k;
	int has_date = 0, has_subj = 0;

	if (!mime_line_starts(l[i], ln[i], mime_ol_from))
		return 0;
	for (k = i + 1; k < nl && k <= i + 5; k++) {
		if (mime_line_starts(l[k], ln[k], mime_ol_sent))
			return 1;
		has_date |= mime_line_starts(l[k], ln[k], date);
		has_subj |= mime_line_starts(l[k], ln[k], subj);
	}
	return has_date && has_subj;
}

/* mime_underscores is 1 for an Outlook separator line of at least 10 underscores. */
static int
mime_underscores(const char *l, size_t n)
{
	size_t i = mime_skip_ws(l, n), c = 0;

	while (i < n && l[i] == '_')
		i++, c++;
	return c >= 10 && mime_blank(l + i, n - i);
}

/* mime_strip appends text without its quoted part to out (see struct mime_parsed.text_new). */
static lc_err
mime_strip(const char *text, struct buf *out)
{
	const char **l = NULL;
	size_t *ln = NULL, nl = 0, cap = 0, i, cut, fwd, blank = 0, p;
	size_t tlen = strlen(text);
	lc_err e = LC_OK;

	for (p = 0; p <= tlen;) {
		const char *s = text + p, *nlp = memchr(s, '\n', tlen - p);
		size_t len = nlp ? (size_t)(nlp - s) : tlen - p;

		if (nl == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			const char **nlv = realloc(l, ncap * sizeof(*l));
			size_t *nln;

			if (nlv == NULL) {
				e = LC_ENOMEM;
				goto out;
			}
			l = nlv;
			if ((nln = realloc(ln, ncap * sizeof(*ln))) == NULL) {
				e = LC_ENOMEM;
				goto out;
			}
			ln = nln;
			cap = ncap;
		}
		l[nl] = s;
		ln[nl++] = len;
		p += len + 1;
	}
	/* the first quote header cuts; a forward marker before it keeps the rest */
	cut = fwd = nl;
	for (i = 0; i < nl; i++) {
		if (mime_is_quoted(l[i], ln[i]))
			continue;
		if (mime_line_starts(l[i], ln[i], mime_forward)) {
			fwd = i;
			break;
		}
		if (mime_attribution(l, ln, nl, i) || mime_original_line(l[i], ln[i]) ||
		    mime_outlook_block(l, ln, nl, i)) {
			cut = i;
			break;
		}
		if (mime_underscores(l[i], ln[i])) {
			size_t q = i + 1;

			while (q < nl && mime_blank(l[q], ln[q]))
				q++;
			if (q < nl && mime_line_starts(l[q], ln[q], mime_ol_from)) {
				cut = i;
				break;
			}
		}
	}
	for (i = 0; i < cut; i++) {
		int b = mime_blank(l[i], ln[i]);

		if (i < fwd && mime_is_quoted(l[i], ln[i]))
			continue;
		if (b) {
			blank = 1;
			continue;
		}
		if (blank && out->len > 0 && (e = buf_puts(out, "\n")) != LC_OK)
			goto out;
		blank = 0;
		if (out->len > 0 && (e = buf_puts(out, "\n")) != LC_OK)
			goto out;
		p = ln[i];
		while (p > 0 && (l[i][p - 1] == ' ' || l[i][p - 1] == '\t'))
			p--;
		if ((e = buf_append(out, l[i], p)) != LC_OK)
			goto out;
	}
	if (out->len > 0)
		e = buf_puts(out, "\n");
out:
	free(l);
	free(ln);
	return e;
}

lc_err
mime_text_new(const char *text, char **out)
{
	struct buf b;
	lc_err e;

	*out = NULL;
	buf_init(&b, MIME_WORK_MAX);
	if ((e = mime_strip(text ? text : "", &b)) == LC_OK)
		e = mime_buf_take(&b, out);
	buf_free(&b);
	return e;
}

/* mime_url_char is 1 for a byte that can be part of a URL in text. */
static int
mime_url_char(unsigned char c)
{
	if (c >= 0x80)
		return 1;
	if (c <= 0x20 || c == 0x7F)
		return 0;
	return strchr("<>\"`{}|\\^", c) == NULL;
}

/* mime_links collects the http(s) URLs of text into out->links (see struct mime_parsed). */
static lc_err
mime_links(const char *text, struct mime_parsed *out)
{
	size_t n = strlen(text), i = 0, j, k;

	while (i < n && out->nlinks < MIME_LINKS_MAX) {
		const char *p = mime_find(text + i, n - i, "http");
		size_t s, hs, po = 0, pc = 0, bo = 0, bc = 0; /* ( ) [ ] in the URL */
		char *u;
		int dup = 0;

		if (p == NULL)
			break;
		s = (size_t)(p - text);
		i = s + 4;
		if (s > 0 &&
		    (mime_is_alnum(text[s - 1]) || text[s - 1] == '/' || text[s - 1] == '.'))
			continue;
		if (mime_has_prefix(p, n - s, "https://"))
			hs = s + 8;
		else if (mime_has_prefix(p, n - s, "http://"))
			hs = s + 7;
		else
			continue;
		if (hs >= n || !(mime_is_alnum(text[hs]) || (unsigned char)text[hs] >= 0x80 ||
		                   text[hs] == '['))
			continue;
		for (j = hs; j < n && mime_url_char((unsigned char)text[j]); j++) {
			po += text[j] == '(';
			pc += text[j] == ')';
			bo += text[j] == '[';
			bc += text[j] == ']';
		}
		/* trailing punctuation belongs to the sentence; ')' and ']' only when unbalanced */
		while (j > hs) {
			char c = text[j - 1];

			if (strchr(".,;:!?'*", c) != NULL)
				j--;
			else if (c == ')' && pc > po)
				j--, pc--;
			else if (c == ']' && bc > bo)
				j--, bc--;
			else
				break;
		}
		i = j;
		if (j - s > MIME_LINK_LEN_MAX || j <= hs)
			continue;
		for (k = 0; k < out->nlinks; k++)
			if (strlen(out->links[k]) == j - s && memcmp(out->links[k], p, j - s) == 0)
				dup = 1;
		if (dup)
			continue;
		if (out->links == NULL &&
		    (out->links = calloc(MIME_LINKS_MAX, sizeof(*out->links))) == NULL)
			return LC_ENOMEM;
		if ((u = strndup(p, j - s)) == NULL)
			return LC_ENOMEM;
		out->links[out->nlinks++] = u;
	}
	return LC_OK;
}

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
	if (out->bounce_status == NULL && pick.status[0] != '\0' &&
	    (e = mime_dup_line(pick.status, 0, &out->bounce_status)) != LC_OK)
		return e;
	return LC_OK;
}

/* mime_rfc822_headers_id stores in *id the Message-ID of a header block (text/rfc822-headers
 * or a returned message read as bytes), or NULL. */
static lc_err
mime_rfc822_headers_id(const char *s, size_t n, char **id)
{
	char name[64], value[MIME_FIELD_MAX];
	size_t pos = 0, count;
	struct buf b;
	lc_err e = LC_OK;

	*id = NULL;
	while (mime_field_next(s, n, &pos, name, sizeof(name), value, sizeof(value)) == 1) {
		char *sp;

		if (strcmp(name, "message-id") != 0)
			continue;
		buf_init(&b, MIME_WORK_MAX);
		if ((e = mime_msgids(value, strlen(value), &b, &count)) == LC_OK && count > 0) {
			if ((sp = strchr(b.data, ' ')) != NULL)
				*sp = '\0';
			e = mime_buf_take(&b, id);
		}
		buf_free(&b);
		break;
	}
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
static lc_err
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
		if (p->bounce_status == NULL || p->bounce_recipient == NULL ||
		    p->bounce_original_message_id == NULL)
			return mime_bounce_guess(p);
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

lc_err
mime_parse(const char *raw, size_t len, struct mime_parsed *out)
{
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *msg = NULL;
	GMimeObject *mobj;
	struct buf text, tnew;
	size_t off = 0;
	int found;
	lc_err e;

	if (out == NULL)
		return LC_EINVAL;
	memset(out, 0, sizeof(*out));
	buf_init(&text, MIME_WORK_MAX);
	buf_init(&tnew, MIME_WORK_MAX);
	if (raw == NULL)
		return LC_EINVAL;
	if (len > MIME_RAW_MAX)
		return LC_ENOMEM;
	mime_global_init();
	if (len >= 5 && memcmp(raw, "From ", 5) == 0) {
		const char *nl = memchr(raw, '\n', len);

		off = nl ? (size_t)(nl - raw) + 1 : len;
	}
	stream = g_mime_stream_mem_new_with_buffer(raw + off, len - off);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, mime_options);
	if (msg == NULL ||
	    g_mime_header_list_get_count(g_mime_object_get_header_list(GMIME_OBJECT(msg))) == 0) {
		e = LC_EINVAL;
		goto out;
	}
	mobj = GMIME_OBJECT(msg);
	out->date_ms = mime_date(msg);
	if ((e = mime_header_ids(mobj, "Message-ID", 1, &out->message_id)) != LC_OK ||
	    (e = mime_header_ids(mobj, "In-Reply-To", 1, &out->in_reply_to)) != LC_OK ||
	    (e = mime_header_ids(mobj, "References", 0, &out->references)) != LC_OK ||
	    (e = mime_address(
	         g_mime_message_get_from(msg), 0, &out->from_email, &out->from_name)) != LC_OK ||
	    (e = mime_address(g_mime_message_get_to(msg), 0, &out->to_email, NULL)) != LC_OK ||
	    (e = mime_dup_line(g_mime_message_get_subject(msg), 1, &out->subject)) != LC_OK ||
	    (e = mime_dup_line(g_mime_object_get_header(mobj, "Auto-Submitted"), 0,
	         &out->auto_submitted)) != LC_OK)
		goto out;
	if ((e = mime_body(g_mime_message_get_mime_part(msg), 0, &text, &found)) != LC_OK)
		goto out;
	mime_truncate(&text, MIME_TEXT_MAX);
	if ((e = mime_buf_take(&text, &out->text)) != LC_OK ||
	    (e = mime_strip(out->text, &tnew)) != LC_OK ||
	    (e = mime_buf_take(&tnew, &out->text_new)) != LC_OK ||
	    (e = mime_links(out->text_new, out)) != LC_OK)
		goto out;
	e = mime_classify(msg, out);
out:
	if (msg != NULL)
		g_object_unref(msg);
	if (parser != NULL)
		g_object_unref(parser);
	if (stream != NULL)
		g_object_unref(stream);
	buf_free(&text);
	buf_free(&tnew);
	if (e != LC_OK)
		mime_parsed_free(out);
	return e;
}

void
mime_parsed_free(struct mime_parsed *p)
{
	size_t i;

	if (p == NULL)
		return;
	free(p->message_id);
	free(p->in_reply_to);
	free(p->references);
	free(p->from_email);
	free(p->from_name);
	free(p->to_email);
	free(p->subject);
	free(p->text);
	free(p->text_new);
	free(p->auto_submitted);
	free(p->bounce_recipient);
	free(p->bounce_status);
	free(p->bounce_original_message_id);
	for (i = 0; i < p->nlinks; i++)
		free(p->links[i]);
	free(p->links);
	memset(p, 0, sizeof(*p));
}
