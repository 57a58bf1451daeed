#!/usr/bin/env python3
"""openapi-gen.py — make's generator of the API reference (docs/openapi.md).

    openapi-gen.py c    SPEC.yaml CSS OUT.c    the C source linkcamp-fcgi embeds
    openapi-gen.py json SPEC.yaml OUT.json     the document as JSON
    openapi-gen.py html SPEC.yaml CSS OUT.html the reference page

The C source holds /v1/openapi.json (docs/openapi.yaml as compact JSON) and /docs/api (one
self-contained HTML page rendered here, with static/linkcamp.css inline), each with its
strong ETag, and the CSP hash of the page's one <style>: nothing is read from disk at run
time, so no installed path can be wrong. Only python3-yaml is needed; no network.
"""
import base64
import hashlib
import html
import json
import re
import sys

import yaml

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def load(path):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3.1"):
        raise SystemExit(f"{path}: not an OpenAPI 3.1 document")
    return doc


def to_json(doc):
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n"


# ---- the HTML page ----

def esc(s):
    return html.escape(str(s), quote=True)


def inline_md(s):
    """The little Markdown the document's descriptions use: `code`, **bold**, links."""
    out = []
    for i, part in enumerate(re.split(r"(`[^`]*`)", s)):
        if i % 2:
            out.append("<code>" + esc(part[1:-1]) + "</code>")
        else:
            t = esc(part)
            t = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", t)
            out.append(t)
    return "".join(out)


def md(s):
    if not s:
        return ""
    paras = [p.strip() for p in re.split(r"\n\s*\n", str(s)) if p.strip()]
    return "".join("<p>" + inline_md(" ".join(p.split("\n"))) + "</p>" for p in paras)


def anchor(*parts):
    return re.sub(r"[^A-Za-z0-9_-]+", "-", "-".join(parts)).strip("-")


