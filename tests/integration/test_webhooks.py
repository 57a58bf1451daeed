"""Webhooks (SPEC §7, docs/webhooks.md) against the real stack and a real HTTP receiver.

The receiver is Python's http.server on 127.0.0.1, answering by path: /ok/... 200,
/flaky/... 500 the first time and 200 after, /gone/... 410, /redirect/... 302 to an /ok
path, /fail/... always 500. The test stack runs with [webhooks] allow_private and
allow_http on (to reach it) and backoff_scale_ms = 20 (retries 50 times sooner: the
second attempt comes 0.1 s after the first)."""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import threading
import uuid
from http.server import BaseHTTPRequestHandler

import pytest

from conftest import (LocalHttp, Api, Tenant, add_prospects, assert_problem, sql,
                      start_worker_process, stop_process,
                      wait_for)

DEV = os.environ.get("LINKCAMP_DEV", "")
INSTANCE = os.environ.get("LINKCAMP_INSTANCE", "test")
LOG_DIR = os.environ.get("LINKCAMP_LOG_DIR", "/tmp")
JSON = {"Content-Type": "application/json"}
CAMPAIGN = "/v1/link-building/campaign"


class Receiver(LocalHttp):
    """Records every request: (path, headers as a dict of lower-case names, body bytes)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.hits = []
        self.seen = set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                with receiver.lock:
                    receiver.hits.append((self.path, {k.lower(): v for k, v in self.headers.items()},
                                          body))
                    first = self.path not in receiver.seen
                    receiver.seen.add(self.path)
                if self.path.startswith("/ok/"):
                    status, extra = 200, {}
                elif self.path.startswith("/flaky/"):
                    status, extra = (500 if first else 200), {}
                elif self.path.startswith("/gone/"):
                    status, extra = 410, {}
                elif self.path.startswith("/redirect/"):
                    status, extra = 302, {"Location": "/ok/redirected-" + self.path[10:]}
                else:
                    status, extra = 500, {}
                payload = b"thanks \xff\x00 binary"
                self.send_response(status)
                for k, v in extra.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        LocalHttp.__init__(self, Handler)

    def at(self, path):
        with self.lock:
            return [h for h in self.hits if h[0] == path]



@pytest.fixture(scope="module")
def rx():
    r = Receiver()
    yield r
    r.stop()


def create(api, url, events, **extra):
    body = {"url": url, "events": events}
    body.update(extra)
    return api.post("/v1/webhooks", headers=JSON, data=json.dumps(body))


def verify(secret, headers, body):
    """The Standard Webhooks check a receiver makes (docs/webhooks.md)."""
    key = base64.b64decode(secret[len("whsec_"):])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(sig == "v1," + expected for sig in headers["webhook-signature"].split(" "))


def deliveries(api, wid):
    r = api.get(f"/v1/webhooks/{wid}/deliveries")
    assert r.status_code == 200, r.text
    return r.json()


def new_campaign(t):
    cid = t.campaign(template={"subject": "", "body": ""})
    rels = add_prospects(t.api, cid, [{"domain": "hooks.example", "contactName": "Ada",
                                       "contactEmail": f"ada-{uuid.uuid4().hex[:6]}@hooks.example"}])
    return cid, list(rels.values())[0]


def test_create_list_delete(rx):
    t = Tenant()
    r = create(t.api, rx.url("/ok/a"), ["link_building.email.sent", "link_building.email.sent",
                                        "link_building.link.placed"], description="CRM sync")
    assert r.status_code == 201, r.text
    w = r.json()
    assert w["id"].startswith("wh_") and w["status"] == "active"
    assert w["url"] == rx.url("/ok/a") and w["description"] == "CRM sync"
    assert sorted(w["events"]) == ["link_building.email.sent", "link_building.link.placed"]
    secret = w["secret"]
    assert secret.startswith("whsec_")
    assert 24 <= len(base64.b64decode(secret[6:], validate=True)) <= 32
    listed = t.api.get("/v1/webhooks").json()
    assert listed["total"] == 1 and listed["nextCursor"] is None
    assert listed["data"][0]["id"] == w["id"]
    assert "secret" not in listed["data"][0] and secret not in json.dumps(listed)
    # another workspace sees nothing and cannot touch it
    assert t.api2.get("/v1/webhooks").json()["data"] == []
    assert_problem(t.api2.request("DELETE", f"/v1/webhooks/{w['id']}"), 404, "webhook_not_found")
    assert_problem(t.api2.get(f"/v1/webhooks/{w['id']}/deliveries"), 404, "webhook_not_found")
    assert_problem(t.api2.post(f"/v1/webhooks/{w['id']}/test"), 404, "webhook_not_found")
    r = t.api.request("DELETE", f"/v1/webhooks/{w['id']}")
    assert r.status_code == 204 and r.content == b""
    assert t.api.get("/v1/webhooks").json() == {"data": [], "total": 0, "nextCursor": None}
    assert_problem(t.api.request("DELETE", f"/v1/webhooks/{w['id']}"), 404, "webhook_not_found")
    assert_problem(t.api.request("DELETE", "/v1/webhooks/nonsense"), 404, "webhook_not_found")
    assert_problem(Api(None).get("/v1/webhooks"), 401, "unauthorized")
    assert_problem(t.api.request("PUT", "/v1/webhooks"), 405, "method_not_allowed")


@pytest.mark.parametrize("body,param", [
    ({"events": ["link_building.email.sent"]}, "url"),
    ({"url": 5, "events": ["link_building.email.sent"]}, "url"),
    ({"url": "", "events": ["link_building.email.sent"]}, "url"),
    ({"url": "ftp://example.com/x", "events": ["link_building.email.sent"]}, "url"),
    ({"url": "/relative", "events": ["link_building.email.sent"]}, "url"),
    ({"url": "https://user:pw@example.com/", "events": ["link_building.email.sent"]}, "url"),
    ({"url": "https://example.com/" + "a" * 2000, "events": ["link_building.email.sent"]}, "url"),
    ({"url": "https://exa mple.com/", "events": ["link_building.email.sent"]}, "url"),
    ({"url": "https://example.com:99999/", "events": ["link_building.email.sent"]}, "url"),
    ({"url": "https://example.com/"}, "events"),
    ({"url": "https://example.com/", "events": []}, "events"),
    ({"url": "https://example.com/", "events": "link_building.email.sent"}, "events"),
    ({"url": "https://example.com/", "events": ["email_sent"]}, "events[0]"),
    ({"url": "https://example.com/", "events": ["link_building.email.sent", 3]}, "events[1]"),
    ({"url": "https://example.com/", "events": ["link_building.webhook.test"]}, "events[0]"),
    ({"url": "https://example.com/", "events": ["link_building.email.sent"],
      "description": "x" * 501}, "description"),
    ({"url": "https://example.com/", "events": ["link_building.email.sent"],
      "description": 7}, "description"),
    ({"url": "https://example.com/", "events": ["link_building.email.sent"], "secret": "x"},
     "secret"),
])
def test_validation(body, param):
    t = Tenant()
    assert_problem(t.api.post("/v1/webhooks", headers=JSON, data=json.dumps(body)), 422,
                   "validation_failed", param=param)
    assert t.api.get("/v1/webhooks").json()["total"] == 0


def test_bad_bodies():
    t = Tenant()
    assert_problem(t.api.post("/v1/webhooks", headers=JSON, data="{"), 400, "invalid_json")
    assert_problem(t.api.post("/v1/webhooks", data="{}", headers={"Content-Type": "text/plain"}),
                   415, "unsupported_media_type")
    assert_problem(t.api.post("/v1/webhooks/wh_x/test", headers=JSON, data='{"a":1}'), 422,
                   "validation_failed")
    assert_problem(t.api.get("/v1/webhooks", query="limit=5"), 400, "invalid_parameter")


def test_cap_per_workspace():
    t = Tenant()
    ids = []
    for i in range(20):
        r = create(t.api, f"https://example.com/hook/{i}", ["link_building.campaign.paused"])
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    assert_problem(create(t.api, "https://example.com/hook/20", ["link_building.campaign.paused"]),
                   422, "webhook_limit_reached")
    assert t.api.get("/v1/webhooks").json()["total"] == 20
    assert t.api.request("DELETE", f"/v1/webhooks/{ids[0]}").status_code == 204
    assert create(t.api, "https://example.com/hook/21",
                  ["link_building.campaign.paused"]).status_code == 201
    # the other workspace has its own cap
    assert create(t.api2, "https://example.com/hook/x",
                  ["link_building.campaign.paused"]).status_code == 201


def test_idempotency_key_replays_the_same_webhook_and_secret():
    t = Tenant()
    body = json.dumps({"url": "https://example.com/idem", "events": ["link_building.email.sent"]})
    h = dict(JSON, **{"Idempotency-Key": "wh-" + uuid.uuid4().hex})
    first = t.api.post("/v1/webhooks", headers=h, data=body)
    second = t.api.post("/v1/webhooks", headers=h, data=body)
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert second.headers["Idempotent-Replayed"] == "true"
    assert t.api.get("/v1/webhooks").json()["total"] == 1
    assert_problem(t.api.post("/v1/webhooks", headers=h, data=body.replace("idem", "other")),
                   422, "idempotency_key_reused")


def test_email_sent_is_signed_and_retried_with_the_same_id(rx):
    t = Tenant()
    t.api.request("PUT", "/v1/workspace/policy", headers=JSON,
                  data=json.dumps({"approval": {"sendEmail": "auto"}}))
    path = f"/flaky/{uuid.uuid4().hex}"
    w = create(t.api, rx.url(path), ["link_building.email.sent"]).json()
    cid, rel = new_campaign(t)
    r = t.api.post(f"{CAMPAIGN}/{cid}/send-email", headers=JSON, data=json.dumps(
        {"relationshipId": rel, "subject": "hooks", "body": "Hello", "scheduleAt": "now"}))
    assert r.status_code == 202, r.text
    out = r.json()["invocation"]["message"]["id"]
    hits = wait_for(lambda: len(rx.at(path)) >= 2 and rx.at(path), timeout=60)
    assert hits and len(hits) == 2, rx.at(path)
    (_, h1, b1), (_, h2, b2) = hits
    assert h1["webhook-id"] == h2["webhook-id"] and h1["webhook-id"].startswith("evt_")
    assert h1["content-type"] == "application/json"
    assert h1["user-agent"].startswith("linkcamp")
    for h, b in ((h1, b1), (h2, b2)):
        assert verify(w["secret"], h, b), (h, b)
        assert not verify("whsec_" + base64.b64encode(b"x" * 32).decode(), h, b)
        doc = json.loads(b)
        assert set(doc) == {"type", "timestamp", "data"}
        assert doc["type"] == "link_building.email.sent"
        assert doc["data"]["messageId"] == out
        assert doc["data"]["campaignId"] == cid and doc["data"]["relationshipId"] == rel
        assert doc["data"]["eventId"] == h["webhook-id"]
        assert doc["data"]["workspaceId"] == t.ws
        assert abs(int(h["webhook-timestamp"]) - __import__("time").time()) < 600
    d = wait_for(lambda: (lambda x: x["total"] == 2 and x)(deliveries(t.api, w["id"])))
    assert d, deliveries(t.api, w["id"])
    newest, oldest = d["data"]
    assert (oldest["attempt"], oldest["statusCode"], oldest["ok"]) == (1, 500, False)
    assert (newest["attempt"], newest["statusCode"], newest["ok"]) == (2, 200, True)
    assert oldest["eventId"] == newest["eventId"] == h1["webhook-id"]
    assert newest["type"] == "link_building.email.sent" and newest["error"] is None
    assert isinstance(newest["durationMs"], int) and newest["at"].endswith("Z")
    page = t.api.get(f"/v1/webhooks/{w['id']}/deliveries", query="limit=1").json()
    assert len(page["data"]) == 1 and page["total"] == 2 and page["nextCursor"]
    rest = t.api.get(f"/v1/webhooks/{w['id']}/deliveries",
                     query="limit=1&cursor=" + page["nextCursor"]).json()
    assert rest["data"] == [oldest] and rest["nextCursor"] is None
    assert_problem(t.api.get(f"/v1/webhooks/{w['id']}/deliveries", query="cursor=zz"), 400,
                   "invalid_parameter", param="cursor")


def test_email_bounced(rx):
    """The test stack's SMTP sink answers 550 5.1.1 to recipients named bounce…."""
    t = Tenant()
    t.api.request("PUT", "/v1/workspace/policy", headers=JSON,
                  data=json.dumps({"approval": {"sendEmail": "auto"}}))
    path = f"/ok/{uuid.uuid4().hex}"
    w = create(t.api, rx.url(path), ["link_building.email.bounced"]).json()
    cid = t.campaign(template={"subject": "", "body": ""})
    rels = add_prospects(t.api, cid, [{"domain": "hooks.example", "contactName": "B",
                                       "contactEmail": f"bounce{uuid.uuid4().hex[:6]}@hooks.example"}])
    rel = list(rels.values())[0]
    r = t.api.post(f"{CAMPAIGN}/{cid}/send-email", headers=JSON, data=json.dumps(
        {"relationshipId": rel, "subject": "bounce", "body": "Hello", "scheduleAt": "now"}))
    assert r.status_code == 202, r.text
    out = r.json()["invocation"]["message"]["id"]
    hits = wait_for(lambda: rx.at(path), timeout=60)
    assert hits and len(hits) == 1
    doc = json.loads(hits[0][2])
    assert doc["type"] == "link_building.email.bounced"
    assert doc["data"]["relationshipId"] == rel and doc["data"]["messageId"] == out
    assert verify(w["secret"], hits[0][1], hits[0][2])


