"""Mailbox and campaign health (issue 15 item 4, docs/mailboxes.md "Health"): repeated
5.7.x policy refusals pause the mailbox (not the campaign) with the server's words and
the mailbox.paused webhook; a campaign whose hard bounces among its last 20 sends pass the
workspace's autoPause.bounceRate pauses itself, the reason in its timeline, with the usual
campaign.paused webhook. The refusals and bounces are real: the stack's SMTP sink answers
reject…@ with 554 5.7.1 and bounce…@ with 550 5.1.1 (through Dovecot submission for the
mailbox, directly for the relay)."""
import json
import os
import uuid

from conftest import Tenant, assert_problem, sql, wait_for
from test_mailboxes import CAMPAIGN, JSON, Receiver, auto_policy, create_mailbox, message_rows


def campaign(api, contacts, mailbox_ids=()):
    body = {"type": "serp", "name": "health " + uuid.uuid4().hex[:6],
            "targetUrl": "https://example.com/guide", "sender": "relay@agency.example",
            "template": {"subject": "Hello {{contactFirstName}}", "body": "Hi there"},
            "prospects": [{"domain": e.split("@")[1], "contactName": "Pat",
                           "contactEmail": e} for e in contacts],
            "mailboxIds": list(mailbox_ids)}
    r = api.post(CAMPAIGN, headers=JSON, data=json.dumps(body))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def hook(api, rx, events):
    r = api.post("/v1/webhooks", headers=JSON, data=json.dumps({"url": rx.url("/h"), "events": events}))
    assert r.status_code == 201, r.text


def test_repeated_policy_refusals_pause_the_mailbox_not_the_campaign():
    t = Tenant()
    auto_policy(t.api)
    rx = Receiver()
    try:
        hook(t.api, rx, ["link_building.mailbox.paused"])
        m = create_mailbox(t.api, user="box2")
        tag = uuid.uuid4().hex[:6]
        # two refusals, then a good send: the count starts again
        c1 = campaign(t.api, [f"reject{i}-{tag}@refuse.example" for i in range(2)], [m["id"]])
        assert wait_for(lambda: [r[1] for r in message_rows(c1)] == ["4", "4"], timeout=60), \
            message_rows(c1)
        c2 = campaign(t.api, [f"ok-{tag}@fine.example"], [m["id"]])
        assert wait_for(lambda: [r[1] for r in message_rows(c2)] == ["3"], timeout=60)
        assert t.api.get(f"/v1/mailboxes/{m['id']}").json()["status"] == "active"
        # three in a row: paused with the server's words
        c3 = campaign(t.api, [f"reject{i}-{tag}@refuse2.example" for i in range(3)], [m["id"]])
        paused = wait_for(lambda: (lambda x: x["status"] == "paused" and x)(
            t.api.get(f"/v1/mailboxes/{m['id']}").json()), timeout=60)
        assert paused, message_rows(c3)
        assert "3 policy refusals in a row" in paused["pausedReason"], paused
        assert "5.7.1" in paused["pausedReason"], paused
        assert t.api.get(f"{CAMPAIGN}/{c3}").json()["status"] == "active"
        hits = wait_for(lambda: rx.hits, timeout=30)
        assert hits and hits[0][1]["data"]["mailboxId"] == m["id"]
        assert "policy refusals" in hits[0][1]["data"]["reason"]
    finally:
        rx.stop()


def test_a_campaign_whose_bounce_rate_passes_the_policy_pauses_itself():
    t = Tenant()
    auto_policy(t.api)
    r = t.api.get("/v1/workspace/policy")
    assert r.json()["autoPause"] == {"bounceRate": 0.1}, r.text
    rx = Receiver()
    try:
        hook(t.api, rx, ["link_building.campaign.paused"])
        tag = uuid.uuid4().hex[:6]
        good = [f"fine{i}-{tag}@ok.example" for i in range(17)]
        cid = campaign(t.api, good)
        assert wait_for(lambda: len([r for r in message_rows(cid) if r[1] == "3"]) == 17,
                        timeout=90), message_rows(cid)
        # two bounces among the last 20: at the policy's 0.1, not past it
        r = t.api.post(f"{CAMPAIGN}/{cid}/relationships", headers=JSON, data=json.dumps(
            {"prospects": [{"domain": "gone.example", "contactName": "Gone",
                            "contactEmail": f"bounce{i}-{tag}@gone.example"} for i in range(2)]}))
        assert r.status_code == 201, r.text
        assert wait_for(lambda: len([r for r in message_rows(cid) if r[1] == "4"]) == 2,
                        timeout=60), message_rows(cid)
        assert t.api.get(f"{CAMPAIGN}/{cid}").json()["status"] == "active"
        # the third passes it
        r = t.api.post(f"{CAMPAIGN}/{cid}/relationships", headers=JSON, data=json.dumps(
            {"prospects": [{"domain": "gone.example", "contactName": "Gone",
                            "contactEmail": f"bounce9-{tag}@gone.example"}]}))
        assert r.status_code == 201, r.text
        got = wait_for(lambda: (lambda x: x["status"] == "paused" and x)(
            t.api.get(f"{CAMPAIGN}/{cid}").json()), timeout=60)
        assert got, message_rows(cid)
        assert "3 hard bounces in the last 20 sends" in got["pauseReason"], got
        tl = t.api.get(f"{CAMPAIGN}/{cid}/metrics").json()["timeline"]
        assert [e for e in tl if e["event"] == "campaign_paused" and
                "autoPause.bounceRate" in (e.get("reason") or "")], tl
        hits = wait_for(lambda: rx.hits, timeout=30)
        assert hits and hits[0][1]["type"] == "link_building.campaign.paused", hits
    finally:
        rx.stop()


