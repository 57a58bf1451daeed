"""Sending: approvals in MySQL, delivery by the worker over real SMTP, credits.

The stack's SMTP sink runs with --trouble: recipients named tempfail…, bounce…, reject…,
rcpt4xx…, hang… make it answer 451 / 550 5.1.1 / 554 5.7.1 / 450 at RCPT / nothing after
the final dot. The worker's SMTP timeout is 3 s in the test stack."""
import json
import re
import threading
import uuid

import pytest
import requests

from conftest import (Api, Tenant, assert_problem, cli, send_without_approval, sink_messages, sql,
                      wait_for)

CAMPAIGN = "/v1/link-building/campaign"
JSON = {"Content-Type": "application/json"}


def prospects(*locals_):
    return [{"domain": "example.org", "contactName": f"Contact {p}",
             "contactEmail": f"{p}@example.org"} for p in locals_]


@pytest.fixture(scope="module")
def shop():
    """A workspace whose campaign has normal and misbehaving prospects."""
    t = Tenant()
    t.approver = Api(t.approver_key)
    cid = t.campaign(name="sending tests", prospects=prospects(
        "marina", "oskar", "priya", "jonas", "tempfail1", "bounce1", "reject1", "hang1",
        "rcpt4xx1", "leila", "noor", "grace"))
    rels = {r["contactEmail"].split("@")[0]: r["id"]
            for r in t.api.get("/v1/link-building/crm/relationship",
                               query=f"campaignId={cid}&limit=200").json()["data"]}
    # for worker_polled_past: a campaign in the tenant's other workspace, which needs no
    # approval and has its own credits, so the tests' counts here stay untouched
    send_without_approval(t.api2)
    t.barrier_cid = t.campaign(ws=t.ws2, name="barrier", prospects=prospects("barrier"))
    t.barrier_rel = t.api2.get("/v1/link-building/crm/relationship",
                               query=f"campaignId={t.barrier_cid}").json()["data"][0]["id"]
    return t, cid, rels


def send(api, cid, rel, subject=None, body="Hello there,\nthis is a test.", **extra):
    payload = {"relationshipId": rel, "subject": subject or ("test " + uuid.uuid4().hex),
               "body": body, "scheduleAt": "now"}
    payload.update(extra)
    return api.post(f"{CAMPAIGN}/{cid}/send-email", headers=JSON, data=json.dumps(payload))


def credits(api):
    c = api.get("/v1/credits", query="limit=1").json()
    return {k: c[k] for k in ("balance", "reserved", "available")}


def message(api, out_id):
    return api.get(f"/v1/approvals/{out_id}").json()


def delivered_with_subject(subject):
    return [m for raw, m in sink_messages() if m["Subject"] == subject]


def worker_polled_past(t):
    """Positive evidence that the worker has polled past everything queued until now: a
    message queued after it reaches the sink. The worker claims due messages of every
    workspace in (due_at, id) order, so a message that had wrongly become sendable before
    this one would have been claimed no later than it."""
    subject = "barrier " + uuid.uuid4().hex
    r = send(t.api2, t.barrier_cid, t.barrier_rel, subject=subject)
    assert r.status_code == 202 and r.json()["invocation"]["message"]["status"] != "awaiting_approval", r.text
    assert len(wait_for(lambda: delivered_with_subject(subject))) == 1