def test_approval_requested_and_decided(rx):
    t = Tenant()
    path = f"/ok/{uuid.uuid4().hex}"
    w = create(t.api, rx.url(path), ["link_building.approval.requested",
                                     "link_building.approval.decided"]).json()
    cid, rel = new_campaign(t)
    r = t.api.post(f"{CAMPAIGN}/{cid}/send-email", headers=JSON, data=json.dumps(
        {"relationshipId": rel, "subject": "approve me", "body": "Hello"}))
    assert r.status_code == 202, r.text
    out = r.json()["invocation"]["message"]["id"]
    assert Api(t.approver_key).post(f"/v1/approvals/{out}/approve").status_code == 200
    hits = wait_for(lambda: len(rx.at(path)) >= 2 and rx.at(path), timeout=60)
    assert hits, rx.at(path)
    docs = [json.loads(b) for _, _, b in hits]
    assert [d["type"] for d in docs] == ["link_building.approval.requested",
                                         "link_building.approval.decided"]
    assert docs[1]["data"]["decision"] == "approved"
    assert all(d["data"]["messageId"] == out for d in docs)
    for _, h, b in hits:
        assert verify(w["secret"], h, b)


def test_campaign_paused_and_resumed(rx):
    t = Tenant()
    path = f"/ok/{uuid.uuid4().hex}"
    create(t.api, rx.url(path), ["link_building.campaign.paused", "link_building.campaign.resumed"])
    cid = t.campaign()
    assert t.api.post(f"{CAMPAIGN}/{cid}/pause", headers=JSON,
                      data=json.dumps({"reason": "holiday"})).status_code == 200
    assert t.api.post(f"{CAMPAIGN}/{cid}/resume").status_code == 200
    hits = wait_for(lambda: len(rx.at(path)) >= 2 and rx.at(path), timeout=60)
    assert hits, rx.at(path)
    docs = [json.loads(b) for _, _, b in hits]
    assert [d["type"] for d in docs] == ["link_building.campaign.paused",
                                         "link_building.campaign.resumed"]
    assert docs[0]["data"]["campaignId"] == cid and docs[0]["data"]["reason"] == "holiday"
    assert "relationshipId" not in docs[0]["data"]
    assert hits[0][1]["webhook-id"] != hits[1][1]["webhook-id"]


