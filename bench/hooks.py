"""bench/hooks.py — the webhook receiver of bench/mixed (issue 20, item 2).

bench/mixed configures one webhook per workspace pointing here, so the worker's webhook
sender really delivers while the mix runs (the events the mix causes, and the test events
its `hook` class asks for with POST /v1/webhooks/{id}/test). The receiver listens on
127.0.0.1 at a port the kernel picks (no fixed port to collide with other stacks on the
machine), answers 204 at once, checks every delivery's Standard Webhooks signature with
the secret of the workspace its path names, and counts deliveries by event type. The bench
stack must allow a private http:// target: bench/mixed starts it with
LINKCAMP_WEBHOOK_ALLOW_PRIVATE=yes and LINKCAMP_WEBHOOK_ALLOW_HTTP=yes, as the test stack
does (docs/webhooks.md); a webhook's URL is refused otherwise.
"""
import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

EVENTS = ["link_building.email.sent", "link_building.reply.received",
          "link_building.approval.requested", "link_building.approval.decided",
          "link_building.campaign.paused", "link_building.campaign.resumed"]
DESCRIPTION = "bench/mixed receiver"
MAX_BODY = 1 << 20


class Receiver:
    def __init__(self):
        self.lock = threading.Lock()
        self.secrets = {}        # path -> secret
        self.by_type = {}        # event type -> deliveries
        self.bad = 0             # deliveries whose signature did not verify (or unreadable)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                try:
                    n = int(self.headers.get("Content-Length") or 0)
                except ValueError:
                    n = -1
                body = self.rfile.read(n) if 0 <= n <= MAX_BODY else b""
                receiver.record(self.path, self.headers, body, 0 <= n <= MAX_BODY)
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def record(self, path, headers, body, whole):
        with self.lock:
            secret = self.secrets.get(path)
        ok = whole and secret is not None and verify(secret, headers, body)
        try:
            kind = json.loads(body).get("type", "?") if ok else None
        except (ValueError, AttributeError):
            kind, ok = None, False
        with self.lock:
            if ok:
                self.by_type[kind] = self.by_type.get(kind, 0) + 1
            else:
                self.bad += 1

    def counts(self):
        """(deliveries by type, bad ones) so far."""
        with self.lock:
            return dict(self.by_type), self.bad

    def url(self, ws):
        return "http://127.0.0.1:%d/hook/%s" % (self.port, ws)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def verify(secret, headers, body):
    """The Standard Webhooks check a receiver makes (docs/webhooks.md)."""
    try:
        key = base64.b64decode(secret[len("whsec_"):])
        signed = ("%s.%s." % (headers["webhook-id"], headers["webhook-timestamp"])).encode() + body
        sigs = headers["webhook-signature"].split(" ")
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
    want = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(s, want) for s in sigs)


def remove_stale(url, keys):
    """Deletes the webhooks an earlier run left (their receiver is gone; the sender would
    retry them for days). keys: {workspace: API key}."""
    s = requests.Session()
    for ws, key in keys.items():
        auth = {"Authorization": "Bearer " + key}
        r = s.get(url + "/v1/webhooks", headers=auth, timeout=60)
        r.raise_for_status()
        for h in r.json().get("data", []):
            if h.get("description") == DESCRIPTION:
                s.delete(url + "/v1/webhooks/" + h["id"], headers=auth, timeout=60)


def configure(url, keys, rx):
    """One webhook per workspace to the receiver; returns {workspace: webhook id}."""
    remove_stale(url, keys)
    s = requests.Session()
    out = {}
    for ws, key in keys.items():
        r = s.post(url + "/v1/webhooks", timeout=60,
                   headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"},
                   data=json.dumps({"url": rx.url(ws), "events": EVENTS,
                                    "description": DESCRIPTION}))
        if r.status_code != 201:
            raise RuntimeError("POST /v1/webhooks answered %d: %s (is the stack started with "
                               "LINKCAMP_WEBHOOK_ALLOW_HTTP=yes and "
                               "LINKCAMP_WEBHOOK_ALLOW_PRIVATE=yes?)" % (r.status_code, r.text[:300]))
        h = r.json()
        with rx.lock:
            rx.secrets["/hook/" + ws] = h["secret"]
        out[ws] = h["id"]
    return out
