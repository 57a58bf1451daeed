# scripts/ops-phases.sh — phases of `scripts/dev test` for what an operator installs:
# the manual pages and the Debian package (docs/packaging.md). Sourced by scripts/dev,
# whose junit, say, die, $ROOT, $PY and $reports it uses.

# man_phase: scripts/man-check.py — mandoc -Tlint -Wwarning on every page, every
# configuration key in linkcamp.conf(5), every command in linkcamp(1).
man_phase() {
    say "manual pages (mandoc -Tlint, keys and commands documented)"
    if "$PY" "$ROOT/scripts/man-check.py" "$ROOT" >"$reports/man-pages.log" 2>&1; then
        junit case man-pages
    else
        cat "$reports/man-pages.log" >&2
        junit case man-pages "$(head -c 2000 "$reports/man-pages.log" | tr '\n' ' ')"
    fi
}