def test_send_email_waits_for_approval_then_goes_out_once(shop):
    t, cid, rels = shop
    before = credits(t.api)
    subject = "Quick follow-up — naïve café ☕ " + uuid.uuid4().hex[:8]
    body = "Hi Marina,\n\njust checking in = still keen?\n" + "x" * 200 + "\n.\nFrom here on\n"
    r = send(t.api, cid, rels["marina"], subject=subject, body=body)
    assert r.status_code == 202, r.text
    a = r.json()
    inv = a["invocation"]
    assert a["event"] is None
    assert inv["action"] == "link_building.campaign.send_email"
    assert inv["status"] == "awaiting_approval"
    assert inv["creditsReserved"] == 2 and inv["creditsCharged"] == 0
    assert re.fullmatch(r"inv_[A-Za-z0-9_-]{22}", inv["id"])
    out = inv["message"]["id"]
    assert inv["message"]["status"] == "awaiting_approval"
    assert inv["approvalUrl"].endswith(f"/app/w/{t.ws}/approvals/{out}")
    page = requests.get(inv["approvalUrl"], allow_redirects=False, timeout=10)
    assert page.status_code in (200, 303)  # the page (or its sign-in) — a GET decides nothing
    mid = credits(t.api)
    assert mid["reserved"] == before["reserved"] + 2 and mid["balance"] == before["balance"]
    assert mid["available"] == before["available"] - 2

    pending = t.api.get("/v1/approvals", query="status=pending&kind=send_email").json()
    item = [p for p in pending["data"] if p["id"] == out][0]
    assert item["kind"] == "send_email" and item["subject"] == subject
    assert item["to"] == "marina@example.org" and item["creditsReserved"] == 2

    # a key without the approve permission cannot decide
    assert_problem(t.api.post(f"/v1/approvals/{out}/approve"), 403, "forbidden")
    worker_polled_past(t)
    assert delivered_with_subject(subject) == []
    assert message(t.api, out)["status"] == "awaiting_approval"

    r = t.approver.post(f"/v1/approvals/{out}/approve")
    assert r.status_code == 200 and r.json()["status"] in ("scheduled", "sending", "sent")
    assert wait_for(lambda: t.api.get(f"/v1/invocations/{inv['id']}").json()["invocation"]["status"] == "completed")
    got = wait_for(lambda: delivered_with_subject(subject))
    assert len(got) == 1

    raw = [raw for raw, m in sink_messages() if m["Subject"] == subject][0]
    head, _, payload = raw.partition(b"\r\n\r\n")
    lines = raw.split(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b""), "bare LF in the message"
    assert all(len(line) <= 998 for line in lines)
    m = got[0]
    # the reply token (docs/inbound.md, "Matching"), then 128 random bits
    assert re.fullmatch(r"<[a-z2-7]{16}\.[A-Za-z0-9_-]{22}@agency\.example>", m["Message-ID"])
    assert m["Date"].datetime is not None
    assert m["From"] == "sam@agency.example"
    assert m["To"].addresses[0].addr_spec == "marina@example.org"
    assert m["To"].addresses[0].display_name == "Contact marina"
    assert m["MIME-Version"] == "1.0"
    assert m.get_content_type() == "text/plain" and m.get_content_charset() == "utf-8"
    assert m["Content-Transfer-Encoding"] == "quoted-printable"
    assert re.fullmatch(r"<http://127\.0\.0\.1:\d+/u/[A-Za-z0-9_-]{22}>", m["List-Unsubscribe"])
    assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert b"=?UTF-8?" in head  # the non-ASCII subject is RFC 2047 encoded
    assert m["In-Reply-To"] is None and m["References"] is None
    assert m.get_content().replace("\r\n", "\n") == body
    assert m["X-Sink-Rcpt-To"] == "marina@example.org"  # one recipient per transaction

    done = t.api.get(f"/v1/invocations/{inv['id']}").json()
    assert done["invocation"]["creditsCharged"] == 2
    assert done["invocation"]["message"]["status"] == "sent"
    ev = done["event"]
    assert ev["type"] == "email_sent" and ev["campaignId"] == cid
    assert ev["relationshipId"] == rels["marina"] and ev["messageId"] == out
    assert re.fullmatch(r"evt_[A-Za-z0-9_-]{22}", ev["id"])
    after = credits(t.api)
    assert after["balance"] == before["balance"] - 2
    assert after["reserved"] == before["reserved"]
    kinds = [l["kind"] for l in t.api.get("/v1/credits", query="limit=2").json()["ledger"]]
    assert kinds == ["capture", "reserve"]

    # decisions are final
    assert_problem(t.approver.post(f"/v1/approvals/{out}/approve"), 409, "already_decided")
    assert_problem(t.approver.post(f"/v1/approvals/{out}/reject", headers=JSON,
                                   data=json.dumps({"reason": "too late"})), 409, "already_decided")
    crm = t.api.get(f"/v1/link-building/crm/relationship/{rels['marina']}").json()
    assert crm["status"] == "sent" and crm["lastContactedAt"]


def test_reject_sends_nothing_and_releases_credits(shop):
    t, cid, rels = shop
    before = credits(t.api)
    subject = "to be rejected " + uuid.uuid4().hex
    r = send(t.api, cid, rels["oskar"], subject=subject)
    out = r.json()["invocation"]["message"]["id"]
    inv = r.json()["invocation"]["id"]
    r = t.approver.post(f"/v1/approvals/{out}/reject", headers=JSON,
                        data=json.dumps({"reason": "off-brand tone"}))
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert t.api.get(f"/v1/invocations/{inv}").json()["invocation"]["status"] == "rejected"
    assert t.api.get(f"/v1/invocations/{inv}").json()["invocation"]["creditsCharged"] == 0
    assert credits(t.api) == before
    worker_polled_past(t)
    assert delivered_with_subject(subject) == []
    assert message(t.api, out)["status"] == "rejected"
    rows = sql(f"SELECT d.decision, d.decided_by, d.reason FROM approval_decisions d "
               f"JOIN outbound_messages m ON m.id = d.message_id WHERE m.public_id = '{out}'")
    assert rows == [["1", rows[0][1], "off-brand tone"]] and rows[0][1].startswith("key:")


