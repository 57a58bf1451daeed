"""The Debian package, installed by dpkg into a scratch root (docs/packaging.md): what it
put where, what its maintainer scripts did there, and its programs run against the test
database. scripts/ops-phases.sh (deb_phase) builds and installs it and sets
LINKCAMP_DEB_ROOT (the scratch root), LINKCAMP_DEB (the .deb), LINKCAMP_DEB_WORK (a
scratch directory) and LINKCAMP_CONFIG (the test stack's configuration, for its database)."""
import configparser
import json
import os
import re
import signal
import stat
import subprocess
import time

import pytest

import fcgi
import promparse

R = os.environ["LINKCAMP_DEB_ROOT"]
DEB = os.environ["LINKCAMP_DEB"]
WORK = os.environ["LINKCAMP_DEB_WORK"]
STACK_CONFIG = os.environ["LINKCAMP_CONFIG"]


def root(*p):
    return os.path.join(R, *p)


def dpkg_query(fmt):
    p = subprocess.run(["dpkg-query", "--admindir", root("var/lib/dpkg"), "-W", "-f", fmt, "linkcamp"],
                       capture_output=True, text=True, check=True)
    return p.stdout


def scratch_group(name):
    with open(root("etc/group")) as f:
        for line in f:
            fields = line.rstrip("\n").split(":")
            if fields[0] == name:
                return int(fields[2])
    return None


@pytest.fixture(scope="module")
def config():
    """The installed /etc/linkcamp/linkcamp.conf as an operator would finish it: the test
    database in [database], a socket of the scratch directory, and the scratch root's
    share/ (the programs' built-in /usr/share/linkcamp is the real root's)."""
    stack = configparser.ConfigParser(interpolation=None)
    stack.read(STACK_CONFIG)
    with open(root("etc/linkcamp/linkcamp.conf")) as f:
        text = f.read()
    edits = {
        ("database", "socket"): stack["database"]["socket"],
        ("database", "password"): stack["database"]["password"],
        ("fcgi", "listen"): os.path.join(WORK, "fcgi.sock"),
        ("mailboxes", "key_file"): root("etc/linkcamp/mailbox.key"),
        ("metrics", "token"): "deb-phase-token-0123456789",
        ("metrics", "worker_listen"): "127.0.0.1:0",
    }
    out, section = [], None
    for line in text.splitlines():
        m = re.match(r"\[(\w+)\]", line)
        if m:
            section = m.group(1)
        k = line.split("=")[0].strip()
        if (section, k) in edits:
            line = f"{k} = {edits.pop((section, k))}"
        out.append(line)
    assert not edits, f"the shipped configuration lacks {edits}"
    path = os.path.join(WORK, "linkcamp.conf")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    env = dict(os.environ, LINKCAMP_SQL_DIR=root("usr/share/linkcamp/sql"),
               LINKCAMP_TEMPLATES_DIR=root("usr/share/linkcamp/templates"))
    for k in list(env):
        if k.startswith(("ASAN_", "UBSAN_")):
            del env[k]
    return path, env


