/* dkim_check.c: libopendkim's verifier with its keys from a file, for the DKIM unit tests
 * (dkim_check.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "dkim_check.h"
#include "util/buf.h"

int
dkim_keyfile_write(char *path, const char *name, const char *k, const char *pub)
{
	FILE *f;
	int fd;

	if ((fd = mkstemp(path)) < 0)
		return -1;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	fprintf(f, "%s v=DKIM1; k=%s; p=%s\n", name, k, pub);
	return fclose(f) == 0 ? 0 : -1;
}

DKIM_STAT
dkim_check_file(const char *m, const char *keyfile)
{
	DKIM_LIB *lib;
	DKIM *d;
	DKIM_STAT st = DKIM_STAT_OK;
	unsigned int method = DKIM_QUERY_FILE;

	lib = dkim_init(NULL, NULL);
	assert_non_null(lib);
	assert_int_equal(
	    dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYMETHOD, &method, sizeof(method)),
	    DKIM_STAT_OK);
	assert_int_equal(dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYINFO,
	                     (void *)(uintptr_t)keyfile, strlen(keyfile)),
	    DKIM_STAT_OK);
	d = dkim_verify(lib, (const unsigned char *)"t", NULL, &st);
	assert_non_null(d);
	st = dkim_chunk(d, (u_char *)(uintptr_t)m, strlen(m));
	if (st == DKIM_STAT_OK)
		st = dkim_chunk(d, NULL, 0);
	if (st == DKIM_STAT_OK)
		st = dkim_eom(d, NULL);
	dkim_free(d);
	dkim_close(lib);
	return st;
}

DKIM_STAT
dkim_check_edited(const char *m, const char *keyfile, const char *old, const char *new)
{
	const char *at = strstr(m, old);
	struct buf copy;
	DKIM_STAT st;

	assert_non_null(at);
	buf_init(&copy, strlen(m) + strlen(new) + 1);
	assert_int_equal(buf_append(&copy, m, (size_t)(at - m)), LC_OK);
	assert_int_equal(buf_puts(&copy, new), LC_OK);
	assert_int_equal(buf_puts(&copy, at + strlen(old)), LC_OK);
	st = dkim_check_file(copy.data, keyfile);
	buf_free(&copy);
	return st;
}