def test_410_disables_the_webhook(rx):
    t = Tenant()
    gone, ok = f"/gone/{uuid.uuid4().hex}", f"/ok/{uuid.uuid4().hex}"
    w = create(t.api, rx.url(gone), ["link_building.campaign.paused"]).json()
    r = t.api.post(f"/v1/webhooks/{w['id']}/test")
    assert r.status_code == 202 and r.json()["type"] == "link_building.webhook.test"
    hits = wait_for(lambda: rx.at(gone), timeout=60)
    assert hits and json.loads(hits[0][2])["type"] == "link_building.webhook.test"
    assert json.loads(hits[0][2])["data"]["webhookId"] == w["id"]
    assert hits[0][1]["webhook-id"] == r.json()["eventId"]

    def disabled():
        x = t.api.get("/v1/webhooks").json()["data"][0]
        return x["status"] == "disabled" and x

    x = wait_for(disabled)
    assert x and "410" in x["disabledReason"]
    assert deliveries(t.api, w["id"])["data"][0]["statusCode"] == 410
    assert_problem(t.api.post(f"/v1/webhooks/{w['id']}/test"), 409, "webhook_disabled")
    # a later event goes to the other webhook only (it is sent after what was queued first)
    create(t.api, rx.url(ok), ["link_building.campaign.paused"])
    cid = t.campaign()
    assert t.api.post(f"{CAMPAIGN}/{cid}/pause").status_code == 200
    assert wait_for(lambda: rx.at(ok), timeout=60)
    assert len(rx.at(gone)) == 1
    assert deliveries(t.api, w["id"])["total"] == 1


