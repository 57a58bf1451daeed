/* mailbox_key.c: the [mailboxes] settings of the process and the sealing of mailbox
 * passwords. The key (32 bytes, from the file named by [mailboxes] key_file) is read once
 * at start, before any thread runs, into memory that libsodium locks and wipes; it is
 * never written anywhere. A password is sealed with crypto_secretbox (XSalsa20-Poly1305)
 * under a fresh random nonce stored in front of the ciphertext. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "core/mailbox.h"

static unsigned char *mailbox_key; /* sodium_malloc'd, read-only once threads run */
static int allow_plain;
static unsigned domain_per_hour;
static char ca_file[CONFIG_STR];

static lc_err key_read(const char *, char *, size_t);

/* key_read loads path: exactly 32 bytes, or 64 hex digits (a trailing newline allowed). */
static lc_err
key_read(const char *path, char *why, size_t whylen)
{
	unsigned char raw[130];
	struct stat st;
	ssize_t n;
	size_t len, bin_len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0) {
		snprintf(why, whylen, "[mailboxes] key_file %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return LC_EIO;
	}
	if ((st.st_mode & 077) != 0) {
		close(fd);
		snprintf(why, whylen,
		    "[mailboxes] key_file %s may be read by others (chmod 600 it)", path);
		return LC_EINVAL;
	}
	n = read(fd, raw, sizeof(raw));
	close(fd);
	if (n < 0) {
		snprintf(why, whylen, "[mailboxes] key_file %s: %s", path, strerror(errno));
		return LC_EIO;
	}
	len = (size_t)n;
	if ((mailbox_key = sodium_malloc(crypto_secretbox_KEYBYTES)) == NULL) {
		sodium_memzero(raw, sizeof(raw));
		snprintf(why, whylen, "out of memory");
		return LC_ENOMEM;
	}
	if (len == crypto_secretbox_KEYBYTES) {
		memcpy(mailbox_key, raw, len);
	} else {
		while (len > 0 && (raw[len - 1] == '\n' || raw[len - 1] == '\r'))
			len--;
		if (len != 2 * crypto_secretbox_KEYBYTES ||
		    sodium_hex2bin(mailbox_key, crypto_secretbox_KEYBYTES, (const char *)raw, len,
		        NULL, &bin_len, NULL) != 0 ||
		    bin_len != crypto_secretbox_KEYBYTES) {
			sodium_memzero(raw, sizeof(raw));
			sodium_free(mailbox_key);
			mailbox_key = NULL;
			snprintf(why, whylen,
			    "[mailboxes] key_file %s must hold 32 bytes (raw, or 64 hex digits)",
			    path);
			return LC_EINVAL;
		}
	}
	sodium_memzero(raw, sizeof(raw));
	sodium_mprotect_readonly(mailbox_key);
	return LC_OK;
}

lc_err
mailbox_settings_load(const struct config *cfg, char *why, size_t whylen)
{
	allow_plain = cfg->mailbox_allow_plain;
	domain_per_hour = cfg->mailbox_domain_per_hour;
	snprintf(ca_file, sizeof(ca_file), "%s", cfg->mailbox_ca_file);
	if (cfg->mailbox_key_file[0] == '\0')
		return LC_OK;
	return key_read(cfg->mailbox_key_file, why, whylen);
}

void
mailbox_settings_free(void)
{
	sodium_free(mailbox_key); /* wipes it */
	mailbox_key = NULL;
}

int
mailbox_configured(void)
{
	return mailbox_key != NULL;
}

int
mailbox_allow_plain(void)
{
	return allow_plain;
}

unsigned
mailbox_domain_per_hour(void)
{
	return domain_per_hour;
}

const char *
mailbox_ca_file(void)
{
	return ca_file[0] ? ca_file : NULL;
}

lc_err
secret_seal(const void *plain, size_t len, unsigned char *box, size_t box_max, size_t *box_len)
{
	*box_len = 0;
	if (mailbox_key == NULL ||
	    box_max < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES ||
	    len > box_max - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES)
		return LC_EINVAL;
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	if (crypto_secretbox_easy(
	        box + crypto_secretbox_NONCEBYTES, plain, len, box, mailbox_key) != 0)
		return LC_EINVAL;
	*box_len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
	return LC_OK;
}

lc_err
secret_open(
    const unsigned char *box, size_t box_len, unsigned char *plain, size_t plain_max, size_t *len)
{
	*len = 0;
	if (mailbox_key == NULL ||
	    box_len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return LC_EINVAL;
	if (box_len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES > plain_max)
		return LC_EINVAL;
	if (crypto_secretbox_open_easy(plain, box + crypto_secretbox_NONCEBYTES,
	        box_len - crypto_secretbox_NONCEBYTES, box, mailbox_key) != 0) {
		sodium_memzero(plain, plain_max);
		return LC_EINVAL;
	}
	*len = box_len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	return LC_OK;
}

lc_err
mailbox_seal(const char *password, size_t len, unsigned char *box, size_t *box_len)
{
	_Static_assert(
	    crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + MAILBOX_PASSWORD_MAX <=
	        MAILBOX_BOX_MAX,
	    "a sealed password fits its column");
	*box_len = 0;
	if (len > MAILBOX_PASSWORD_MAX)
		return LC_EINVAL;
	return secret_seal(password, len, box, MAILBOX_BOX_MAX, box_len);
}

lc_err
mailbox_open(const unsigned char *box, size_t box_len, char *password)
{
	size_t len;

	password[0] = '\0';
	if (secret_open(box, box_len, (unsigned char *)password, MAILBOX_PASSWORD_MAX, &len) !=
	    LC_OK)
		return LC_EINVAL;
	password[len] = '\0';
	return LC_OK;
}