def test_package_name_and_contents():
    assert re.fullmatch(r"linkcamp_[0-9][0-9A-Za-z.+~-]*_amd64\.deb", os.path.basename(DEB))
    # a native package: its version is configure's, so debian/changelog moves with AC_INIT
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "configure.ac")) as f:
        upstream = re.search(r"AC_INIT\(\[linkcamp\], \[([^\]]+)\]", f.read()).group(1)
    version = subprocess.run(["dpkg-deb", "-f", DEB, "Version"], capture_output=True, text=True,
                             check=True).stdout.strip()
    assert version == upstream, (version, upstream)
    assert os.path.basename(DEB) == f"linkcamp_{upstream}_amd64.deb"
    for p in ["usr/bin/linkcamp", "usr/bin/linkcamp-fcgi", "usr/bin/linkcamp-worker"]:
        assert os.access(root(p), os.X_OK), p
    for p in ["usr/share/man/man1/linkcamp.1.gz", "usr/share/man/man5/linkcamp.conf.5.gz",
              "usr/share/man/man8/linkcamp-fcgi.8.gz", "usr/share/man/man8/linkcamp-worker.8.gz",
              "usr/share/linkcamp/templates/layout.html", "usr/share/linkcamp/sql/001_core.sql",
              "usr/share/linkcamp/static/linkcamp.css", "etc/nginx/sites-available/linkcamp.conf",
              "etc/nginx/linkcamp-maps.conf", "etc/nginx/linkcamp-errors.conf",
              "lib/systemd/system/linkcamp-fcgi.service", "lib/systemd/system/linkcamp-worker.service",
              "usr/share/doc/linkcamp/README.Debian", "usr/share/doc/linkcamp/NEWS.Debian.gz",
              "usr/share/doc/linkcamp/grafana-dashboard.json"]:
        assert os.path.exists(root(p)), p
    # every migration of the source is in the package
    src_sql = sorted(os.listdir(os.path.join(os.path.dirname(__file__), "..", "..", "sql")))
    assert sorted(os.listdir(root("usr/share/linkcamp/sql"))) == src_sql
    with open(root("etc/nginx/sites-available/linkcamp.conf")) as f:
        nginx = f.read()
    assert "/usr/local" not in nginx and "alias /usr/share/linkcamp/static/;" in nginx
    assert "unix:/run/linkcamp/fcgi.sock" in nginx and "location = /metrics" in nginx


def test_units_are_hardened_and_enabled_not_started():
    for name in ("linkcamp-fcgi", "linkcamp-worker"):
        unit = configparser.ConfigParser(strict=False, interpolation=None)
        unit.optionxform = str
        unit.read(root(f"lib/systemd/system/{name}.service"))
        s = unit["Service"]
        assert s["User"] == "linkcamp"
        assert s["ExecStart"].startswith(f"/usr/bin/{name} -c /etc/linkcamp/linkcamp.conf")
        for k, v in {"ProtectSystem": "strict", "NoNewPrivileges": "yes", "Restart": "on-failure",
                     "ProtectHome": "yes", "PrivateTmp": "yes", "CapabilityBoundingSet": ""}.items():
            assert s[k] == v, (name, k)
        # deb-systemd-helper enabled it in the scratch root
        assert os.path.islink(root(f"etc/systemd/system/multi-user.target.wants/{name}.service")), name
    # systemd's own check of the units; what it says of the programs and manual pages not
    # being installed on this machine (they are in the scratch root) is no fault of theirs
    p = subprocess.run(["systemd-analyze", "verify", root("lib/systemd/system/linkcamp-fcgi.service"),
                        root("lib/systemd/system/linkcamp-worker.service")],
                       capture_output=True, text=True)
    problems = [l for l in (p.stdout + p.stderr).splitlines()
                if l.strip() and not re.search(r"Command /usr/bin/linkcamp-\w+ is not executable"
                                               r"|Command 'man linkcamp[\w.-]*\(\d\)' failed", l)]
    assert not problems, problems


def test_maintainer_scripts_made_the_user_the_key_and_the_modes():
    gid = scratch_group("linkcamp")
    assert gid is not None
    conf = os.stat(root("etc/linkcamp/linkcamp.conf"))
    assert stat.S_IMODE(conf.st_mode) == 0o640 and conf.st_uid == 0 and conf.st_gid == gid
    with open(root("etc/passwd")) as f:
        uid = int(next(l for l in f if l.startswith("linkcamp:")).split(":")[2])
    key = os.stat(root("etc/linkcamp/mailbox.key"))
    assert stat.S_IMODE(key.st_mode) == 0o600 and key.st_uid == uid and key.st_size == 32
    # the conffile shipped holds no secret; the key is the postinst's, not the package's
    assert "/etc/linkcamp/linkcamp.conf" in dpkg_query("${Conffiles}")
    listed = subprocess.run(["dpkg-deb", "-c", DEB], capture_output=True, text=True, check=True).stdout
    assert "mailbox.key" not in listed
    with open(root("etc/linkcamp/linkcamp.conf")) as f:
        shipped = configparser.ConfigParser(interpolation=None)
        shipped.read_file(f)
    assert shipped["database"]["password"] == "" and shipped["metrics"]["token"] == ""
    assert dpkg_query("${db:Status-Abbrev}").startswith("ii")


