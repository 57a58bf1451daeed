# scripts/openapi-phase.sh — the openapi-lint phase of `scripts/dev test` (docs/openapi.md).
# Sourced by scripts/dev, whose junit, say, $ROOT, $PY and $reports it uses.
# shellcheck shell=bash disable=SC2154

# openapi_phase: tests/openapi/lint (@redocly/cli, every finding an error) on
# docs/openapi.yaml, which must pass, and on a copy with one answer's description (which
# OpenAPI requires) removed, which must fail: a lint that cannot fail proves nothing.
openapi_phase() {
    local broken="$reports/openapi-broken.yaml"
    say "OpenAPI lint (@redocly/cli) of docs/openapi.yaml"
    if "$ROOT/tests/openapi/lint" "$ROOT/docs/openapi.yaml" >"$reports/openapi-lint.log" 2>&1; then
        junit case openapi-lint
    else
        grep -v '^ *[║╔╚]' "$reports/openapi-lint.log" | tail -n 40 >&2
        junit case openapi-lint "$(grep -v '^ *[║╔╚]' "$reports/openapi-lint.log" | head -c 2000 | tr '\n' ' ')"
    fi
    if ! "$PY" - "$ROOT/docs/openapi.yaml" "$broken" <<'PYEOF'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
del doc["paths"]["/healthz"]["get"]["responses"]["200"]["description"]
yaml.safe_dump(doc, open(sys.argv[2], "w", encoding="utf-8"), sort_keys=False)
PYEOF
    then
        junit case openapi-lint-catches "could not write a broken copy of docs/openapi.yaml"
    elif "$ROOT/tests/openapi/lint" "$broken" >"$reports/openapi-lint-broken.log" 2>&1; then
        junit case openapi-lint-catches "the lint passed a document with an answer without its description"
    else
        junit case openapi-lint-catches
    fi
}
