/* tmpl_fixture.c: the spec files and the random template soup of the mustache tests
 * (tmpl_fixture.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tmpl_fixture.h"

#ifndef MUSTACHE_SPEC_DIR
#error "MUSTACHE_SPEC_DIR must name the directory of the mustache spec JSON files"
#endif

static uint32_t lcg_next(uint64_t *);

json_t *
tmpl_spec_load(const char *file, json_t **tests)
{
	char path[1024];
	json_error_t jerr;
	json_t *root;

	snprintf(path, sizeof(path), "%s/%s", MUSTACHE_SPEC_DIR, file);
	if ((root = json_load_file(path, 0, &jerr)) == NULL)
		fail_msg("%s: %s (line %d)", path, jerr.text, jerr.line);
	*tests = json_object_get(root, "tests");
	assert_true(json_is_array(*tests));
	assert_true(json_array_size(*tests) > 0);
	return root;
}

static uint32_t
lcg_next(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

void
tmpl_soup(uint64_t *seed, char *buf, size_t cap, size_t *len)
{
	static const char *const pieces[] = {"{{", "}}", "{{{", "}}}", "{{#", "{{^", "{{/", "{{!",
	    "{{>", "{{&", "{{=", "=}}", "<%", "%>", "a", "b", "x", ".", "a.b", " ", "  ", "\n",
	    "\r\n", "\r", "\t", "|", "=", "#", "/", "{{#a}}", "{{/a}}", "{{>a}}", "{{>b}}",
	    "{{=<% %>=}}", "{{.}}", "{{b}}", "<%/a%>"};
	size_t n = 0, k, npieces = lcg_next(seed) % 16;
	const char *piece;
	char byte[1];

	while (npieces-- > 0) {
		k = lcg_next(seed) % (sizeof(pieces) / sizeof(pieces[0]) + 4);
		if (k < sizeof(pieces) / sizeof(pieces[0])) {
			piece = pieces[k];
			k = strlen(piece);
		} else {
			byte[0] = (char)(1 + lcg_next(seed) % 255);
			piece = byte;
			k = 1;
		}
		if (n + k > cap)
			break;
		memcpy(buf + n, piece, k);
		n += k;
	}
	*len = n;
}