class Page:
    def __init__(self, doc):
        self.doc = doc
        self.schemas = doc.get("components", {}).get("schemas", {})

    def deref(self, obj):
        while isinstance(obj, dict) and "$ref" in obj:
            node = self.doc
            for part in obj["$ref"].lstrip("#/").split("/"):
                node = node[part]
            obj = node
        return obj

    def type_of(self, s):
        """A one-line description of schema s's type, with links to named schemas."""
        if not isinstance(s, dict):
            return "any"
        if "$ref" in s:
            name = s["$ref"].rsplit("/", 1)[-1]
            return f'<a href="#schema-{anchor(name)}">{esc(name)}</a>'
        if "const" in s:
            return "<code>" + esc(json.dumps(s["const"])) + "</code>"
        for k, sep in (("anyOf", " or "), ("oneOf", " or "), ("allOf", " and ")):
            if k in s:
                return sep.join(self.type_of(x) for x in s[k])
        t = s.get("type", "any")
        types = t if isinstance(t, list) else [t]
        words = []
        for ty in types:
            if ty == "array":
                words.append("array of " + self.type_of(s.get("items", {})))
            elif ty == "null":
                words.append("null")
            else:
                w = esc(ty)
                if s.get("format"):
                    w += f" ({esc(s['format'])})"
                words.append(w)
        out = " or ".join(words)
        if "enum" in s:
            vals = [v for v in s["enum"] if v is not None]
            out += ": " + ", ".join("<code>" + esc(v) + "</code>" for v in vals)
        limits = []
        for k, label in (("minimum", "≥"), ("maximum", "≤"), ("minLength", "length ≥"),
                         ("maxLength", "length ≤"), ("minItems", "items ≥"),
                         ("maxItems", "items ≤")):
            if k in s:
                limits.append(f"{label} {esc(s[k])}")
        if "default" in s:
            limits.append("default <code>" + esc(json.dumps(s["default"])) + "</code>")
        if "pattern" in s:
            limits.append("pattern <code>" + esc(s["pattern"]) + "</code>")
        if limits:
            out += " <span class=\"muted\">(" + ", ".join(limits) + ")</span>"
        return out

    def props_table(self, s, depth=0):
        """The members of an object schema (inline objects nested, named ones linked)."""
        if not isinstance(s, dict) or "$ref" in s:
            return ""
        for k in ("anyOf", "oneOf"):
            if k in s:
                parts = [self.props_table(x, depth) for x in s[k]]
                parts = [p for p in parts if p]
                return "".join(f"<p class=\"muted\">variant {i + 1}</p>{p}"
                               for i, p in enumerate(parts)) if len(parts) > 1 else "".join(parts)
        if s.get("type") == "array" or (isinstance(s.get("type"), list) and "array" in s["type"]):
            return self.props_table(s.get("items", {}), depth)
        props = s.get("properties")
        if not props or depth > 4:
            return ""
        req = set(s.get("required", []))
        rows = []
        for name, ps in props.items():
            nested = self.props_table(ps, depth + 1)
            rows.append(
                "<tr><td class=\"mono\">" + esc(name) +
                ("" if name in req else " <span class=\"muted\">optional</span>") +
                "</td><td>" + self.type_of(ps) +
                (md(ps.get("description")) if isinstance(ps, dict) else "") +
                (f"<div class=\"nest\">{nested}</div>" if nested else "") + "</td></tr>")
        closed = s.get("additionalProperties") is False
        return ("<table class=\"schema\"><thead><tr><th>member</th><th>type</th></tr></thead>"
                "<tbody>" + "".join(rows) + "</tbody></table>" +
                ("<p class=\"muted\">No other members.</p>" if closed and depth == 0 else ""))

    def problem_codes(self, schema):
        for part in schema.get("allOf", []):
            code = part.get("properties", {}).get("code", {})
            if "enum" in code:
                return code["enum"]
        return []

    def response(self, status, r):
        r = self.deref(r)
        cells = [f"<td class=\"mono\">{esc(status)}</td>", f"<td>{inline_md(r.get('description', ''))}"]
        for media, m in (r.get("content") or {}).items():
            schema = m.get("schema", {})
            codes = self.problem_codes(schema) if media == "application/problem+json" else []
            if codes:
                cells[-1] += (" <span class=\"muted\">problem+json:</span> " +
                              ", ".join("<code>" + esc(c) + "</code>" for c in codes))
            else:
                cells[-1] += (f" <span class=\"muted\">{esc(media)}:</span> " + self.type_of(schema))
                table = self.props_table(schema)
                if table:
                    cells[-1] += f"<div class=\"nest\">{table}</div>"
        for h in (r.get("headers") or {}):
            cells[-1] += f" <span class=\"muted\">header</span> <code>{esc(h)}</code>"
        return "<tr>" + "".join(cells) + "</td></tr>"

    def operation(self, path, method, op, common):
        oid = op.get("operationId") or anchor(method, path)
        out = [f"<section class=\"op\" id=\"op-{anchor(oid)}\">",
               f"<h3><span class=\"verb verb-{method}\">{method.upper()}</span> "
               f"<code>{esc(path)}</code></h3>",
               f"<p><strong>{esc(op.get('summary', ''))}</strong></p>", md(op.get("description"))]
        if op.get("security") == []:
            out.append("<p class=\"muted\">No key needed.</p>")
        params = [self.deref(p) for p in list(common) + list(op.get("parameters", []))]
        if params:
            out.append("<h4>Parameters</h4><table class=\"schema\"><thead><tr><th>name</th>"
                       "<th>in</th><th>type</th></tr></thead><tbody>")
            for p in params:
                out.append(f"<tr><td class=\"mono\">{esc(p['name'])}"
                           f"{'' if p.get('required') else ' <span class=muted>optional</span>'}"
                           f"</td><td>{esc(p['in'])}</td><td>{self.type_of(p.get('schema', {}))}"
                           f"{md(p.get('description'))}</td></tr>")
            out.append("</tbody></table>")
        body = op.get("requestBody")
        if body:
            for media, m in body.get("content", {}).items():
                out.append(f"<h4>Body <span class=\"muted\">{esc(media)}"
                           f"{'' if body.get('required') else ', optional'}</span></h4>")
                out.append("<p>" + self.type_of(m.get("schema", {})) + "</p>")
                out.append(self.props_table(self.deref(m.get("schema", {}))))
        out.append("<h4>Answers</h4><table class=\"schema answers\"><tbody>")
        for status, r in op.get("responses", {}).items():
            out.append(self.response(status, r))
        out.append("</tbody></table></section>")
        return "".join(out)

    def render(self, css):
        doc = self.doc
        info = doc.get("info", {})
        by_tag = {}
        for path, item in doc.get("paths", {}).items():
            for method in METHODS:
                if method in item:
                    op = item[method]
                    by_tag.setdefault((op.get("tags") or ["other"])[0], []).append(
                        (path, method, op, item.get("parameters", [])))
        tags = [t["name"] for t in doc.get("tags", [])] + sorted(
            t for t in by_tag if t not in {x["name"] for x in doc.get("tags", [])})
        tag_desc = {t["name"]: t.get("description", "") for t in doc.get("tags", [])}
        toc, body = [], []
        for t in tags:
            ops = by_tag.get(t)
            if not ops:
                continue
            toc.append(f"<li><a href=\"#tag-{anchor(t)}\">{esc(t)}</a><ul>")
            body.append(f"<h2 id=\"tag-{anchor(t)}\">{esc(t)}</h2>{md(tag_desc.get(t))}")
            for path, method, op, common in ops:
                oid = op.get("operationId") or anchor(method, path)
                toc.append(f"<li><a href=\"#op-{anchor(oid)}\"><span class=\"verb verb-{method}\">"
                           f"{method.upper()}</span> {esc(path)}</a></li>")
                body.append(self.operation(path, method, op, common))
            toc.append("</ul></li>")
        schemas = ["<h2 id=\"schemas\">Schemas</h2>"]
        for name, s in self.schemas.items():
            schemas.append(f"<section class=\"op\" id=\"schema-{anchor(name)}\"><h3>{esc(name)}</h3>"
                           f"{md(s.get('description'))}<p>{self.type_of({k: v for k, v in s.items() if k != 'description'})}</p>"
                           f"{self.props_table(s)}</section>")
        title = f"{info.get('title', 'API')} {info.get('version', '')}".strip()
        return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                f"<title>{esc(title)} · reference</title><style>{css}</style></head>\n"
                "<body><header class=\"top\"><a class=\"brand\" href=\"/docs/api\">linkcamp</a>"
                "<nav><a href=\"#schemas\">Schemas</a><a href=\"/v1/openapi.json\">openapi.json</a>"
                "</nav></header><main class=\"page apidoc\">"
                f"<h1>{esc(title)}</h1><p class=\"muted\">OpenAPI {esc(doc['openapi'])} · "
                f"<a href=\"/v1/openapi.json\">/v1/openapi.json</a></p>{md(info.get('description'))}"
                f"<nav class=\"toc\"><h2>Operations</h2><ul>{''.join(toc)}</ul></nav>"
                f"{''.join(body)}{''.join(schemas)}</main></body></html>\n")


