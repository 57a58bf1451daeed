/* ui_tmpl.h: the pages' templates, read from templates_dir and compiled once per process
 * (docs/ui.md, "Templates are read once"). */
#ifndef LC_UI_TMPL_H
#define LC_UI_TMPL_H

#include <stddef.h>

#include "util/err.h"
#include "util/tmpl.h"

/* The largest template file read; a bigger one is an error. */
#define UI_TMPL_MAX (256 * 1024)

/* ui_tmpl_get stores in *out the compiled template dir/name.html. The first call for a
 * name in this process reads and compiles the file; later calls return the same template,
 * whatever dir they pass (one process serves one templates_dir). The template belongs to
 * the cache and lives as long as the process: the caller must not free it. Safe to call
 * from several threads at once.
 * Errors cache nothing, so the next call reads the file again, and leave *out NULL:
 * LC_EIO when the file cannot be opened or read, LC_ENOMEM when it is over UI_TMPL_MAX or
 * memory runs out (both logged here), and LC_EINVAL on a syntax error,
 * not logged: its one-line reason is written to err (errlen bytes, always
 * NUL-terminated) for the caller to log with its own context. */
lc_err ui_tmpl_get(
    const char *dir, const char *name, const struct tmpl **out, char *err, size_t errlen);

#endif
