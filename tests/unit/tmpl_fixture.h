/* tmpl_fixture.h: what the two mustache tests share (test_tmpl.c renders from text,
 * test_tmpl_compiled.c from compiled templates): the spec files and the random template
 * soup. Linked into both; MUSTACHE_SPEC_DIR is each test's CFLAGS. */
#ifndef LC_TEST_TMPL_FIXTURE_H
#define LC_TEST_TMPL_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* tmpl_spec_load reads the spec file called file (e.g. "sections.json") of
 * MUSTACHE_SPEC_DIR and returns its root (the caller json_decrefs it); *tests is its
 * "tests" array, which is not empty. Fails the running test when the file cannot be read
 * or has no tests. */
json_t *tmpl_spec_load(const char *file, json_t **tests);

/* tmpl_soup writes into buf up to cap bytes of mustache-flavoured noise without NUL:
 * random tags, delimiters, names, line ends and bytes strung together, from the
 * generator state *seed (advanced; the same seed gives the same soup). *len is the
 * length written. */
void tmpl_soup(uint64_t *seed, char *buf, size_t cap, size_t *len);

#endif
