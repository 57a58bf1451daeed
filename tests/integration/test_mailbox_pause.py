"""Pausing a mailbox by hand (docs/mailboxes.md, "The API"): POST /v1/mailboxes/{id}/pause
holds its messages like an AUTH failure does, with the reason and the mailbox.paused
webhook, until resume; the same request twice is a 409; a bad reason is a 422."""
import json
import uuid

from conftest import Tenant, assert_problem, sink_messages, wait_for
from test_mailboxes import CAMPAIGN, JSON, Receiver, auto_policy, create_mailbox, message_rows


def test_a_paused_mailbox_holds_its_messages_until_resumed():
    t = Tenant()
    auto_policy(t.api)
    rx = Receiver()
    try:
        r = t.api.post("/v1/webhooks", headers=JSON, data=json.dumps(
            {"url": rx.url("/h"), "events": ["link_building.mailbox.paused"]}))
        assert r.status_code == 201, r.text
        m = create_mailbox(t.api, user="box1")
        r = t.api.post(f"/v1/mailboxes/{m['id']}/pause", headers=JSON,
                       data=json.dumps({"reason": "client on holiday"}))
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "paused"
        assert r.json()["pausedReason"] == "paused by an API key: client on holiday"
        assert_problem(t.api.post(f"/v1/mailboxes/{m['id']}/pause"), 409, "already_paused")
        hits = wait_for(lambda: rx.hits, timeout=30)
        assert hits and hits[0][1]["data"]["mailboxId"] == m["id"], hits
        assert hits[0][1]["data"]["reason"] == "paused by an API key: client on holiday"

        to = f"held-{uuid.uuid4().hex[:8]}@pause.example"
        r = t.api.post(CAMPAIGN, headers=JSON, data=json.dumps(
            {"type": "serp", "name": "pause " + uuid.uuid4().hex[:6],
             "targetUrl": "https://example.com/guide", "sender": "relay@agency.example",
             "mailboxIds": [m["id"]], "template": {"subject": "Hi", "body": "Hello"},
             "prospects": [{"domain": "pause.example", "contactName": "Pat", "contactEmail": to}]}))
        assert r.status_code == 201, r.text
        cid = r.json()["id"]
        held = wait_for(lambda: [x for x in t.api.get(
            "/v1/approvals", query=f"campaignId={cid}&status=held").json()["data"]], timeout=60)
        assert held and held[0]["heldReason"] == "mailbox_paused", message_rows(cid)
        assert not [x for _, x in sink_messages() if x["X-Sink-Rcpt-To"] == to]

        r = t.api.post(f"/v1/mailboxes/{m['id']}/resume")
        assert r.status_code == 200 and r.json()["status"] == "active", r.text
        assert wait_for(lambda: [x for _, x in sink_messages() if x["X-Sink-Rcpt-To"] == to], 60)
    finally:
        rx.stop()


def test_pause_refusals():
    t = Tenant()
    m = create_mailbox(t.api, user="box1")
    r = t.api.post(f"/v1/mailboxes/{m['id']}/pause", headers=JSON,
                   data=json.dumps({"reason": "x" * 201}))
    assert_problem(r, 422, "validation_failed", "reason")
    r = t.api.post(f"/v1/mailboxes/{m['id']}/pause", headers=JSON,
                   data=json.dumps({"reason": "two\nlines"}))
    assert_problem(r, 422, "validation_failed", "reason")
    r = t.api.post(f"/v1/mailboxes/{m['id']}/pause", headers=JSON, data=json.dumps({"why": "x"}))
    assert_problem(r, 422, "validation_failed", "why")
    assert_problem(t.api.post("/v1/mailboxes/mbx_nope/pause"), 404, "mailbox_not_found")
    assert_problem(t.api2.post(f"/v1/mailboxes/{m['id']}/pause"), 404, "mailbox_not_found")
    assert t.api.get(f"/v1/mailboxes/{m['id']}").json()["status"] == "active"
