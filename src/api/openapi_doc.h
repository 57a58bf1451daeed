/* openapi_doc.h: the API reference linkcamp-fcgi serves, embedded at make time.
 * scripts/openapi-gen.py writes their definitions (openapi_doc.c in the build directory)
 * from docs/openapi.yaml and static/linkcamp.css (docs/openapi.md); nothing is read from
 * disk at run time. All of it is static, read-only data. */
#ifndef LC_OPENAPI_DOC_H
#define LC_OPENAPI_DOC_H

#include <stddef.h>

/* docs/openapi.yaml as compact JSON (openapi_json_len bytes, NUL-terminated) and its
 * strong ETag, a quoted hash of those bytes. */
extern const char openapi_json[];
extern const size_t openapi_json_len;
extern const char openapi_json_etag[];

/* The reference page (/docs/api): one HTML document whose only style is one inline
 * <style>, whose CSP source ("sha256-...") is openapi_html_style_hash. */
extern const char openapi_html[];
extern const size_t openapi_html_len;
extern const char openapi_html_etag[];
extern const char openapi_html_style_hash[];

#endif