def test_edit_and_approve_sends_the_edit(shop):
    t, cid, rels = shop
    r = send(t.api, cid, rels["priya"], subject="draft subject " + uuid.uuid4().hex)
    out = r.json()["invocation"]["message"]["id"]
    new_subject = "edited subject " + uuid.uuid4().hex
    r = t.approver.post(f"/v1/approvals/{out}/approve", headers=JSON,
                        data=json.dumps({"subject": new_subject, "body": "Edited body."}))
    assert r.status_code == 200 and r.json()["subject"] == new_subject
    got = wait_for(lambda: delivered_with_subject(new_subject))
    assert len(got) == 1 and got[0].get_content().strip() == "Edited body."


def test_bad_edits_are_422(shop):
    t, cid, rels = shop
    out = send(t.api, cid, rels["priya"]).json()["invocation"]["message"]["id"]
    for body, param in [({"subject": "a\r\nBcc: x@y.z"}, "subject"), ({"subject": ""}, "subject"),
                        ({"body": "x" * (100 * 1024 + 1)}, "body"), ({"to": "x@y.z"}, "to"),
                        ({"subject": 5}, "subject")]:
        r = t.approver.post(f"/v1/approvals/{out}/approve", headers=JSON, data=json.dumps(body))
        assert_problem(r, 422, "validation_failed", param=param)
    assert message(t.api, out)["status"] == "awaiting_approval"
    r = t.approver.post(f"/v1/approvals/{out}/reject", headers=JSON, data=json.dumps({"reason": "tidy up"}))
    assert r.status_code == 200, r.text


def test_reject_needs_a_reason(shop):
    """SPEC: an approver rejects with a reason. None, an empty one or only spaces is a 422
    naming reason, over the API as on the pages, and the message still waits."""
    t, cid, rels = shop
    out = send(t.api, cid, rels["priya"]).json()["invocation"]["message"]["id"]
    for kw in ({}, {"headers": JSON, "data": "{}"}, {"headers": JSON, "data": json.dumps({"reason": ""})},
               {"headers": JSON, "data": json.dumps({"reason": " \t "})}):
        assert_problem(t.approver.post(f"/v1/approvals/{out}/reject", **kw), 422, "validation_failed",
                       param="reason")
    assert message(t.api, out)["status"] == "awaiting_approval"
    r = t.approver.post(f"/v1/approvals/{out}/reject", headers=JSON, data=json.dumps({"reason": "off-topic"}))
    assert r.status_code == 200 and r.json()["status"] == "rejected"


def test_auto_policy_and_pause_holds_until_resume(shop):
    t, cid, rels = shop
    r = t.api.request("PUT", "/v1/workspace/policy", headers=JSON,
                      data=json.dumps({"approval": {"sendEmail": "auto"}}))
    assert r.status_code == 200 and r.json()["approval"]["sendEmail"] == "auto"
    try:
        r = t.api.post(f"{CAMPAIGN}/{cid}/pause", headers=JSON,
                       data=json.dumps({"reason": "Need to revisit messaging"}))
        assert r.status_code == 200
        assert r.json()["status"] == "paused" and r.json()["pauseReason"] == "Need to revisit messaging"
        assert_problem(t.api.post(f"{CAMPAIGN}/{cid}/pause"), 409, "already_paused")
        subject = "held " + uuid.uuid4().hex
        r = send(t.api, cid, rels["jonas"], subject=subject)
        assert r.status_code == 202
        assert r.json()["invocation"]["status"] == "scheduled"
        out = r.json()["invocation"]["message"]["id"]
        assert r.json()["invocation"]["message"]["status"] == "held"
        worker_polled_past(t)
        assert delivered_with_subject(subject) == []
        assert message(t.api, out)["status"] == "held"
    finally:
        r = t.api.post(f"{CAMPAIGN}/{cid}/resume")
    assert r.status_code == 200 and r.json()["status"] == "active" and r.json()["pausedAt"] is None
    assert_problem(t.api.post(f"{CAMPAIGN}/{cid}/resume"), 409, "already_active")
    assert len(wait_for(lambda: delivered_with_subject(subject))) == 1
    timeline = t.api.get(f"{CAMPAIGN}/{cid}/metrics").json()["timeline"]
    events = [e for e in timeline if e["event"] in ("campaign_paused", "campaign_resumed")]
    assert events[-2:] == [
        {"date": events[-2]["date"], "event": "campaign_paused", "reason": "Need to revisit messaging"},
        {"date": events[-1]["date"], "event": "campaign_resumed", "reason": None}]
    t.api.request("PUT", "/v1/workspace/policy", headers=JSON,
                  data=json.dumps({"approval": {"sendEmail": "required"}}))