def test_redirect_is_not_followed(rx):
    t = Tenant()
    tag = uuid.uuid4().hex
    w = create(t.api, rx.url(f"/redirect/{tag}"), ["link_building.campaign.paused"]).json()
    assert t.api.post(f"/v1/webhooks/{w['id']}/test").status_code == 202
    d = wait_for(lambda: (lambda x: x["total"] >= 1 and x)(deliveries(t.api, w["id"])), timeout=60)
    assert d, "no attempt recorded"
    first = d["data"][-1]
    assert (first["attempt"], first["statusCode"], first["ok"]) == (1, 302, False)
    assert rx.at(f"/redirect/{tag}") and rx.at(f"/ok/redirected-{tag}") == []
    t.api.request("DELETE", f"/v1/webhooks/{w['id']}")


def test_deleting_a_webhook_stops_its_deliveries(rx):
    t = Tenant()
    fail, ok = f"/fail/{uuid.uuid4().hex}", f"/ok/{uuid.uuid4().hex}"
    w = create(t.api, rx.url(fail), ["link_building.campaign.paused"]).json()
    ev = t.api.post(f"/v1/webhooks/{w['id']}/test").json()["eventId"]
    assert wait_for(lambda: rx.at(fail), timeout=60)
    assert t.api.request("DELETE", f"/v1/webhooks/{w['id']}").status_code == 204
    # its retry (due 6 s after the first attempt at the test stack's scale) is cancelled
    state = wait_for(lambda: sql(f"SELECT state FROM webhook_outbox WHERE event_public_id = '{ev}'"
                                 " AND state IN (0, 1, 4)") == [["4"]])
    assert state, sql(f"SELECT state, attempts FROM webhook_outbox WHERE event_public_id = '{ev}'")
    w2 = create(t.api, rx.url(ok), ["link_building.campaign.paused"]).json()
    t.api.post(f"/v1/webhooks/{w2['id']}/test")
    assert wait_for(lambda: rx.at(ok), timeout=60)
    n = len(rx.at(fail))
    assert sql(f"SELECT COUNT(*) FROM webhook_outbox WHERE event_public_id = '{ev}' "
               "AND state IN (0, 1)") == [["0"]]
    assert len(rx.at(fail)) == n


