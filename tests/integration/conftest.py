"""Integration tests drive the real stack (nginx -> linkcamp-fcgi -> MariaDB) over HTTP.

scripts/dev test starts the stack and exports LINKCAMP_URL, the demo keys
(LINKCAMP_API_KEY, ...), LINKCAMP_BIN (the build under test) and LINKCAMP_CONFIG.
Fixtures create further accounts and campaigns with the `linkcamp` CLI, the operator's
real tool, never by writing SQL.
"""
import json
import os
import signal
import subprocess
import uuid

import pytest
import requests

URL = os.environ.get("LINKCAMP_URL", "http://127.0.0.1:18080")
BIN = os.environ.get("LINKCAMP_BIN", "")
CONFIG = os.environ.get("LINKCAMP_CONFIG", "")


class Api:
    """A small HTTP client that never follows redirects and keeps raw query strings."""

    def __init__(self, key=None, workspace=None):
        self.key = key
        self.workspace = workspace
        self.session = requests.Session()

    def request(self, method, path, key="default", headers=None, query=None, **kw):
        h = {}
        k = self.key if key == "default" else key
        if k:
            h["Authorization"] = f"Bearer {k}"
        if self.workspace:
            h["X-Workspace-Id"] = self.workspace
        h.update(headers or {})
        url = URL + path
        if query is not None:
            url += "?" + query
        r = self.session.request(method, url, headers=h, allow_redirects=False, timeout=30, **kw)
        return r

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)


def cli(*args, stdin=None, check=True):
    """Runs the linkcamp CLI of the build under test and returns stdout stripped."""
    p = subprocess.run([os.path.join(BIN, "linkcamp"), "-c", CONFIG, *args], input=stdin,
                       capture_output=True, text=True, timeout=60)
    if check and p.returncode != 0:
        raise AssertionError(f"linkcamp {args} failed ({p.returncode}): {p.stderr}")
    return p.stdout.strip() if check else p


def assert_problem(r, status, code, param=None, from_app=True):
    """Checks an RFC 9457 problem+json answer in the documented envelope. Answers nginx
    itself writes (from_app=False) carry no requestId."""
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["Content-Type"].startswith("application/problem+json"), r.headers
    body = r.json()
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert body["code"] == code, body
    assert isinstance(body["title"], str) and body["title"]
    if from_app:
        assert body["requestId"] == r.headers["X-Request-Id"]
        assert isinstance(body["detail"], str) and body["detail"]
    if param is not None:
        assert body.get("param") == param, body
    return body


class Tenant:
    """A fresh agency with two workspaces and keys, created through the CLI."""

    def __init__(self):
        tag = uuid.uuid4().hex[:8]
        self.account = cli("account", "create", f"Agency {tag}")
        self.ws = cli("workspace", "create", self.account, f"Client A {tag}")
        self.ws2 = cli("workspace", "create", self.account, f"Client B {tag}")
        self.key = cli("key", "create", self.account, "--workspace", self.ws)
        self.key2 = cli("key", "create", self.account, "--workspace", self.ws2)
        self.account_key = cli("key", "create", self.account, "--name", "agency")
        self.approver_key = cli("key", "create", self.account, "--workspace", self.ws,
                                "--approve", "--name", "approver")
        cli("credits", "grant", self.ws, "1000")
        cli("credits", "grant", self.ws2, "1000")
        self.api = Api(self.key)
        self.api2 = Api(self.key2)

    def campaign(self, ws=None, **fields):
        body = {
            "type": "serp",
            "name": "campaign " + uuid.uuid4().hex[:6],
            "targetUrl": "https://example.com/guide",
            "sender": "sam@agency.example",
            "template": {"subject": "Hello {{contactFirstName}}", "body": "Hi there"},
            "prospects": [],
        }
        body.update(fields)
        return cli("campaign", "create", ws or self.ws, stdin=json.dumps(body))


def send_without_approval(api):
    """Sets the key's workspace policy so send-email needs no approval (delivery tests)."""
    r = api.request("PUT", "/v1/workspace/policy", headers={"Content-Type": "application/json"},
                    data=json.dumps({"approval": {"sendEmail": "auto"}}))
    assert r.status_code == 200, r.text


def add_prospects(api, cid, contacts):
    """Adds prospects (dicts with domain, contactName, contactEmail) to a campaign through
    the API; returns their relationship ids by contact email."""
    r = api.post(f"/v1/link-building/campaign/{cid}/relationships",
                 headers={"Content-Type": "application/json"},
                 data=json.dumps({"prospects": contacts}))
    assert r.status_code == 201, r.text
    return {x["contactEmail"]: x["id"] for x in r.json()["data"]}