def test_ended_campaigns_refuse_sends_and_release_drafts(tenant):
    for action in ("cancel", "complete"):
        cid = tenant.campaign(prospects=prospects("a1", "a2"))
        rel = tenant.api.get("/v1/link-building/crm/relationship", query=f"campaignId={cid}").json()["data"][0]["id"]
        reserved = credits(tenant.api)["reserved"]
        r = tenant.api.post(f"{CAMPAIGN}/{cid}/{action}")
        assert r.status_code == 200 and r.json()["status"] == ("cancelled" if action == "cancel" else "completed")
        assert credits(tenant.api)["reserved"] == reserved - 4  # both drafts released
        assert_problem(send(tenant.api, cid, rel), 422, "invalid_state_for_send")
        for again in ("pause", "resume", "cancel", "complete"):
            assert_problem(tenant.api.post(f"{CAMPAIGN}/{cid}/{again}"), 422, "invalid_state_transition")
        drafts = tenant.api.get("/v1/approvals", query=f"campaignId={cid}&status=cancelled").json()
        assert drafts["total"] == 2


def test_no_credits_is_402():
    t = Tenant()
    poor = cli("workspace", "create", t.account, "Poor client")
    key = cli("key", "create", t.account, "--workspace", poor)
    cli("credits", "grant", poor, "2")
    api = Api(key)
    cid = t.campaign(ws=poor, prospects=prospects("only"))  # its draft reserves the 2 credits
    rel = api.get("/v1/link-building/crm/relationship").json()["data"][0]["id"]
    r = send(api, cid, rel)
    body = assert_problem(r, 402, "insufficient_credits")
    assert body["required"] == 2 and body["available"] == 0
    r = api.post(CAMPAIGN, headers=JSON, data=json.dumps({
        "type": "serp", "name": "too big", "targetUrl": "https://x.example/a",
        "sender": "s@x.example", "template": {"subject": "Hi", "body": "Hi"},
        "prospects": prospects("p1", "p2", "p3")}))
    body = assert_problem(r, 402, "insufficient_credits")
    assert body["required"] == 6 and body["available"] == 0
    assert api.get(CAMPAIGN).json()["total"] == 1  # nothing half-created


def test_idempotent_replay_is_byte_identical(shop):
    t, cid, rels = shop
    key = "idem-" + uuid.uuid4().hex
    payload = json.dumps({"relationshipId": rels["leila"], "subject": "idem", "body": "same"})
    h = dict(JSON, **{"Idempotency-Key": key})
    first = t.api.post(f"{CAMPAIGN}/{cid}/send-email", headers=h, data=payload)
    second = t.api.post(f"{CAMPAIGN}/{cid}/send-email", headers=h, data=payload)
    assert first.status_code == second.status_code == 202
    assert first.content == second.content
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    other = t.api.post(f"{CAMPAIGN}/{cid}/send-email", headers=h,
                       data=payload.replace("same", "different"))
    assert_problem(other, 422, "idempotency_key_reused")
    # errors are replayed too
    bad = dict(JSON, **{"Idempotency-Key": "bad-" + key})
    e1 = t.api.post(f"{CAMPAIGN}/{cid}/send-email", headers=bad, data="{}")
    e2 = t.api.post(f"{CAMPAIGN}/{cid}/send-email", headers=bad, data="{}")
    assert e1.status_code == e2.status_code == 422 and e1.content == e2.content
    for k in ["", "x" * 256, "with space", "tab\tkey"]:
        r = t.api.post(f"{CAMPAIGN}/{cid}/send-email", data=payload,
                       headers=dict(JSON, **{"Idempotency-Key": k}))
        assert_problem(r, 400, "invalid_parameter", param="Idempotency-Key")


