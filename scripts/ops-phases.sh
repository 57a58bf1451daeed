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

# format_phase: the C sources in .clang-format's style (scripts/format --check).
format_phase() {
    say "source format (clang-format)"
    if "$ROOT/scripts/format" --check >"$reports/format.log" 2>&1; then
        junit case format
    else
        cat "$reports/format.log" >&2
        junit case format "$(head -c 2000 "$reports/format.log" | tr '\n' ' ')"
    fi
}

# install_phase BUILD_DIR: the README's two ways to install (docs/packaging.md), against the
# running test stack's database ($V, $INST):
#   from source — `make install` of BUILD_DIR (the release build; no rebuild) into a
#   DESTDIR, its manual pages and data checked, its `linkcamp migrate` run;
#   the .deb — `make dist`'s tarball unpacked under var/deb and built there with
#   dpkg-buildpackage -us -uc -b (the checkout and build/ untouched, no sanitizers),
#   lintian with --fail-on error,warning, installed by dpkg into a scratch root with its
#   maintainer scripts (--root, --force-script-chrootless: they run with DPKG_ROOT set, so
#   systemd-sysusers, deb-systemd-helper and our postinst act on the scratch root only),
#   then tests/deb (pytest) on what it installed and its programs.
install_phase() {
    local build=$1 D="$ROOT/var/deb" R src deb rc ver
    say "installing from source (make install DESTDIR) and as a Debian package"
    rm -rf "$D"; mkdir -p "$D/work"
    ver=$(sed -n 's/^PACKAGE_VERSION = //p' "$build/Makefile")

    # from source
    if ! make -s -C "$build" install DESTDIR="$D/destdir" >"$D/install.log" 2>&1; then
        junit case install-from-source "make install failed (see $D/install.log)"
    else
        local missing="" f
        for f in bin/linkcamp bin/linkcamp-fcgi bin/linkcamp-worker share/man/man1/linkcamp.1 \
                 share/man/man5/linkcamp.conf.5 share/man/man8/linkcamp-fcgi.8 \
                 share/man/man8/linkcamp-worker.8 share/linkcamp/sql/001_core.sql \
                 share/linkcamp/templates/layout.html; do
            [ -e "$D/destdir/usr/local/$f" ] || missing+=" $f"
        done
        if [ -n "$missing" ]; then
            junit case install-from-source "make install did not install:$missing"
        elif ! out=$(LINKCAMP_SQL_DIR="$D/destdir/usr/local/share/linkcamp/sql" \
                ASAN_OPTIONS= "$D/destdir/usr/local/bin/linkcamp" -c "$CONF/linkcamp.conf" migrate 2>&1) ||
             [ "$out" != "0 migration(s) applied" ]; then
            junit case install-from-source "the installed linkcamp migrate: $out"
        else
            junit case install-from-source
        fi
    fi

    # the .deb
    if ! make -s -C "$build" dist distdir="linkcamp-$ver" >"$D/dist.log" 2>&1 ||
       ! tar -C "$D" -xzf "$build/linkcamp-$ver.tar.gz"; then
        junit case deb-build "make dist failed (see $D/dist.log)"
        return
    fi
    rm -f "$build/linkcamp-$ver.tar.gz"
    src="$D/linkcamp-$ver"
    rc=0
    (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$JOBS" nice dpkg-buildpackage -us -uc -b) \
        >"$D/build.log" 2>&1 || rc=$?
    deb=$(ls "$D"/linkcamp_*_amd64.deb 2>/dev/null | head -1)
    if [ $rc -ne 0 ] || [ -z "$deb" ]; then
        tail -n 30 "$D/build.log" >&2
        junit case deb-build "dpkg-buildpackage failed with status $rc (see $D/build.log)"
        return
    fi
    junit case deb-build
    if lintian --fail-on error,warning --tag-display-limit 0 "$deb" >"$D/lintian.log" 2>&1; then
        junit case deb-lintian
    else
        cat "$D/lintian.log" >&2
        junit case deb-lintian "$(head -c 2000 "$D/lintian.log" | tr '\n' ' ')"
    fi
    R="$D/root"
    mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers"
    : >"$R/var/lib/dpkg/status"
    # --force-depends: the scratch root holds no other package; the programs run against
    # the libraries of this machine, which has them all (scripts/dev's PKGS)
    if ! dpkg --root="$R" --force-script-chrootless --force-depends --log="$D/dpkg.log" \
            -i "$deb" >"$D/dpkg-install.log" 2>&1; then
        cat "$D/dpkg-install.log" >&2
        junit case deb-install "dpkg -i into a scratch root failed (see $D/dpkg-install.log)"
        return
    fi
    junit case deb-install
    rc=0
    (
        set -a; . "$V/test.env"; set +a
        export LINKCAMP_DEB_ROOT="$R" LINKCAMP_DEB="$deb" LINKCAMP_DEB_WORK="$D/work"
        cd "$ROOT/tests/deb" &&
            "$PY" -m pytest -q -p no:cacheprovider --junitxml="$reports/deb.xml" .
    ) >"$reports/deb.log" 2>&1 || rc=$?
    tail -n 15 "$reports/deb.log" >&2
    junit phase deb $rc "$reports/deb.xml" --expect "$(grep -c '^def test_' "$ROOT/tests/deb/test_installed.py")" || true
}
