# tests/readme/phase.sh — the README phase of `scripts/dev test` (and of `scripts/dev
# readme-test`), sourced by scripts/dev: it uses its build, instance(), demo_stack_up,
# stack_stop and junit, and tests/prod/phase.sh's prod_clean_env.
#
# readme_run REPORTS: does what `scripts/dev up` does — the release build, the whole stack,
# the demo account, its approver, DKIM zone and IMAP mailbox — on a stack of its own
# (instance "<test instance>-readme" on the test ports + 20: LINKCAMP_README_PORT and
# LINKCAMP_README_SMTP_PORT override), from an empty directory and with none of the test
# stack's settings, then runs every README example against it (test_readme_examples.py)
# and stops it. Writes REPORTS/readme*.xml; never exits the caller (it runs in subshells).

readme_instance() {
    instance "${LINKCAMP_TEST_INSTANCE:-test}-readme" \
        "${LINKCAMP_README_PORT:-$((${LINKCAMP_TEST_PORT:-18080} + 20))}" \
        "${LINKCAMP_README_SMTP_PORT:-$((${LINKCAMP_TEST_SMTP_PORT:-12525} + 20))}" release
}

# readme_stack_up: `up`'s stack and demo, from an empty directory; its env file is
# $V/dev.env. The sanitizer options of the test run are not this one's: it is release.
readme_stack_up() {
    prod_clean_env
    unset ASAN_OPTIONS UBSAN_OPTIONS
    readme_instance
    if [ -f "$RUN/nginx.pid" ] || [ -S "$SOCK" ]; then stack_stop; fi
    rm -rf "$V"
    readme_instance
    demo_stack_up "$V/dev.env"
}

readme_run() {
    local reports=$1 rc collected
    if ! (readme_stack_up) >"$reports/readme-stack.log" 2>&1; then
        cat "$reports/readme-stack.log" >&2
        junit case readme-stack-up "the README's stack did not start (see $reports/readme-stack.log)"
        readme_instance
        stack_stop || true
        return 0
    fi
    readme_instance
    readme_pytest() {
        (
            prod_clean_env
            export LINKCAMP_README_ENV="$V/dev.env" LINKCAMP_README_VAR="$V"
            cd "$ROOT/tests/readme" && "$PY" -m pytest -q -p no:cacheprovider "$@"
        )
    }
    collected=$(readme_pytest --collect-only . 2>/dev/null |
        sed -n 's/^\([0-9][0-9]*\) tests\{0,1\} collected.*/\1/p') || collected=
    rc=0
    readme_pytest --junitxml="$reports/readme.xml" . >"$reports/readme.log" 2>&1 || rc=$?
    tail -n 15 "$reports/readme.log" >&2
    if [ -z "$collected" ]; then
        junit case readme-collect "pytest could not collect tests/readme (see $reports/readme.log)"
    else
        junit phase readme $rc "$reports/readme.xml" --expect "$collected" || true
    fi
    if stack_stop strict 2>"$reports/readme-stop.log"; then
        junit case readme-processes-exit-cleanly
    else
        cat "$reports/readme-stop.log" >&2
        junit case readme-processes-exit-cleanly "$(tr '\n' ' ' <"$reports/readme-stop.log")"
    fi
    return 0
}