def test_private_addresses_are_refused_unless_allowed(rx):
    """A worker with [webhooks] allow_private off refuses 127.0.0.1 in its socket callback
    and records why; the receiver sees nothing."""
    t = Tenant()
    path = f"/ok/{uuid.uuid4().hex}"
    w = create(t.api, rx.url(path), ["link_building.campaign.paused"]).json()
    subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=60)
    worker = None
    try:
        worker = start_worker_process("webhook-private-worker.log", LINKCAMP_WEBHOOK_ALLOW_PRIVATE="no",
                                      LINKCAMP_WORKER_POLL_MS="50")
        assert t.api.post(f"/v1/webhooks/{w['id']}/test").status_code == 202
        d = wait_for(lambda: (lambda x: x["total"] >= 1 and x)(deliveries(t.api, w["id"])),
                     timeout=60)
        assert d, "no attempt recorded"
        first = d["data"][-1]
        assert first["statusCode"] is None and first["ok"] is False
        assert "refused" in first["error"] and "private" in first["error"]
        assert rx.at(path) == []
    finally:
        try:
            stop_process(worker)
        finally:
            subprocess.run([DEV, "worker-start", INSTANCE], check=True, timeout=60)
    t.api.request("DELETE", f"/v1/webhooks/{w['id']}")