PAGE_CSS = """
.apidoc .op { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; margin: 1rem 0; }
.apidoc h3 { margin: 0 0 .25rem; font-size: 1rem; overflow-wrap: anywhere; }
.apidoc h4 { margin: .75rem 0 .25rem; font-size: .9rem; }
.apidoc .verb { display: inline-block; min-width: 4.2rem; text-align: center; font: 700 .75rem/1.6 ui-monospace, monospace; color: #fff; background: var(--muted); border-radius: 4px; padding: 0 .3rem; }
.apidoc .verb-get { background: var(--accent); } .apidoc .verb-post { background: var(--ok); }
.apidoc .verb-put, .apidoc .verb-patch { background: var(--warn); } .apidoc .verb-delete { background: var(--bad); }
.apidoc table.schema { width: 100%; border-collapse: collapse; font-size: .9rem; }
.apidoc table.schema td, .apidoc table.schema th { text-align: left; vertical-align: top; border-top: 1px solid var(--line); padding: .3rem .4rem; }
.apidoc table.schema td p { margin: .2rem 0 0; }
.apidoc table.schema td:first-child { white-space: nowrap; width: 1%; }
.apidoc .nest { margin: .3rem 0 0 .5rem; }
.apidoc .toc ul { list-style: none; padding-left: 1rem; } .apidoc .toc a { text-decoration: none; }
.apidoc code { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .85em; overflow-wrap: anywhere; }
"""


def render_html(doc, css_path):
    with open(css_path, encoding="utf-8") as f:
        css = f.read() + PAGE_CSS
    return Page(doc).render(css), css


# ---- the C source ----

def c_string(data):
    """data (bytes) as adjacent C string literals, 16 KiB of source a line at most."""
    lines, cur = [], []
    n = 0
    for b in data:
        if b == 0x5C:
            s = "\\\\"
        elif b == 0x22:
            s = "\\\""
        elif b == 0x0A:
            s = "\\n"
        elif 0x20 <= b < 0x7F and b != 0x3F:  # '?' escaped: no trigraphs
            s = chr(b)
        else:
            s = "\\%03o" % b
        cur.append(s)
        n += len(s)
        if b == 0x0A or n > 16000:
            lines.append("\t\"" + "".join(cur) + "\"")
            cur, n = [], 0
    if cur:
        lines.append("\t\"" + "".join(cur) + "\"")
    return "\n".join(lines) if lines else "\t\"\""


def etag(data):
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def write_c(spec_path, css_path, out_path):
    doc = load(spec_path)
    js = to_json(doc).encode("utf-8")
    page, css = render_html(doc, css_path)
    page_b = page.encode("utf-8")
    style_hash = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode()
    parts = [
        "/* Generated by scripts/openapi-gen.py from docs/openapi.yaml and static/linkcamp.css",
        " * at make time; do not edit (docs/openapi.md). */",
        "#include \"api/openapi_doc.h\"",
        "",
        "const char openapi_json[] =",
        c_string(js) + ";",
        f"const size_t openapi_json_len = {len(js)};",
        f"const char openapi_json_etag[] = {json.dumps(etag(js))};",
        "",
        "const char openapi_html[] =",
        c_string(page_b) + ";",
        f"const size_t openapi_html_len = {len(page_b)};",
        f"const char openapi_html_etag[] = {json.dumps(etag(page_b))};",
        f"const char openapi_html_style_hash[] = {json.dumps('sha256-' + style_hash)};",
        "",
    ]
    write(out_path, "\n".join(parts))


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    import os

    os.replace(tmp, path)


def main(argv):
    if len(argv) == 5 and argv[1] == "c":
        write_c(argv[2], argv[3], argv[4])
    elif len(argv) == 4 and argv[1] == "json":
        write(argv[3], to_json(load(argv[2])))
    elif len(argv) == 5 and argv[1] == "html":
        write(argv[4], render_html(load(argv[2]), argv[3])[0])
    else:
        sys.stderr.write(__doc__)
        return 64
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