@pytest.fixture(scope="session")
def demo():
    """The demo account seeded by scripts/dev."""
    return {
        "api": Api(os.environ["LINKCAMP_API_KEY"]),
        "other": Api(os.environ["LINKCAMP_OTHER_API_KEY"]),
        "account": Api(os.environ["LINKCAMP_ACCOUNT_KEY"]),
        "workspace": os.environ["LINKCAMP_WORKSPACE_ID"],
        "other_workspace": os.environ["LINKCAMP_OTHER_WORKSPACE_ID"],
        "campaign": os.environ["LINKCAMP_CAMPAIGN_ID"],
    }


@pytest.fixture(scope="module")
def tenant():
    return Tenant()


@pytest.fixture
def anon():
    return Api(None)


@pytest.fixture
def clock():
    """The stack's test clock (the asan build reads LINKCAMP_TEST_CLOCK_FILE: docs/mailboxes.md,
    "The test clock"): clock(t_ms) sets the instant every process of the stack sees; the real
    clock is back when the test ends."""
    path = os.environ.get("LINKCAMP_TEST_CLOCK_FILE", "")
    assert path, "LINKCAMP_TEST_CLOCK_FILE is not set: run through scripts/dev"

    def set_clock(t_ms):
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(int(t_ms)))
        os.replace(tmp, path)  # the processes never read half a number

    yield set_clock
    if os.path.exists(path):
        os.unlink(path)


def csrf_of(html):
    """The CSRF token in a page's form, or "" when the page has none."""
    import re
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    return m.group(1) if m else ""


def sign_in(email, password):
    """A requests.Session signed in the way a person is: the login page for its cookie and
    form token, then the form's POST, which must answer 303 with the session cookie."""
    s = requests.Session()
    page = s.get(URL + "/app/login", timeout=30)
    r = s.post(URL + "/app/login", allow_redirects=False, timeout=30, data={
        "csrf": csrf_of(page.text), "next": "/app/", "email": email, "password": password})
    assert r.status_code == 303, r.text
    return s


def config_value(section, key):
    """The stack's configuration value [section] key (the stack under test's file)."""
    current = None
    with open(CONFIG) as f:
        for line in f:
            line = line.strip()
            if line.startswith("["):
                current = line.strip("[]")
            elif current == section and line.partition("=")[0].strip() == key:
                return line.partition("=")[2].strip()
    raise AssertionError(f"no [{section}] {key} in {CONFIG}")


def db_socket():
    return config_value("database", "socket")


