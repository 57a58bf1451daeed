"""The writes that were folded into fewer statements (docs/first-reads.md, "Writes:
statements per request") keep their behaviour: a refused send or response leaves nothing
behind, each email reads the policy of its own kind, a decision writes status, decided_at
and the edits together, and every accepted write moves the workspace's data version
exactly once (the credit reservation or release moves it for the event)."""
import json
import uuid

from conftest import Api, Tenant, assert_problem, cli, sink_messages, sql, wait_for

CAMPAIGN = "/v1/link-building/campaign"
JSON = {"Content-Type": "application/json"}


def prospects(*emails):
    return [{"domain": e.split("@")[1], "contactName": "Contact " + e.split("@")[0],
             "contactEmail": e} for e in emails]


def rels_of(api, cid):
    got = api.get("/v1/link-building/crm/relationship", query=f"campaignId={cid}&limit=200")
    return {r["contactEmail"]: r["id"] for r in got.json()["data"]}


def send(api, cid, rel):
    return api.post(f"{CAMPAIGN}/{cid}/send-email", headers=JSON, data=json.dumps(
        {"relationshipId": rel, "subject": "s " + uuid.uuid4().hex, "body": "Hello"}))


def respond(api, inbound):
    return api.post(f"{CAMPAIGN}/respond", headers=JSON, data=json.dumps(
        {"inboundMessageId": inbound, "body": "Thank you!"}))