def test_the_bounce_rate_policy_is_validated_and_can_be_turned_off():
    t = Tenant()
    for bad in ({"autoPause": {"bounceRate": 1.5}}, {"autoPause": {"bounceRate": "x"}},
                {"autoPause": {"bounceRate": -0.1}}):
        r = t.api.request("PUT", "/v1/workspace/policy", headers=JSON, data=json.dumps(bad))
        assert_problem(r, 422, "validation_failed", "autoPause.bounceRate")
    assert_problem(t.api.request("PUT", "/v1/workspace/policy", headers=JSON,
                                 data=json.dumps({"autoPause": {"rate": 1}})),
                   422, "validation_failed", "autoPause.rate")
    r = t.api.request("PUT", "/v1/workspace/policy", headers=JSON,
                      data=json.dumps({"autoPause": {"bounceRate": 0}}))
    assert r.status_code == 200 and r.json()["autoPause"] == {"bounceRate": 0}, r.text
    auto_policy(t.api)
    tag = uuid.uuid4().hex[:6]
    cid = campaign(t.api, [f"bounce{i}-{tag}@gone.example" for i in range(4)])
    assert wait_for(lambda: [r[1] for r in message_rows(cid)] == ["4"] * 4, timeout=60)
    assert t.api.get(f"{CAMPAIGN}/{cid}").json()["status"] == "active"


def test_the_demo_has_two_mailboxes_one_paused_and_messages_held_with_their_next_slot(demo):
    """scripts/dev seeds it (src/core/demo_mailboxes.c). Sam's messages wait for the
    window's next opening (weekdays 09:00 New York) unless that moment has passed during
    the run; Dana's wait for her mailbox to be resumed, whatever the time."""
    boxes = demo["api"].get("/v1/mailboxes").json()["data"]
    by_from = {b["fromAddress"]: b for b in boxes}
    sam, dana = by_from["sam@acme-analytics.example"], by_from["dana@acme-analytics.example"]
    assert sam["status"] == "active" and sam["window"]["timeZone"] == "America/New_York"
    assert dana["status"] == "paused" and "535" in dana["pausedReason"]
    held = demo["api"].get("/v1/approvals", query="status=held&limit=100").json()["data"]
    paused = [m for m in held if m["heldReason"] == "mailbox_paused"]
    assert len(paused) == 1 and paused[0]["nextSlotAt"] is None, held
    waiting = [m for m in held if m["heldReason"] in ("outside_window", "gap")]
    for m in waiting:
        assert m["nextSlotAt"], m
    # Sam's two: still waiting, or (when the run passed their slot) claimed by the worker
    # at that slot and tried on the example host, which does not exist
    tried = sql("SELECT COUNT(*) FROM outbound_messages o JOIN mailboxes b ON b.id = o.mailbox_id "
                f"WHERE b.public_id = '{sam['id']}' AND o.status <> 8 AND o.attempts > 0")
    assert len(waiting) + int(tried[0][0]) == 2, (held, tried)


def test_the_pages_show_why_a_message_waits_and_its_next_slot(demo):
    from conftest import URL, sign_in
    s = sign_in(os.environ["LINKCAMP_APPROVER_EMAIL"], os.environ["LINKCAMP_APPROVER_PASSWORD"])
    camps = demo["api"].get(CAMPAIGN, query="limit=50").json()["data"]
    cid = [c["id"] for c in camps if c["name"] == "engineering metrics dashboards"][0]
    held = demo["api"].get("/v1/approvals", query=f"status=held&campaignId={cid}").json()["data"]
    paused = [m for m in held if m["heldReason"] == "mailbox_paused"][0]
    html = s.get(f"{URL}/app/w/{demo['workspace']}/campaigns/{cid}", timeout=30)
    assert html.status_code == 200
    assert "<h2>Held</h2>" in html.text and "mailbox paused" in html.text, html.text
    assert paused["to"] in html.text
    msg = s.get(f"{URL}/app/w/{demo['workspace']}/approvals/{paused['id']}", timeout=30)
    assert msg.status_code == 200 and "<dt>Held</dt><dd>mailbox paused</dd>" in msg.text, msg.text
    waiting = [m for m in held if m["nextSlotAt"]]
    if waiting:  # (unless the run passed their slot: test above)
        msg = s.get(f"{URL}/app/w/{demo['workspace']}/approvals/{waiting[0]['id']}", timeout=30)
        assert "its mailbox&#39;s next slot" in msg.text or "its mailbox's next slot" in msg.text, msg.text
