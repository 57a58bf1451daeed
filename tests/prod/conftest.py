"""The production-defaults tests drive a second stack (tests/prod/phase.sh): nginx over
TLS with a CA made for this run, [webhooks] allow_private and allow_http and [app]
secure_cookies left at their defaults, [smtp] starttls = required against a relay that
offers no STARTTLS, and [webhooks] ca_file naming the run's CA.

The helpers of tests/integration (Api, Tenant, cli, sql, wait_for, ...) are reused as
they are: Api speaks https because REQUESTS_CA_BUNDLE names the run's CA. Receivers here
are real https servers on 127.0.0.1 (TlsHttp)."""
import importlib.util
import os
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

_spec = importlib.util.spec_from_file_location(
    "integration_conftest",
    os.path.join(os.path.dirname(__file__), "..", "integration", "conftest.py"))
it = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(it)

TLS = os.environ["LINKCAMP_TLS_DIR"]
DEV = os.environ["LINKCAMP_DEV"]
INSTANCE = os.environ["LINKCAMP_INSTANCE"]
JSON = {"Content-Type": "application/json"}


class Recorder(BaseHTTPRequestHandler):
    """Answers every GET and POST with 200 and a page linking to example.com; the server
    it belongs to records (method, path) of each request that got through TLS."""

    def _answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        with self.server.lock:
            self.server.hits.append((self.command, self.path))
        body = b'<html><body><a href="https://example.com/guide">guide</a></body></html>'
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = _answer
    do_POST = _answer

    def log_message(self, *args):
        pass


class TlsHttp:
    """A real https server on 127.0.0.1 (ephemeral port) presenting CERT.pem/CERT.key
    from the run's TLS directory (tests/prod/make-ca), or plain http when cert is None."""

    def __init__(self, cert):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
        self.server.lock = threading.Lock()
        self.server.hits = []
        self.scheme = "http"
        if cert:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(os.path.join(TLS, cert + ".pem"), os.path.join(TLS, cert + ".key"))
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path, host="127.0.0.1"):
        return f"{self.scheme}://{host}:{self.port}{path}"

    def hits(self):
        with self.server.lock:
            return list(self.server.hits)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def loopback_names():
    """localhost and every other name /etc/hosts maps to a loopback address (on this
    machine's kind: the hostname, or names like `vm`)."""
    names = ["localhost"]
    with open("/etc/hosts") as f:
        for line in f:
            fields = line.split("#")[0].split()
            if len(fields) >= 2 and (fields[0].startswith("127.") or fields[0] == "::1"):
                names += [n for n in fields[1:] if n not in names]
    return names


def create_webhook(api, url, events=("link_building.email.sent",)):
    import json
    return api.post("/v1/webhooks", headers=JSON, data=json.dumps({"url": url, "events": list(events)}))


def deliveries(api, wid):
    r = api.get(f"/v1/webhooks/{wid}/deliveries")
    assert r.status_code == 200, r.text
    return r.json()["data"]


def ping(api, wid):
    """Queues the test event to one webhook; returns its event id."""
    r = api.post(f"/v1/webhooks/{wid}/test")
    assert r.status_code == 202, r.text
    return r.json()["eventId"]


def attempt_of(api, wid, event_id, timeout=30):
    """The first recorded delivery attempt of event_id to webhook wid (or None)."""
    return it.wait_for(lambda: next((d for d in deliveries(api, wid) if d["eventId"] == event_id),
                                    None), timeout=timeout)


@pytest.fixture(scope="module")
def receivers():
    """good: a certificate of the trusted test CA for 127.0.0.1 and localhost;
    other: the same names, signed by a CA nobody trusts; wrongname: the trusted CA, but
    for another name; plain: http."""
    rx = {name: TlsHttp(cert) for name, cert in
          (("good", "server"), ("other", "other"), ("wrongname", "wrongname"), ("plain", None))}
    yield rx
    for r in rx.values():
        r.stop()


@pytest.fixture(scope="module")
def private_allowed_worker():
    """The stack's worker restarted with [webhooks] allow_private = yes (the operator's
    knob for an internal receiver), everything else as configured: the address guard lets
    127.0.0.1 through, so what follows is decided by TLS and the scheme alone. The
    default worker comes back afterwards."""
    subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=60)
    env = dict(os.environ, LINKCAMP_WEBHOOK_ALLOW_PRIVATE="yes")
    subprocess.run([DEV, "worker-start", INSTANCE], check=True, timeout=60, env=env)
    yield
    subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=60)
    subprocess.run([DEV, "worker-start", INSTANCE], check=True, timeout=60)