def reply(api, frm, to):
    raw = (f"From: Prospect <{frm}>\r\nTo: {to}\r\nSubject: Re: your guide\r\n"
           "Date: Mon, 07 Dec 2026 09:00:00 +0000\r\n"
           f"Message-ID: <{uuid.uuid4().hex}@prospect.example>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\nSounds good.\r\n")
    r = api.post("/v1/link-building/inbound", data=raw.encode(),
                 headers={"Content-Type": "message/rfc822"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def footprint(ws):
    """What a write leaves in the workspace: rows of each table it writes, its credits
    and its data version."""
    row = sql(
        "SELECT (SELECT COUNT(*) FROM outbound_messages m WHERE m.workspace_id = w.id), "
        "(SELECT COUNT(*) FROM invocations i WHERE i.workspace_id = w.id), "
        "(SELECT COUNT(*) FROM credit_ledger l WHERE l.workspace_id = w.id), "
        "(SELECT COUNT(*) FROM events e WHERE e.workspace_id = w.id), "
        "(SELECT COUNT(*) FROM approval_notifications n WHERE n.workspace_id = w.id), "
        "w.credits_balance, w.credits_reserved, w.data_version "
        f"FROM workspaces w WHERE w.public_id = '{ws}'")[0]
    keys = ("messages", "invocations", "ledger", "events", "notifications", "balance",
            "reserved", "version")
    return dict(zip(keys, map(int, row)))


def grew(before, after):
    return {k: after[k] - before[k] for k in before if after[k] != before[k]}


def test_a_send_refused_for_credits_leaves_nothing():
    t = Tenant()
    poor = cli("workspace", "create", t.account, "Poor " + uuid.uuid4().hex[:6])
    api = Api(cli("key", "create", t.account, "--workspace", poor))
    cli("credits", "grant", poor, "2")
    cid = t.campaign(ws=poor, prospects=prospects("only@example.org"))  # its draft takes the 2
    rel = rels_of(api, cid)["only@example.org"]
    before = footprint(poor)
    body = assert_problem(send(api, cid, rel), 402, "insufficient_credits")
    assert body["required"] == 2 and body["available"] == 0
    assert footprint(poor) == before
    # the same send with the credits: what the refused one would have left, once each
    cli("credits", "grant", poor, "2")
    before = footprint(poor)
    r = send(api, cid, rel)
    assert r.status_code == 202, r.text
    assert r.json()["invocation"]["message"]["status"] == "awaiting_approval"
    assert grew(before, footprint(poor)) == {
        "messages": 1, "invocations": 1, "ledger": 1, "events": 1, "notifications": 1,
        "reserved": 2, "version": 1}


def test_a_suppressed_recipient_leaves_nothing():
    t = Tenant()
    tag = uuid.uuid4().hex[:6]
    listed, blocked, fine = (f"ann.{tag}@site.example", f"bob@blocked-{tag}.example",
                             f"cy.{tag}@site.example")
    cid = t.campaign(prospects=prospects(listed, blocked, fine))
    rels = rels_of(t.api, cid)
    for body in ({"address": listed}, {"domain": f"blocked-{tag}.example"}):
        r = t.api.post("/v1/suppressions", headers=JSON, data=json.dumps(body))
        assert r.status_code in (200, 201), r.text
    before = footprint(t.ws)
    for who in (listed, blocked):  # the address's entry, then its domain's
        assert_problem(send(t.api, cid, rels[who]), 422, "recipient_suppressed")
    assert footprint(t.ws) == before
    r = send(t.api, cid, rels[fine])
    assert r.status_code == 202, r.text
    assert grew(before, footprint(t.ws)) == {
        "messages": 1, "invocations": 1, "ledger": 1, "events": 1, "notifications": 1,
        "reserved": 2, "version": 1}
    # a relationship of another campaign is not this one's, whatever its address
    other = t.campaign(prospects=prospects(f"dee.{tag}@site.example"))
    assert_problem(send(t.api, cid, rels_of(t.api, other)[f"dee.{tag}@site.example"]), 404,
                   "relationship_not_found")


def test_send_and_respond_each_read_their_own_policy():
    t = Tenant()
    tag = uuid.uuid4().hex[:6]
    a, b = f"ann.{tag}@site.example", f"bob.{tag}@site.example"
    cid = t.campaign(prospects=prospects(a, b))
    rels = rels_of(t.api, cid)
    sender = "sam@agency.example"  # Tenant.campaign's
    # a response to a suppressed address leaves nothing either
    r = t.api.post("/v1/suppressions", headers=JSON, data=json.dumps({"address": b}))
    assert r.status_code in (200, 201), r.text
    from_b = reply(t.api, b, sender)
    before = footprint(t.ws)
    assert_problem(respond(t.api, from_b), 422, "recipient_suppressed")
    assert footprint(t.ws) == before
    for send_policy, respond_policy in (("required", "auto"), ("auto", "required")):
        r = t.api.request("PUT", "/v1/workspace/policy", headers=JSON, data=json.dumps(
            {"approval": {"sendEmail": send_policy, "respond": respond_policy}}))
        assert r.status_code == 200, r.text
        s = send(t.api, cid, rels[a])
        assert s.status_code == 202, s.text
        answer = respond(t.api, reply(t.api, a, sender))
        assert answer.status_code == 202, answer.text
        want = {"required": "awaiting_approval", "auto": "scheduled"}
        assert s.json()["invocation"]["message"]["status"] == want[send_policy]
        assert answer.json()["invocation"]["message"]["status"] == want[respond_policy]
        assert answer.json()["invocation"]["action"] == "link_building.campaign.respond"


def decided_with_decision(out):
    """The message's decided_at is its decision's time (stamped by the same UPDATE as its
    status)."""
    row = sql("SELECT m.decided_at IS NOT NULL AND m.decided_at = d.decided_at "
              "FROM outbound_messages m JOIN approval_decisions d ON d.message_id = m.id "
              f"WHERE m.public_id = '{out}'")
    return row == [["1"]]


def test_a_decision_writes_status_decided_at_and_edits_together():
    t = Tenant()
    approver = Api(t.approver_key)
    tag = uuid.uuid4().hex[:6]
    cid = t.campaign(prospects=prospects(f"ann.{tag}@site.example", f"bob.{tag}@site.example"))
    rels = list(rels_of(t.api, cid).values())
    ids = [send(t.api, cid, rel).json()["invocation"]["message"]["id"] for rel in rels]
    # paused, the approved message is held, not sent: the worker adds nothing to count
    r = t.api.post(f"{CAMPAIGN}/{cid}/pause", headers=JSON, data=json.dumps({"reason": "t"}))
    assert r.status_code == 200, r.text
    before = footprint(t.ws)
    r = approver.post(f"/v1/approvals/{ids[0]}/approve", headers=JSON, data=json.dumps(
        {"subject": "Edited " + tag, "body": "An edited body."}))
    assert r.status_code == 200, r.text
    m = r.json()
    assert m["status"] == "held" and m["subject"] == "Edited " + tag
    assert m["body"] == "An edited body." and decided_with_decision(ids[0])
    assert grew(before, footprint(t.ws)) == {"events": 1, "version": 1}
    before = footprint(t.ws)
    r = approver.post(f"/v1/approvals/{ids[1]}/reject", headers=JSON,
                      data=json.dumps({"reason": "Not this one."}))
    assert r.status_code == 200, r.text
    m = r.json()
    assert m["status"] == "rejected" and m["lastError"] == "Not this one."
    assert decided_with_decision(ids[1])
    # the release's ledger entry, the event, and the version once (moved by the release)
    assert grew(before, footprint(t.ws)) == {"ledger": 1, "events": 1, "reserved": -2,
                                             "version": 1}
    assert_problem(approver.post(f"/v1/approvals/{ids[1]}/approve"), 409, "already_decided")


def test_an_auto_response_reads_its_policy_and_suppression_with_the_campaign():
    t = Tenant()
    tag = uuid.uuid4().hex[:6]
    a, b = f"ann.{tag}@site.example", f"bob.{tag}@site.example"
    sender = f"outreach.{tag}@agency.example"
    # a reply counts (and is auto-answered) once its prospect was sent something: the drafts
    # go out without approval
    r = t.api.request("PUT", "/v1/workspace/policy", headers=JSON,
                      data=json.dumps({"approval": {"drafts": "auto"}}))
    assert r.status_code == 200, r.text
    r = t.api.post(CAMPAIGN, headers=JSON, data=json.dumps({
        "type": "serp", "name": "auto " + tag, "targetUrl": "https://ours.example/guide",
        "sender": sender, "template": {"subject": "Hi", "body": "Hi {{contactFirstName}}"},
        "prospects": prospects(a, b),
        # an hour later: the worker leaves a scheduled one alone while the test looks
        "autoResponse": {"body": "Thanks, we will get back to you.", "delayMinutes": 60}}))
    assert r.status_code == 201, r.text
    for who in (a, b):
        assert wait_for(lambda: [m for raw, m in sink_messages() if m["X-Sink-Rcpt-To"] == who])
    r = t.api.post("/v1/suppressions", headers=JSON, data=json.dumps({"address": b}))
    assert r.status_code in (200, 201), r.text

    def auto_of(frm):
        inbound = t.api.get(f"/v1/link-building/inbound/{reply(t.api, frm, sender)}").json()
        assert inbound["autoResponseId"], inbound
        return t.api.get(f"/v1/approvals/{inbound['autoResponseId']}").json()

    kept = auto_of(b)  # kept, as suppressed, with nothing reserved or asked of anyone
    assert kept["kind"] == "auto_response" and kept["status"] == "suppressed"
    assert kept["creditsReserved"] == 0
    assert sql("SELECT (SELECT COUNT(*) FROM credit_ledger l WHERE l.message_id = m.id), "
               "(SELECT COUNT(*) FROM approval_notifications n WHERE n.message_id = m.id) "
               f"FROM outbound_messages m WHERE m.public_id = '{kept['id']}'") == [["0", "0"]]
    assert auto_of(a)["status"] == "awaiting_approval"  # the default policy
    r = t.api.request("PUT", "/v1/workspace/policy", headers=JSON, data=json.dumps(
        {"approval": {"autoResponses": "auto", "respond": "required"}}))
    assert r.status_code == 200, r.text
    assert auto_of(a)["status"] == "scheduled"