def test_a_batch_is_recorded_with_each_attempts_own_outcome(rx):
    """The sender claims up to eight due deliveries, posts each and records them together
    in one transaction (docs/webhooks.md, "How deliveries are recorded"): with the worker
    stopped while nine are queued to three receivers, each attempt still gets its own
    deliveries row and outcome — delivered, due again after the backoff, failed with its
    webhook disabled — and the receiver's bytes are kept printable."""
    t = Tenant()
    tag = uuid.uuid4().hex
    paths = {"ok": f"/ok/{tag}", "fail": f"/fail/{tag}", "gone": f"/gone/{tag}"}
    hooks = {k: create(t.api, rx.url(p), ["link_building.campaign.paused"]).json()
             for k, p in paths.items()}
    subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=60)
    try:
        events = {k: [t.api.post(f"/v1/webhooks/{hooks[k]['id']}/test").json()["eventId"]
                      for _ in range(n)] for k, n in (("ok", 5), ("fail", 3), ("gone", 1))}
    finally:
        subprocess.run([DEV, "worker-start", INSTANCE], check=True, timeout=60)
    assert wait_for(lambda: len(rx.at(paths["ok"])) == 5 and len(rx.at(paths["fail"])) >= 3
                    and len(rx.at(paths["gone"])) == 1, timeout=60)

    def outbox(k):
        wid = hooks[k]["id"]
        return sql("SELECT o.event_public_id, o.state, o.attempts, o.due_at > o.occurred_at, "
                   "o.lease_expires_at IS NULL FROM webhook_outbox o JOIN webhooks w ON "
                   f"w.id = o.webhook_id WHERE w.public_id = '{wid}' ORDER BY o.id")

    def settled():
        return (all(r[1] == "2" for r in outbox("ok")) and all(r[1] == "3" for r in outbox("gone"))
                and all(r[2] != "0" for r in outbox("fail")))

    assert wait_for(settled, timeout=60), (outbox("ok"), outbox("fail"), outbox("gone"))
    assert [(r[0], r[2], r[4]) for r in outbox("ok")] == [(e, "1", "1") for e in events["ok"]]
    # a failure is due again later (or already tried again: the backoff is short here)
    for ev, state, attempts, later, unleased in outbox("fail"):
        assert ev in events["fail"] and (state, later) in (("0", "1"), ("1", "1"))
    listed = {x["id"]: x["status"] for x in t.api.get("/v1/webhooks").json()["data"]}
    assert listed[hooks["gone"]["id"]] == "disabled" and listed[hooks["ok"]["id"]] == "active"
    rows = sql("SELECT d.event_public_id, d.attempt, d.status_code, d.error IS NULL, "
               "d.response_excerpt, d.type FROM webhook_deliveries d JOIN webhooks w ON "
               f"w.id = d.webhook_id WHERE w.public_id IN ('{hooks['ok']['id']}', "
               f"'{hooks['fail']['id']}', '{hooks['gone']['id']}') AND d.attempt = 1 "
               "ORDER BY d.id")
    want = {e: "200" for e in events["ok"]}
    want.update({e: "500" for e in events["fail"]})
    want.update({e: "410" for e in events["gone"]})
    assert sorted((r[0], r[2]) for r in rows) == sorted(want.items())
    assert all(r[3] == "1" and r[4] == "thanks ?? binary" and r[5] == "link_building.webhook.test"
               for r in rows), rows
    for w in hooks.values():
        t.api.request("DELETE", f"/v1/webhooks/{w['id']}")
