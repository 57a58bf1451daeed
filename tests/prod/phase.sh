# tests/prod/phase.sh — the production-defaults phase of `scripts/dev test` (and of
# `scripts/dev prod-test`), sourced by scripts/dev: it uses its instance(), db_start,
# fcgi_start, worker_start, sink_start, seed, stack_stop and junit. See
# tests/prod/README.md for what it proves and why it is a second stack.
#
# prod_run REPORTS: starts a second private stack beside the test stack — instance
# "<test instance>-tls" on the test ports + 10 (LINKCAMP_PROD_PORT, LINKCAMP_PROD_SMTP_PORT
# override), the ASan build, nginx over TLS with a CA made for this run, the configuration
# a production site would have — then runs tests/prod (pytest) and the https browser check,
# stops the stack and scans its sanitizer logs. Writes REPORTS/prod*.xml; never exits the
# caller (it runs in a subshell).

# prod_conf: the configuration of the production-defaults stack. allow_private, allow_http
# and secure_cookies are deliberately absent: their defaults are what is under test.
prod_conf() {
    cat <<CONF
; production defaults, written by tests/prod/phase.sh
[database]
socket = $SOCK
user = linkcamp
password = linkcamp
name = linkcamp

[fcgi]
listen = $RUN/fcgi.sock
threads = 4

[smtp]
; a relay that does not offer STARTTLS: nothing may be sent to it
host = 127.0.0.1
port = $SMTP_PORT
starttls = required
helo = linkcamp.local
timeout_ms = 3000

[worker]
threads = 2
poll_ms = 100
lease_seconds = 20

[webhooks]
; the CA made for this run (tests/prod/make-ca); retries 50x sooner
ca_file = $TLS/ca.pem
connect_timeout_ms = 2000
timeout_ms = 5000
backoff_scale_ms = 20

[placements]
backoff_scale_ms = 20

[app]
public_url = https://127.0.0.1:$PORT
sql_dir = $ROOT/sql
templates_dir = $ROOT/templates
log_level = info
CONF
}

# prod_clean_env: the test stack's overrides (allow_private, allow_http, ...) must not reach
# this one: every LINKCAMP_* variable the configuration reads would win over the file.
prod_clean_env() {
    local v
    for v in $(compgen -e); do
        case $v in LINKCAMP_TEST_*|LINKCAMP_PROD_*) ;; LINKCAMP_*) unset "$v" ;; esac
    done
}

# prod_nginx_start: nginx from the local template, its listen line turned into TLS.
prod_nginx_start() {
    mkdir -p "$RUN/client_body" "$RUN/fastcgi" "$RUN/proxy" "$RUN/uwsgi" "$RUN/scgi"
    sed -e "s|listen 127.0.0.1:@PORT@;|listen 127.0.0.1:@PORT@ ssl; ssl_certificate $TLS/server.pem; ssl_certificate_key $TLS/server.key; ssl_protocols TLSv1.2 TLSv1.3;|" \
        -e "s|@RUN@|$RUN|g" -e "s|@LOG@|$LOG|g" -e "s|@PORT@|$PORT|g" \
        -e "s|@ROOT@|$ROOT|g" -e "s|@ACCESS_LOG@|$LOG/nginx-access.log|g" \
        "$ROOT/nginx/linkcamp-local.conf.in" >"$CONF/nginx.conf"
    grep -q "ssl_certificate $TLS/server.pem" "$CONF/nginx.conf" ||
        die "nginx/linkcamp-local.conf.in has no 'listen 127.0.0.1:@PORT@;' line to turn into TLS"
    nginx -q -c "$CONF/nginx.conf" -e "$LOG/nginx-error.log" || die "nginx did not start (see $LOG/nginx-error.log)"
}