def test_installed_linkcamp_migrate_and_doctor(config):
    path, env = config
    p = subprocess.run([root("usr/bin/linkcamp"), "-c", path, "migrate"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    # the test database is migrated already: a second run finds nothing to do, which it says
    p2 = subprocess.run([root("usr/bin/linkcamp"), "-c", path, "migrate"], env=env,
                        capture_output=True, text=True, timeout=120)
    assert p2.returncode == 0 and p2.stdout == "0 migration(s) applied\n", (p2.stdout, p2.stderr)
    d = subprocess.run([root("usr/bin/linkcamp"), "-c", path, "doctor"], env=env,
                       capture_output=True, text=True, timeout=120)
    # this configuration's relay (127.0.0.1:25) is not there: only the database's lines count
    assert re.search(r"^ok\s+database\s+connected", d.stdout, re.M), d.stdout + d.stderr
    assert re.search(r"^ok\s+database\s+every migration applied", d.stdout, re.M), d.stdout


def test_installed_fcgi_answers_readyz_and_metrics_then_stops_cleanly(config):
    path, env = config
    sock = os.path.join(WORK, "fcgi.sock")
    with open(os.path.join(WORK, "fcgi.log"), "wb") as log:
        p = subprocess.Popen([root("usr/bin/linkcamp-fcgi"), "-c", path], env=env, stdout=log, stderr=log)
    try:
        deadline = time.time() + 60
        while not os.path.exists(sock) and p.poll() is None and time.time() < deadline:
            time.sleep(0.1)
        assert p.poll() is None, open(os.path.join(WORK, "fcgi.log")).read()
        status, headers, body = fcgi.request(sock, "GET", "/readyz")
        assert status == 200 and json.loads(body) == {"status": "ready"}, (status, body)
        assert headers["x-request-id"]
        status, _, body = fcgi.request(sock, "GET", "/metrics")
        assert status == 401
        status, headers, body = fcgi.request(sock, "GET", "/metrics",
                                             {"Authorization": "Bearer deb-phase-token-0123456789"})
        assert status == 200, body
        fams = promparse.parse(body.decode())
        assert promparse.value(fams, "linkcamp_http_requests_total", route="/readyz", method="GET", code="200") == 1
        assert promparse.value(fams, "linkcamp_database_up") == 1
    finally:
        p.send_signal(signal.SIGTERM)
        assert p.wait(60) == 0
    with open(os.path.join(WORK, "fcgi.log")) as f:
        for line in f:
            json.loads(line)  # [log] format = json, as shipped


def test_installed_worker_serves_its_metrics_then_stops_cleanly(config):
    path, env = config
    logp = os.path.join(WORK, "worker.log")
    with open(logp, "wb") as log:
        p = subprocess.Popen([root("usr/bin/linkcamp-worker"), "-c", path], env=env, stdout=log, stderr=log)
    try:
        def port():
            with open(logp) as f:
                for line in f:
                    rec = json.loads(line)
                    if rec.get("msg") == "metrics listening":
                        return rec["port"]
            assert p.poll() is None, open(logp).read()
            return None
        deadline = time.time() + 60
        while port() is None and time.time() < deadline:
            time.sleep(0.1)
        import socket
        with socket.create_connection(("127.0.0.1", port()), timeout=30) as s:
            s.sendall(b"GET /metrics HTTP/1.0\r\nAuthorization: Bearer deb-phase-token-0123456789\r\n\r\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.0 200"), head
        fams = promparse.parse(body.decode())
        assert 'program="linkcamp-worker"' in body.decode()
        assert fams["linkcamp_worker_deliveries_total"]["type"] == "counter"
    finally:
        p.send_signal(signal.SIGTERM)
        assert p.wait(120) == 0