def test_fifty_concurrent_identical_posts_create_one_message(shop):
    t, cid, rels = shop
    key = "burst-" + uuid.uuid4().hex
    payload = json.dumps({"relationshipId": rels["noor"], "subject": "burst " + key, "body": "once"})
    results = []
    lock = threading.Lock()

    def fire():
        r = Api(t.key).post(f"{CAMPAIGN}/{cid}/send-email", data=payload,
                            headers=dict(JSON, **{"Idempotency-Key": key}))
        with lock:
            results.append(r)

    threads = [threading.Thread(target=fire) for _ in range(50)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert all(r.status_code in (202, 409) for r in results), [r.status_code for r in results]
    ok = [r for r in results if r.status_code == 202]
    assert ok and len({r.json()["invocation"]["id"] for r in ok}) == 1
    for r in results:
        if r.status_code == 409:
            assert r.json()["code"] == "idempotency_key_in_use"
    rows = sql(f"SELECT COUNT(*) FROM outbound_messages WHERE subject = 'burst {key}'")
    assert rows == [["1"]]


@pytest.mark.parametrize("data,headers,status,code,param", [
    ('{"relationshipId": "x", "subject": "s", "body": "b", "cc": "x@y.z"}', JSON, 422, "validation_failed", "cc"),
    ('{"subject": "s", "body": "b"}', JSON, 422, "validation_failed", "relationshipId"),
    ('{"relationshipId": "REL", "body": "b"}', JSON, 422, "validation_failed", "subject"),
    ('{"relationshipId": "REL", "subject": "a\\nb", "body": "b"}', JSON, 422, "validation_failed", "subject"),
    ('{"relationshipId": "REL", "subject": "s", "body": ""}', JSON, 422, "validation_failed", "body"),
    ('{"relationshipId": "REL", "subject": "s", "body": "b", "scheduleAt": "tomorrow"}', JSON, 422, "validation_failed", "scheduleAt"),
    ('{"relationshipId": "REL", "subject": "s", "body": "b", "scheduleAt": "2099-01-01T00:00:00Z"}', JSON, 422, "validation_failed", "scheduleAt"),
    ('{"relationshipId": "REL", "subject": "s", "body": "b", "scheduleAt": "2020-01-01T00:00:00Z"}', JSON, 422, "validation_failed", "scheduleAt"),
    ('{"relationshipId": "REL", "subject": 7, "body": "b"}', JSON, 422, "validation_failed", "subject"),
    ('{"relationshipId": "rel_AAAAAAAAAAAAAAAAAAAAAA", "subject": "s", "body": "b"}', JSON, 404, "relationship_not_found", None),
    ('{"relationshipId": "nope", "subject": "s", "body": "b"}', JSON, 404, "relationship_not_found", None),
    ('{"relationshipId": "REL", "subject": "s", "body": "b"}', {"Content-Type": "text/plain"}, 415, "unsupported_media_type", None),
    ('{"relationshipId": "REL", "subject": "s", "body": "b"}', {}, 415, "unsupported_media_type", None),
    ('{"relationshipId": "REL", "subject": "s", "body": "b"', JSON, 400, "invalid_json", None),
    ('{"relationshipId": "REL", "relationshipId": "REL", "subject": "s", "body": "b"}', JSON, 400, "invalid_json", None),
    ('[1, 2]', JSON, 400, "invalid_json", None),
    ('"just a string"', JSON, 400, "invalid_json", None),
    (b'{"relationshipId": "REL", "subject": "\xff\xfe", "body": "b"}', JSON, 400, "invalid_json", None),
    ('{"relationshipId": "REL", "subject": "s\\u0000x", "body": "b"}', JSON, 400, "invalid_json", None),
])
def test_bad_send_requests(shop, data, headers, status, code, param):
    t, cid, rels = shop
    if isinstance(data, str):
        data = data.replace("REL", rels["grace"]).encode()
    else:
        data = data.replace(b"REL", rels["grace"].encode())
    r = t.api.post(f"{CAMPAIGN}/{cid}/send-email", headers=headers, data=data)
    assert_problem(r, status, code, param=param)


def test_send_into_other_workspace_or_campaign_is_404(shop, demo):
    t, cid, rels = shop
    other = t.campaign(name="other campaign", prospects=prospects("zed"))
    assert_problem(send(t.api, other, rels["grace"]), 404, "relationship_not_found")
    assert_problem(send(demo["api"], cid, rels["grace"]), 404, "campaign_not_found")
    assert_problem(send(t.api2, cid, rels["grace"]), 404, "campaign_not_found")
    big = t.api.post(f"{CAMPAIGN}/{cid}/send-email", headers=JSON, data=b"{" + b" " * (1100 * 1024) + b"}")
    assert_problem(big, 413, "payload_too_large")


def wait_status(api, out, statuses, timeout=60.0):
    return wait_for(lambda: message(api, out)["status"] in statuses and message(api, out), timeout=timeout)


def test_smtp_4xx_defers_with_backoff(shop):
    t, cid, rels = shop
    before = credits(t.api)
    for who in ("tempfail1", "rcpt4xx1"):
        out = send(t.api, cid, rels[who]).json()["invocation"]["message"]["id"]
        t.approver.post(f"/v1/approvals/{out}/approve")
        m = wait_status(t.api, out, ("deferred",))
        assert m and m["status"] == "deferred", m
        assert m["lastError"].startswith("45")
        rows = sql(f"SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), due_at) FROM outbound_messages WHERE public_id = '{out}'")
        assert 30 <= int(rows[0][0]) <= 70  # first retry after about a minute
    # still reserved, nothing charged
    assert credits(t.api)["balance"] == before["balance"]
    assert credits(t.api)["reserved"] == before["reserved"] + 4


def test_smtp_5xx_fails_and_5_1_x_suppresses(shop):
    t, cid, rels = shop
    before = credits(t.api)
    out = send(t.api, cid, rels["bounce1"]).json()["invocation"]["message"]["id"]
    t.approver.post(f"/v1/approvals/{out}/approve")
    m = wait_status(t.api, out, ("failed",))
    assert m and m["lastError"].startswith("550 5.1.1")
    assert credits(t.api) == before
    assert_problem(send(t.api, cid, rels["bounce1"]), 422, "recipient_suppressed")
    crm = t.api.get(f"/v1/link-building/crm/relationship/{rels['bounce1']}").json()
    assert crm["status"] == "bounced"

    out = send(t.api, cid, rels["reject1"]).json()["invocation"]["message"]["id"]
    inv = message(t.api, out)["invocationId"]
    t.approver.post(f"/v1/approvals/{out}/approve")
    m = wait_status(t.api, out, ("failed",))
    assert m and m["lastError"].startswith("554 5.7.1")
    assert t.api.get(f"/v1/invocations/{inv}").json()["invocation"]["status"] == "failed"
    assert send(t.api, cid, rels["reject1"]).status_code == 202  # 5.7.x does not suppress


def test_no_answer_after_the_final_dot_is_unknown_and_never_resent(shop):
    t, cid, rels = shop
    before = credits(t.api)
    subject = "hang " + uuid.uuid4().hex
    out = send(t.api, cid, rels["hang1"], subject=subject).json()["invocation"]["message"]["id"]
    inv = message(t.api, out)["invocationId"]
    t.approver.post(f"/v1/approvals/{out}/approve")
    m = wait_status(t.api, out, ("unknown",))
    assert m and m["status"] == "unknown", m
    i = t.api.get(f"/v1/invocations/{inv}").json()["invocation"]
    assert i["status"] == "unknown" and i["creditsCharged"] == 0
    assert credits(t.api) == before
    rows = sql(f"SELECT attempts FROM outbound_messages WHERE public_id = '{out}'")
    assert rows == [["1"]]


def test_policy_defaults_and_validation(tenant):
    p = tenant.api.get("/v1/workspace/policy").json()
    assert p == {"approval": {"drafts": "required", "sendEmail": "required", "respond": "required",
                              "autoResponses": "required", "followUps": "required"},
                 "maxLatenessHours": 24, "trackOpens": False, "autoPause": {"bounceRate": 0.1},
                 "unsubscribeSuppressesDomain": False, "defaultCurrency": "USD"}
    for body, param in [({"approval": {"drafts": "sometimes"}}, "approval.drafts"),
                        ({"approval": {"emails": "auto"}}, "approval.emails"),
                        ({"maxLatenessHours": 0}, "maxLatenessHours"),
                        ({"maxLatenessHours": "24"}, "maxLatenessHours"),
                        ({"approval": []}, "approval"), ({"extra": 1}, "extra"),
                        ({"trackOpens": "yes"}, "trackOpens"),
                        ({"unsubscribeSuppressesDomain": 1}, "unsubscribeSuppressesDomain")]:
        r = tenant.api.request("PUT", "/v1/workspace/policy", headers=JSON, data=json.dumps(body))
        assert_problem(r, 422, "validation_failed", param=param)
    r = tenant.api.request("PUT", "/v1/workspace/policy", headers=JSON,
                           data=json.dumps({"maxLatenessHours": 48}))
    assert r.json()["maxLatenessHours"] == 48 and r.json()["approval"]["drafts"] == "required"


def test_create_campaign_over_the_api_drafts_per_prospect(tenant):
    body = {"type": "competitor", "name": "vs Asana outreach", "targetUrl": "https://ours.example/vs-asana",
            "sender": "sam@ours.example",
            "template": {"subject": "{{contactFirstName}}, a resource for {{domain}}",
                         "body": "Hi {{contactFirstName}},\n\nSee {{targetUrl}} — O'Brien & co."},
            "prospects": [{"domain": "devblog.example", "contactName": "Marina Keller", "contactEmail": "marina@devblog.example"},
                          {"domain": "pmweekly.example", "contactName": "Oskar O'Brien", "contactEmail": "oskar@pmweekly.example"}],
            "followUps": [{"afterDays": 3, "body": "Hi {{contactFirstName}}, any thoughts?"}],
            "autoResponse": {"body": "Thanks for getting back to us!", "delayMinutes": 30}}
    r = tenant.api.post(CAMPAIGN, headers=JSON, data=json.dumps(body))
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["id"].startswith("ccmp_") and c["draftsCount"] == 2 and c["pendingApprovals"] == 2
    drafts = tenant.api.get("/v1/approvals", query=f"campaignId={c['id']}").json()["data"]
    subjects = sorted(d["subject"] for d in drafts)
    assert subjects == ["Marina, a resource for devblog.example", "Oskar, a resource for pmweekly.example"]
    oskar = [d for d in drafts if d["to"] == "oskar@pmweekly.example"][0]
    assert oskar["kind"] == "draft" and "O'Brien & co." in oskar["body"]  # plain text, not HTML-escaped


@pytest.mark.parametrize("patch,status,code,param", [
    ({"type": "blog"}, 422, "validation_failed", "type"),
    ({"name": ""}, 422, "validation_failed", "name"),
    ({"targetUrl": "javascript:alert(1)"}, 422, "validation_failed", "targetUrl"),
    ({"sender": "not an email"}, 422, "validation_failed", "sender"),
    ({"template": {"subject": "{{#open}}", "body": "x"}}, 422, "validation_failed", "template.subject"),
    ({"template": {"subject": "ok", "body": "{{/close}}"}}, 422, "validation_failed", "template.body"),
    ({"template": {"subject": "x", "body": "y", "footer": "z"}}, 422, "validation_failed", "template.footer"),
    ({"prospects": [{"domain": "bad domain", "contactEmail": "a@b.example"}]}, 422, "validation_failed", "prospects[].domain"),
    ({"prospects": [{"domain": "b.example", "contactEmail": "a@b.example"}, {"domain": "b.example", "contactEmail": "A@b.example"}]}, 422, "validation_failed", "prospects[].contactEmail"),
    ({"followUps": [{"afterDays": 0, "body": "x"}]}, 422, "validation_failed", "followUps[].afterDays"),
    ({"autoResponse": {"body": "x", "delayMinutes": -1}}, 422, "validation_failed", "autoResponse.delayMinutes"),
    ({"owner": "me"}, 422, "validation_failed", "owner"),
])
def test_bad_campaign_bodies(tenant, patch, status, code, param):
    body = {"type": "serp", "name": "n", "targetUrl": "https://x.example/a", "sender": "s@x.example",
            "template": {"subject": "Hi", "body": "Hi"},
            "prospects": [{"domain": "b.example", "contactEmail": "a@b.example"}]}
    body.update(patch)
    r = tenant.api.post(CAMPAIGN, headers=JSON, data=json.dumps(body))
    assert_problem(r, status, code, param=param)


def test_add_relationships(tenant):
    cid = tenant.campaign(prospects=prospects("first"))
    r = tenant.api.post(f"{CAMPAIGN}/{cid}/relationships", headers=JSON,
                        data=json.dumps({"prospects": prospects("second", "third")}))
    assert r.status_code == 201 and r.json()["added"] == 2
    assert sorted(x["contactEmail"] for x in r.json()["data"]) == ["second@example.org", "third@example.org"]
    again = tenant.api.post(f"{CAMPAIGN}/{cid}/relationships", headers=JSON,
                            data=json.dumps({"prospects": prospects("second")}))
    assert_problem(again, 422, "validation_failed", param="prospects[].contactEmail")
    assert tenant.api.get(f"{CAMPAIGN}/{cid}").json()["draftsCount"] == 3


def test_follow_up_is_queued_threaded_after_the_draft_goes_out(tenant):
    approver = Api(tenant.approver_key)
    fay = f"fay.{uuid.uuid4().hex[:8]}@fu.example"
    body = {"type": "custom", "name": "follow-up flow", "targetUrl": "https://x.example/a",
            "sender": "sam@x.example", "template": {"subject": "Hello {{contactFirstName}}", "body": "First note"},
            "prospects": [{"domain": "fu.example", "contactName": "Fay Up", "contactEmail": fay}],
            "followUps": [{"afterDays": 2, "body": "Following up, {{contactFirstName}}"}]}
    cid = tenant.api.post(CAMPAIGN, headers=JSON, data=json.dumps(body)).json()["id"]
    draft = tenant.api.get("/v1/approvals", query=f"campaignId={cid}").json()["data"][0]
    approver.post(f"/v1/approvals/{draft['id']}/approve")
    fu = wait_for(lambda: tenant.api.get("/v1/approvals", query=f"campaignId={cid}&kind=follow_up").json()["data"])
    assert fu and len(fu) == 1
    fu = fu[0]
    assert fu["subject"] == "Re: Hello Fay" and fu["body"] == "Following up, Fay"
    sent = [m for raw, m in sink_messages() if m["To"] and fay in str(m["To"])]
    assert len(sent) == 1
    sent = sent[0]
    assert fu["inReplyTo"] == sent["Message-ID"]
    rows = sql(f"SELECT TIMESTAMPDIFF(HOUR, UTC_TIMESTAMP(), schedule_at) FROM outbound_messages WHERE public_id = '{fu['id']}'")
    assert 46 <= int(rows[0][0]) <= 48


def test_stale_schedule_goes_back_to_approval(tenant):
    approver = Api(tenant.approver_key)
    stale = "stale" + uuid.uuid4().hex[:8]
    cid = tenant.campaign(prospects=prospects(stale))
    draft = tenant.api.get("/v1/approvals", query=f"campaignId={cid}").json()["data"][0]
    # make time pass: the draft was scheduled three days ago
    sql(f"UPDATE outbound_messages SET schedule_at = UTC_TIMESTAMP() - INTERVAL 3 DAY, "
        f"due_at = UTC_TIMESTAMP() - INTERVAL 3 DAY WHERE public_id = '{draft['id']}'")
    approver.post(f"/v1/approvals/{draft['id']}/approve")
    m = wait_for(lambda: (lambda x: x["status"] == "awaiting_approval" and x["lastError"] and x)(message(tenant.api, draft["id"])))
    assert m and "stale" in m["lastError"]
    assert not [1 for raw, x in sink_messages() if x["To"] and f"{stale}@example.org" in str(x["To"])]


def test_only_changed_fields_make_an_edit(shop):
    """Issue 14: the rule of the approval pages holds for the API:
    a subject equal to the message's, or a body equal to it but for its line ends, is no
    edit — nothing is recorded as edited. A field that did change is recorded alone."""
    t, cid, rels = shop
    subject = "unchanged " + uuid.uuid4().hex
    body = "Hello there,\nthis is a test."
    out = send(t.api, cid, rels["priya"], subject=subject, body=body).json()["invocation"]["message"]["id"]
    r = t.approver.post(f"/v1/approvals/{out}/approve", headers=JSON,
                        data=json.dumps({"subject": subject, "body": body.replace("\n", "\r\n")}))
    assert r.status_code == 200, r.text
    assert r.json()["status"] != "awaiting_approval" and r.json()["subject"] == subject
    q = ("SELECT d.decision, d.edited_subject IS NULL, d.edited_body IS NULL, HEX(m.body) FROM "
         "approval_decisions d JOIN outbound_messages m ON m.id = d.message_id "
         "WHERE m.public_id = '%s'")
    assert sql(q % out) == [["0", "1", "1", body.encode().hex().upper()]]

    out = send(t.api, cid, rels["priya"], subject=subject, body=body).json()["invocation"]["message"]["id"]
    r = t.approver.post(f"/v1/approvals/{out}/approve", headers=JSON,
                        data=json.dumps({"subject": subject, "body": "A new body."}))
    assert r.status_code == 200 and r.json()["body"] == "A new body.", r.text
    assert sql(q % out) == [["0", "1", "0", b"A new body.".hex().upper()]]