def sql(query):
    """Reads the database directly, for invariants the API does not expose (ledger sums,
    states of every message). Tests only write to it to make time pass (old schedules) or
    to spoil a kept count for `linkcamp counts` to find (test_counts.py)."""
    p = subprocess.run(["mariadb", "--no-defaults", "-S", db_socket(), "-u", "root", "linkcamp",
                        "-N", "-B", "-e", query], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError(p.stderr)
    return [line.split("\t") for line in p.stdout.splitlines()]


def worker_pid():
    """The test stack's linkcamp-worker (a test that stops it, SIGSTOP, resumes it)."""
    var = os.path.dirname(os.path.dirname(CONFIG))
    with open(os.path.join(var, "run", "worker.pid")) as f:
        return int(f.read().strip())


def rows_read_by(gets):
    """Runs each call of gets ({name: function}) with the worker stopped, so nothing else
    reads, and returns {name: (MariaDB's Rows_read across the call, its result)}: what one
    request reads, for tests that hold a list to its page rather than its history."""
    def rows_read():
        return int(sql("SHOW GLOBAL STATUS LIKE 'Rows_read'")[0][1])
    pid = worker_pid()
    os.kill(pid, signal.SIGSTOP)
    try:
        out = {}
        for name, get in gets.items():
            before = rows_read()
            result = get()
            out[name] = (rows_read() - before, result)
        return out
    finally:
        os.kill(pid, signal.SIGCONT)


MAILDIR = os.environ.get("LINKCAMP_MAILDIR", "")
LOG_DIR = os.environ.get("LINKCAMP_LOG_DIR", "/tmp")


def start_worker_process(log_name, argv=None, **env_extra):
    """Starts a linkcamp-worker of the build under test (or argv, a wrapper such as valgrind
    around it) with configuration overrides in env_extra (LINKCAMP_WORKER_THREADS=...).
    It inherits the run's ASAN_OPTIONS and UBSAN_OPTIONS, so any report it writes lands in
    the log directory scripts/dev test checks. End it with stop_process."""
    env = dict(os.environ, **env_extra)
    with open(os.path.join(LOG_DIR, log_name), "ab") as log:
        return subprocess.Popen(argv or [os.path.join(BIN, "linkcamp-worker"), "-c", CONFIG],
                                env=env, stdout=log, stderr=log)


def stop_process(p, timeout=60):
    """Ends a process a test started (None: nothing to do) with SIGTERM, as an operator
    would, and asserts it exits with status 0 within timeout: a crash, a hang or a leak
    report at exit (which makes the status non-zero) fails the test. A process that had
    already ended must have ended with status 0 too."""
    import signal

    if p is None:
        return
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            raise AssertionError(f"pid {p.pid} ({p.args[0]}) did not end within {timeout} s of SIGTERM")
    assert p.returncode == 0, f"pid {p.pid} ({p.args[0]}) exited with status {p.returncode}"


def sink_messages():
    """Every message the SMTP sink stored, as (raw bytes, email.message.EmailMessage)."""
    import email
    import email.policy

    out = []
    for sub in ("new", "cur"):
        d = os.path.join(MAILDIR, sub)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            with open(os.path.join(d, name), "rb") as f:
                raw = f.read()
            out.append((raw, email.message_from_bytes(raw, policy=email.policy.default)))
    return out


def wait_for(pred, timeout=60.0, interval=0.1):
    """pred() until it is truthy or timeout seconds passed; returns its last value. The
    timeout is a bound for a loaded machine, never a speed claim: a passing wait returns
    as soon as pred holds."""
    import time

    deadline = time.time() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.time() > deadline:
            return v
        time.sleep(interval)


class LocalHttp:
    """A real HTTP server on 127.0.0.1 (an ephemeral port) in a thread, for what linkcamp's
    worker calls out to: webhook receivers, prospects' pages. handler is a
    BaseHTTPRequestHandler subclass."""

    def __init__(self, handler):
        import threading
        from http.server import ThreadingHTTPServer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()



# ---- every answer against docs/openapi.yaml (docs/openapi.md) ----
# Each answer the stack gives a test, through Api or requests directly, is checked by
# method + route template + status against the OpenAPI document (openapi_check.py):
# a body that does not match its schema, or a route, method or status the document does
# not name, fails the test that received it — at the request, and again at the test's end
# in case the request ran in a thread that swallowed the error. HTML pages, /mcp and
# nginx's static files are outside the document and left to their own tests.
# LINKCAMP_OPENAPI_RECORD=FILE also appends every answer to FILE as a JSON line, for
# `python3 openapi_check.py SPEC FILE` (how the document was first checked).
SPEC_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                         "openapi.yaml")
OPENAPI_MISMATCHES = []


def _openapi_install():
    import importlib.util
    import threading
    import urllib.parse

    # by path: tests/prod loads this file as a module of its own, from its own directory
    spec_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), "openapi_check.py")
    loader = importlib.util.spec_from_file_location("openapi_check", spec_file)
    openapi_check = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(openapi_check)

    spec = openapi_check.Spec(SPEC_PATH)
    base = urllib.parse.urlsplit(URL)
    record = os.environ.get("LINKCAMP_OPENAPI_RECORD")
    lock = threading.Lock()
    send = requests.Session.send

    def checked_send(self, request, **kw):
        r = send(self, request, **kw)
        u = urllib.parse.urlsplit(request.url)
        if (u.scheme, u.netloc) != (base.scheme, base.netloc) or kw.get("stream"):
            return r
        ctype = r.headers.get("Content-Type", "")
        if record:
            with lock, open(record, "a", encoding="utf-8") as f:
                f.write(json.dumps({"m": request.method, "p": u.path, "q": u.query,
                                    "s": r.status_code, "ct": ctype,
                                    "b": r.content.decode("utf-8", "replace")}) + "\n")
        try:
            spec.check(request.method, u.path, r.status_code, ctype, r.content)
        except openapi_check.Mismatch as e:
            with lock:
                OPENAPI_MISMATCHES.append(str(e))
            raise
        return r

    requests.Session.send = checked_send


_openapi_install()


@pytest.fixture(autouse=True)
def openapi_answers():
    """Fails a test that received an answer docs/openapi.yaml does not allow."""
    del OPENAPI_MISMATCHES[:]
    yield
    found = list(OPENAPI_MISMATCHES)
    del OPENAPI_MISMATCHES[:]
    assert not found, "answers outside docs/openapi.yaml:\n" + "\n".join(found[:10])
