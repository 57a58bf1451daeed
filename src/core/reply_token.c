/* reply_token.c: tokens of outbound messages for matching replies (reply_token.h). */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "core/reply_token.h"
#include "mail/compose.h"

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

static int token_char(char c);

/* token_char: a character of our base32 alphabet (lower case). */
static int
token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7');
}

lc_err
reply_token_msgid_new(const char *domain, char out[REPLY_MSGID_MAX])
{
	unsigned char raw[10];
	char base[MAIL_MSGID_MAX], token[REPLY_TOKEN_LEN + 1];
	unsigned acc = 0, bits = 0;
	size_t i, k = 0;
	lc_err e;

	out[0] = '\0';
	/* the random part and the domain check are compose's; the token goes in front */
	if ((e = mail_message_id_new(domain, base)) != LC_OK)
		return e;
	randombytes_buf(raw, sizeof(raw));
	for (i = 0; i < sizeof(raw); i++) {
		acc = (acc << 8) | raw[i];
		bits += 8;
		while (bits >= 5) {
			token[k++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	token[k] = '\0';
	sodium_memzero(raw, sizeof(raw));
	if ((size_t)snprintf(out, REPLY_MSGID_MAX, "<%s.%s", token, base + 1) >= REPLY_MSGID_MAX) {
		out[0] = '\0';
		return LC_EINVAL;
	}
	return LC_OK;
}

int
reply_token_of_msgid(const char *msgid, char out[REPLY_TOKEN_LEN + 1])
{
	size_t i;

	if (msgid == NULL || msgid[0] != '<')
		return 0;
	for (i = 0; i < REPLY_TOKEN_LEN; i++)
		if (!token_char(msgid[1 + i]))
			return 0;
	if (msgid[1 + REPLY_TOKEN_LEN] != '.')
		return 0;
	memcpy(out, msgid + 1, REPLY_TOKEN_LEN);
	out[REPLY_TOKEN_LEN] = '\0';
	return 1;
}

int
reply_token_of_address(const char *addr, char out[REPLY_TOKEN_LEN + 1])
{
	const char *at, *plus;
	size_t i;

	if (addr == NULL || (at = strrchr(addr, '@')) == NULL)
		return 0;
	for (plus = at; plus > addr && plus[-1] != '+'; plus--)
		;
	if (plus == addr || (size_t)(at - plus) != REPLY_TOKEN_LEN)
		return 0;
	for (i = 0; i < REPLY_TOKEN_LEN; i++) {
		char c = plus[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!token_char(c))
			return 0;
		out[i] = c;
	}
	out[REPLY_TOKEN_LEN] = '\0';
	return 1;
}

int
reply_token_address(const char *base, const char *msgid, char *out, size_t len)
{
	char token[REPLY_TOKEN_LEN + 1];
	const char *at;

	if (len > 0)
		out[0] = '\0';
	if (base == NULL || !reply_token_of_msgid(msgid, token) ||
	    (at = strrchr(base, '@')) == NULL || at == base ||
	    memchr(base, '+', (size_t)(at - base)) != NULL)
		return 0;
	if ((size_t)snprintf(out, len, "%.*s+%s%s", (int)(at - base), base, token, at) >= len) {
		if (len > 0)
			out[0] = '\0';
		return 0;
	}
	return 1;
}
