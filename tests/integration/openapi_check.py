"""Checks answers against docs/openapi.yaml: the contract the integration tests hold the
API to (docs/openapi.md).

conftest.py wraps requests.Session.send so that every answer the tests receive from the
stack goes through Spec.check: found by method + route template + status, its body
validated with python3-jsonschema (Draft 2020-12, as OpenAPI 3.1's schemas are). An
answer whose route, method or status the document does not name is a mismatch too, so a
new route without a schema fails the first test that calls it.

The document is read and its route table built once per run; a validator is compiled the
first time its (operation, status, media type) is met and kept.

Run on its own, it checks a recording (JSON lines of method, path, status, content type
and body, as LINKCAMP_OPENAPI_RECORD writes them) and prints every mismatch:
    python3 openapi_check.py ../../docs/openapi.yaml answers.jsonl
"""
import json
import re
import warnings

import jsonschema
import yaml

# Statuses nginx answers itself on any path (docs/openapi.yaml's shared responses): the
# body is problem+json there too, checked against the Problem schema.
NGINX_STATUSES = (413, 414, 429, 431, 502, 503, 504)
# Paths the document describes; anything else (the HTML pages, /mcp, /static) is not part
# of the JSON API's contract and is left to its own tests.
SPEC_PREFIXES = ("/v1/", "/docs/")
SPEC_EXACT = ("/healthz", "/readyz", "/metrics", "/v1")
JSON_TYPES = ("application/json", "application/problem+json")


# Debian's jsonschema checks "date-time" only with a module Debian does not install, so the
# checker names it itself: RFC 3339 with a time zone, as linkcamp writes every instant.
RFC3339 = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3])"
                     r":[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])")
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time")
def _date_time(value):
    return not isinstance(value, str) or RFC3339.fullmatch(value) is not None


class Mismatch(AssertionError):
    """An answer the document does not allow."""


def _media(content_type):
    return (content_type or "").split(";")[0].strip().lower()


class Spec:
    def __init__(self, doc):
        """doc: the document's path, or the document itself (a dict)."""
        if isinstance(doc, str):
            with open(doc, encoding="utf-8") as f:
                doc = yaml.safe_load(f)
        self.doc = doc
        with warnings.catch_warnings():
            # Debian's jsonschema (4.10) has no other resolver; newer ones warn about it
            warnings.simplefilter("ignore", DeprecationWarning)
            self.resolver = jsonschema.RefResolver.from_schema(self.doc)
        self.format_checker = FORMATS
        self.routes = []
        for template, item in self.doc["paths"].items():
            segs = template.strip("/").split("/")
            rx = "^/" + "/".join("[^/]+" if s.startswith("{") else re.escape(s) for s in segs) + "$"
            literal = sum(1 for s in segs if not s.startswith("{"))
            self.routes.append((re.compile(rx), literal, template, item))
        self._validators = {}
        problem = {"$ref": "#/components/schemas/Problem"}
        self._problem = self._compile(problem)

    def _compile(self, schema):
        return jsonschema.Draft202012Validator(schema, resolver=self.resolver,
                                               format_checker=self.format_checker)

    def _deref(self, obj):
        while isinstance(obj, dict) and "$ref" in obj:
            node = self.doc
            for part in obj["$ref"].lstrip("#/").split("/"):
                node = node[part]
            obj = node
        return obj

    def route(self, path):
        """The template of the route path matches (a literal segment wins over a
        parameter, as in src/http/router.c), or None."""
        best = None
        for rx, literal, template, item in self.routes:
            if rx.match(path) and (best is None or literal > best[0]):
                best = (literal, template, item)
        return best[1:] if best else (None, None)

    def _validate(self, key, schema, body, where):
        v = self._validators.get(key)
        if v is None:
            v = self._validators[key] = self._compile(schema)
        errors = sorted(v.iter_errors(body), key=lambda e: list(e.absolute_path))
        if errors:
            msgs = "; ".join(f"at /{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
                             for e in errors[:5])
            raise Mismatch(f"{where}: the body does not match the document: {msgs}")

    def _parse(self, body, where):
        try:
            return json.loads(body)
        except ValueError as e:
            raise Mismatch(f"{where}: the body is not JSON ({e})") from None

    def _problem_only(self, status, media, body, where, codes):
        if body is None:  # a HEAD: the status is all there is to check
            return
        if media != "application/problem+json":
            raise Mismatch(f"{where}: expected application/problem+json, got {media!r}")
        doc = self._parse(body, where)
        errors = list(self._problem.iter_errors(doc))
        if errors:
            raise Mismatch(f"{where}: not a problem document: {errors[0].message}")
        if doc.get("status") != status or (codes and doc.get("code") not in codes):
            raise Mismatch(f"{where}: problem {doc.get('status')} {doc.get('code')!r} "
                           f"where the document allows only {sorted(codes)}")

    def check(self, method, path, status, content_type, body):
        """Raises Mismatch when the answer (body: bytes or str) is not one the document
        allows for method and path."""
        method = method.upper()
        where = f"{method} {path} -> {status}"
        if not (path.startswith(SPEC_PREFIXES) or path in SPEC_EXACT):
            return
        media = _media(content_type)
        if method == "HEAD":
            body = None
        elif isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        template, item = self.route(path)
        if template is None:
            if status == 404:
                return self._problem_only(404, media, body, where, {"route_not_found"})
            if status in NGINX_STATUSES or status == 400:
                return self._problem_only(status, media, body, where, set())
            raise Mismatch(f"{where}: no route of the document matches this path")
        where = f"{method} {template} -> {status}"
        op = item.get("get" if method == "HEAD" else method.lower())
        if op is None:
            if status == 405:
                return self._problem_only(405, media, body, where, {"method_not_allowed"})
            if status in NGINX_STATUSES or status == 400:
                return self._problem_only(status, media, body, where, set())
            raise Mismatch(f"{where}: the document has no {method} for this route")
        resp = op["responses"].get(str(status))
        if resp is None:
            raise Mismatch(f"{where}: the document names no {status} answer for this "
                           f"operation ({op.get('operationId')})")
        resp = self._deref(resp)
        content = resp.get("content")
        if method == "HEAD" or not content:
            if body is not None and body.strip():
                raise Mismatch(f"{where}: the document says no body, got {body[:200]!r}")
            return
        if media not in content:
            raise Mismatch(f"{where}: Content-Type {media!r}, the document says "
                           f"{sorted(content)}")
        schema = content[media].get("schema")
        if schema is None or media not in JSON_TYPES:
            return
        self._validate((template, method, status, media), schema, self._parse(body, where),
                       where)


def _main(argv):
    spec = Spec(argv[1])
    seen = {}
    n = 0
    with open(argv[2], encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            n += 1
            try:
                spec.check(r["m"], r["p"], r["s"], r["ct"], r["b"])
            except Mismatch as e:
                key = str(e).split(":")[0]
                if key not in seen:
                    seen[key] = (str(e), r)
    for msg, r in seen.values():
        print(msg)
        print("    e.g.", r["p"], r.get("q", ""), r["b"][:300].replace("\n", " "))
    print(f"{n} answers, {len(seen)} kinds of mismatch")
    return 1 if seen else 0


if __name__ == "__main__":
    import sys

    sys.exit(_main(sys.argv))