# prod_stack_up: the stack itself, from an empty directory.
prod_stack_up() {
    local inst="${LINKCAMP_TEST_INSTANCE:-test}-tls"
    local port=${LINKCAMP_PROD_PORT:-$((${LINKCAMP_TEST_PORT:-18080} + 10))}
    local smtp=${LINKCAMP_PROD_SMTP_PORT:-$((${LINKCAMP_TEST_SMTP_PORT:-12525} + 10))}
    prod_clean_env
    instance "$inst" "$port" "$smtp" asan
    if [ -f "$RUN/nginx.pid" ] || [ -S "$SOCK" ]; then stack_stop; fi
    rm -rf "$V"
    instance "$inst" "$port" "$smtp" asan
    TLS="$V/tls"
    "$ROOT/tests/prod/make-ca" "$TLS" || die "tests/prod/make-ca failed"
    prod_conf >"$CONF/linkcamp.conf"
    echo "$VARIANT" >"$RUN/variant"   # scripts/dev worker-start etc. act on this build
    export ASAN_OPTIONS="abort_on_error=0:detect_leaks=1:log_exe_name=1:log_path=$LOG/asan"
    export UBSAN_OPTIONS="print_stacktrace=1:log_exe_name=1:log_path=$LOG/ubsan"
    db_start
    "$BIN/linkcamp" -c "$CONF/linkcamp.conf" migrate >/dev/null || die "migrations failed"
    sink_start
    fcgi_start
    worker_start
    prod_nginx_start
    local i
    for i in $(seq 1 50); do
        curl -fsS --cacert "$TLS/ca.pem" "https://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
        sleep 0.1
    done
    curl -fsS --cacert "$TLS/ca.pem" "https://127.0.0.1:$PORT/readyz" >/dev/null ||
        die "the TLS stack is not ready on https://127.0.0.1:$PORT"
    seed "$V/test.env"
    # seed writes the test stack's http:// URL; this stack answers https only
    sed -i "s|^LINKCAMP_URL=.*|LINKCAMP_URL=https://127.0.0.1:$PORT|" "$V/test.env"
}

# prod_run REPORTS: see the top of this file. Every check of the run is a JUnit case that
# scripts/junit.py validates like the main phases (docs/testing.md): the exit status, the
# report, and as many tests reported as pytest collected. Sanitizer reports of this stack
# are found by the main run's sanitizer_phase (it scans all of var/).
prod_run() {
    local reports=$1 rc collected
    local TLS
    if ! (prod_stack_up) >"$reports/prod-stack.log" 2>&1; then
        cat "$reports/prod-stack.log" >&2
        junit case prod-stack-up "the TLS stack did not start (see $reports/prod-stack.log)"
        instance "${LINKCAMP_TEST_INSTANCE:-test}-tls" 0 0 asan
        stack_stop || true
        return 0
    fi
    instance "${LINKCAMP_TEST_INSTANCE:-test}-tls" 0 0 asan
    TLS="$V/tls"
    prod_pytest() {
        (
            prod_clean_env
            set -a; . "$V/test.env"; set +a
            export LINKCAMP_BIN="$BIN" LINKCAMP_DEV="$ROOT/scripts/dev" LINKCAMP_INSTANCE="$INST"
            export LINKCAMP_LOG_DIR="$LOG" LINKCAMP_TLS_DIR="$TLS" LINKCAMP_MAILDIR="$MAIL"
            export LINKCAMP_CONFIG="$CONF/linkcamp.conf" REQUESTS_CA_BUNDLE="$TLS/ca.pem"
            export ASAN_OPTIONS="abort_on_error=0:detect_leaks=1:log_exe_name=1:log_path=$LOG/asan"
            export UBSAN_OPTIONS="print_stacktrace=1:log_exe_name=1:log_path=$LOG/ubsan"
            cd "$ROOT/tests/prod" && "$PY" -m pytest -q -p no:cacheprovider "$@"
        )
    }
    collected=$(prod_pytest --collect-only . 2>/dev/null |
        sed -n 's/^\([0-9][0-9]*\) tests\{0,1\} collected.*/\1/p') || collected=
    rc=0
    prod_pytest --junitxml="$reports/prod.xml" . >"$reports/prod.log" 2>&1 || rc=$?
    tail -n 15 "$reports/prod.log" >&2
    if [ -z "$collected" ]; then
        junit case prod-collect "pytest could not collect tests/prod (see $reports/prod.log)"
    else
        junit phase prod $rc "$reports/prod.xml" --expect "$collected" || true
    fi
    rc=0
    (
        prod_clean_env
        set -a; . "$V/test.env"; set +a
        export LINKCAMP_BIN="$BIN" LINKCAMP_CONFIG="$CONF/linkcamp.conf" LINKCAMP_MAILDIR="$MAIL"
        export LINKCAMP_TLS_DIR="$TLS" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
        cd "$ROOT/tests/browser" || exit 1
        [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --loglevel=error >&2 || exit 1
        node --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
            --test-reporter=junit --test-reporter-destination="$reports/prod-browser.xml" https.test.mjs
    ) >"$reports/prod-browser.log" 2>&1 || rc=$?
    tail -n 10 "$reports/prod-browser.log" >&2
    junit phase prod-browser $rc "$reports/prod-browser.xml" || true
    if stack_stop strict 2>"$reports/prod-stop.log"; then
        junit case prod-processes-exit-cleanly
    else
        cat "$reports/prod-stop.log" >&2
        junit case prod-processes-exit-cleanly "$(tr '\n' ' ' <"$reports/prod-stop.log")"
    fi
    return 0
}
