"""Inbound mail: piped from the MTA or posted, threaded to our mail, classified; replies,
auto-responses and respond, end to end over the real stack."""
import json
import os
import subprocess
import uuid

import pytest

from conftest import (BIN, CONFIG, Api, Tenant, assert_problem, rows_read_by, sink_messages,
                      wait_for)

JSON = {"Content-Type": "application/json"}


def pipe(raw, *args):
    p = subprocess.run([os.path.join(BIN, "linkcamp"), "-c", CONFIG, "inbound", *args],
                       input=raw if isinstance(raw, bytes) else raw.encode(), capture_output=True,
                       timeout=60)
    return p.returncode, p.stdout.decode().strip(), p.stderr.decode()


def reply_mail(frm, to, subject, in_reply_to=None, references=None, body="Sounds good!",
               msgid=None, extra=""):
    msgid = msgid or f"<{uuid.uuid4().hex}@prospect.example>"
    lines = [f"From: Prospect <{frm}>", f"To: {to}", f"Subject: {subject}",
             "Date: Thu, 26 Nov 2026 09:00:00 +0000", f"Message-ID: {msgid}",
             "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
    if in_reply_to:
        lines.append(f"In-Reply-To: {in_reply_to}")
    if references:
        lines.append(f"References: {references}")
    if extra:
        lines.append(extra)
    return "\r\n".join(lines) + "\r\n\r\n" + body + "\r\n\r\nOn Wed, Sam wrote:\r\n> Hi there\r\n", msgid


@pytest.fixture(scope="module")
def world():
    t = Tenant()
    t.approver = Api(t.approver_key)
    tag = uuid.uuid4().hex[:8]
    emails = {k: f"{k}.{tag}@prospect.example" for k in ("ann", "bob", "cy", "dee", "eve")}
    body = {"type": "serp", "name": "inbound " + tag, "targetUrl": "https://ours.example/guide",
            "sender": f"outreach.{tag}@agency.example",
            "template": {"subject": "A guide for {{domain}}", "body": "Hi {{contactFirstName}}, a guide."},
            "prospects": [{"domain": "prospect.example", "contactName": k.title(), "contactEmail": e}
                          for k, e in emails.items()],
            "autoResponse": {"body": "Thanks for your reply — we will get back to you shortly.", "delayMinutes": 0}}
    cid = t.api.post("/v1/link-building/campaign", headers=JSON, data=json.dumps(body)).json()["id"]
    for d in t.api.get("/v1/approvals", query=f"campaignId={cid}").json()["data"]:
        t.approver.post(f"/v1/approvals/{d['id']}/approve")
    sent = {}
    for k, e in emails.items():
        got = wait_for(lambda: [m for raw, m in sink_messages() if m["X-Sink-Rcpt-To"] == e])
        assert got, k
        sent[k] = got[0]
    return t, cid, emails, sent, body["sender"]


def rel_of(t, email):
    return [r for r in t.api.get("/v1/link-building/crm/relationship", query="limit=200").json()["data"]
            if r["contactEmail"] == email][0]


def test_reply_threads_counts_and_queues_the_auto_response(world):
    t, cid, emails, sent, sender = world
    before = t.api.get(f"/v1/link-building/campaign/{cid}/metrics").json()["summary"]
    raw, msgid = reply_mail(emails["ann"], sender, "Re: " + str(sent["ann"]["Subject"]),
                            in_reply_to=sent["ann"]["Message-ID"])
    rc, out, err = pipe(raw)
    assert rc == 0, err
    public, klass, match = out.split()[:3]
    assert public.startswith("msg_") and klass == "reply" and match == "thread"
    after = t.api.get(f"/v1/link-building/campaign/{cid}/metrics").json()
    assert after["summary"]["replied"] == before["replied"] + 1
    assert "first_reply" in [e["event"] for e in after["timeline"]]
    rel = rel_of(t, emails["ann"])
    assert rel["status"] == "replied" and rel["lastReplyAt"] and rel["lastContactedAt"]
    detail = t.api.get(f"/v1/link-building/crm/relationship/{rel['id']}").json()
    directions = [(m["direction"], m["kind"]) for m in detail["messages"]]
    assert directions[0] == ("outbound", "draft") and ("inbound", "reply") in directions
    # the auto-response waits for approval, threaded to the reply
    inbound = t.api.get(f"/v1/link-building/inbound/{public}").json()
    assert inbound["class"] == "reply" and inbound["relationshipId"] == rel["id"]
    assert inbound["outboundMessageId"] and inbound["messageId"] == msgid
    assert "Sounds good!" in inbound["textNew"] and "Hi there" not in inbound["textNew"]
    auto = t.api.get(f"/v1/approvals/{inbound['autoResponseId']}").json()
    assert auto["kind"] == "auto_response" and auto["status"] == "awaiting_approval"
    assert auto["inReplyTo"] == msgid and auto["to"] == emails["ann"]
    # the same mail again is stored once and changes nothing
    rc, out2, err = pipe(raw)
    assert rc == 0 and out2.split()[0] == public and out2.endswith("duplicate")
    assert t.api.get(f"/v1/link-building/campaign/{cid}/metrics").json()["summary"]["replied"] == before["replied"] + 1


def test_respond_threads_and_cancels_the_auto_response(world):
    t, cid, emails, sent, sender = world
    raw, msgid = reply_mail(emails["bob"], sender, "Re: your guide",
                            references=f"<older@x.example> {sent['bob']['Message-ID']}")
    rc, out, err = pipe(raw)
    assert rc == 0 and out.split()[2] == "thread", (out, err)
    public = out.split()[0]
    auto = t.api.get(f"/v1/link-building/inbound/{public}").json()["autoResponseId"]
    r = t.api.post("/v1/link-building/campaign/respond", headers=JSON, data=json.dumps({
        "inboundMessageId": public, "body": "Thanks Bob — yes, happy to share the methodology.",
        "scheduleAt": "now"}))
    assert r.status_code == 202, r.text
    inv = r.json()["invocation"]
    assert inv["action"] == "link_building.campaign.respond" and inv["status"] == "awaiting_approval"
    assert t.api.get(f"/v1/approvals/{auto}").json()["status"] == "cancelled"
    t.approver.post(f"/v1/approvals/{inv['message']['id']}/approve")
    got = wait_for(lambda: [m for raw_, m in sink_messages()
                            if m["X-Sink-Rcpt-To"] == emails["bob"] and m["In-Reply-To"]])
    assert len(got) == 1
    m = got[0]
    assert m["In-Reply-To"] == msgid
    assert m["References"].split() == ["<older@x.example>", sent["bob"]["Message-ID"], msgid]
    assert m["Subject"] == "Re: your guide"
    done = wait_for(lambda: t.api.get(f"/v1/invocations/{inv['id']}").json()["invocation"]["status"] == "completed")
    assert done


def test_reply_matched_by_sender_without_threading_headers(world):
    t, cid, emails, sent, sender = world
    raw, _ = reply_mail(emails["cy"], sender, "about your email")
    rc, out, err = pipe(raw)
    assert rc == 0 and out.split()[1:3] == ["reply", "sender"], out


def test_out_of_office_is_not_a_reply(world):
    t, cid, emails, sent, sender = world
    raw, _ = reply_mail(emails["dee"], sender, "Automatic reply: A guide", in_reply_to=sent["dee"]["Message-ID"],
                        body="I am out of the office until Monday.", extra="Auto-Submitted: auto-replied")
    rc, out, err = pipe(raw)
    assert rc == 0 and out.split()[1] == "auto_reply", out
    assert rel_of(t, emails["dee"])["status"] == "sent"


def test_dsn_bounce_marks_message_and_prospect_and_suppresses(world):
    t, cid, emails, sent, sender = world
    boundary = "dsn-" + uuid.uuid4().hex
    orig = sent["eve"]["Message-ID"]
    raw = (f"From: Mail Delivery System <MAILER-DAEMON@mx.agency.example>\r\nTo: {sender}\r\n"
           "Subject: Undelivered Mail Returned to Sender\r\nDate: Thu, 26 Nov 2026 09:00:00 +0000\r\n"
           f"Message-ID: <{uuid.uuid4().hex}@mx.agency.example>\r\nMIME-Version: 1.0\r\n"
           f"Content-Type: multipart/report; report-type=delivery-status; boundary=\"{boundary}\"\r\n\r\n"
           f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could not be delivered.\r\n"
           f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.agency.example\r\n\r\n"
           f"Final-Recipient: rfc822; {emails['eve']}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
           "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
           f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: {sender}\r\nTo: {emails['eve']}\r\n"
           f"Message-ID: {orig}\r\nSubject: A guide\r\n\r\n--{boundary}--\r\n")
    rc, out, err = pipe(raw)
    assert rc == 0 and out.split()[1:3] == ["bounce", "thread"], (out, err)
    public = out.split()[0]
    b = t.api.get(f"/v1/link-building/inbound/{public}").json()
    assert b["bounce"] == {"status": "5.1.1", "recipient": emails["eve"]}
    out_id = b["outboundMessageId"]
    assert t.api.get(f"/v1/approvals/{out_id}").json()["status"] == "bounced"
    rel = rel_of(t, emails["eve"])
    assert rel["status"] == "bounced"
    r = t.api.post(f"/v1/link-building/campaign/{cid}/send-email", headers=JSON,
                   data=json.dumps({"relationshipId": rel["id"], "subject": "s", "body": "b"}))
    assert_problem(r, 422, "recipient_suppressed")


def test_unmatched_mail_is_kept_and_listed(world):
    t, cid, emails, sent, sender = world
    stranger = f"stranger.{uuid.uuid4().hex[:6]}@elsewhere.example"
    raw, _ = reply_mail(stranger, sender, "who are you?")
    rc, out, err = pipe(raw)
    assert rc == 0 and out.split()[2] == "none"
    listed = t.api.get("/v1/link-building/inbound", query="matched=false").json()
    assert stranger in [m["from"] for m in listed["data"]]
    r = t.api.post("/v1/link-building/campaign/respond", headers=JSON, data=json.dumps({
        "inboundMessageId": out.split()[0], "body": "Hello"}))
    assert_problem(r, 422, "validation_failed", param="inboundMessageId")


def test_inbound_over_the_api(world):
    t, cid, emails, sent, sender = world
    raw, _ = reply_mail(emails["cy"], sender, "Re: posted", in_reply_to=sent["cy"]["Message-ID"])
    r = t.api.post("/v1/link-building/inbound", data=raw.encode(), headers={"Content-Type": "message/rfc822"})
    assert r.status_code == 201, r.text
    again = t.api.post("/v1/link-building/inbound", data=raw.encode(), headers={"Content-Type": "message/rfc822"})
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    assert_problem(t.api.post("/v1/link-building/inbound", data=raw.encode(), headers=JSON), 415, "unsupported_media_type")
    # another workspace posting the same mail does not see this one
    other = t.api2.post("/v1/link-building/inbound", data=raw.encode(), headers={"Content-Type": "message/rfc822"})
    assert other.status_code == 201 and other.json()["id"] != r.json()["id"]
    assert other.json()["relationshipId"] is None
    assert_problem(t.api2.get(f"/v1/link-building/inbound/{r.json()['id']}"), 404, "inbound_message_not_found")
    lst = t.api.get("/v1/link-building/inbound", query=f"campaignId={cid}&class=reply&limit=2").json()
    assert lst["total"] >= 2 and len(lst["data"]) == 2 and lst["nextCursor"]
    for q, param in [("class=spam", "class"), ("matched=yes", "matched"), ("campaignId=x", "campaignId"), ("foo=1", "foo")]:
        assert_problem(t.api.get("/v1/link-building/inbound", query=q), 400, "invalid_parameter", param=param)


def test_respond_errors(world):
    t, cid, emails, sent, sender = world
    for payload, status, code, param in [
        ({"inboundMessageId": "msg_AAAAAAAAAAAAAAAAAAAAAA", "body": "x"}, 404, "inbound_message_not_found", None),
        ({"inboundMessageId": "nope", "body": "x"}, 404, "inbound_message_not_found", None),
        ({"body": "x"}, 422, "validation_failed", "inboundMessageId"),
        ({"inboundMessageId": "msg_AAAAAAAAAAAAAAAAAAAAAA"}, 422, "validation_failed", "body"),
        ({"inboundMessageId": "msg_AAAAAAAAAAAAAAAAAAAAAA", "body": "x", "cc": "y"}, 422, "validation_failed", "cc"),
    ]:
        r = t.api.post("/v1/link-building/campaign/respond", headers=JSON, data=json.dumps(payload))
        assert_problem(r, status, code, param=param)


def test_cli_exit_codes():
    assert pipe(b"")[0] == 65
    assert pipe(b"\x00\x01\x02 not a mail at all")[0] in (0, 65)
    assert pipe(b"x" * (11 * 1024 * 1024))[0] == 65


def test_a_campaigns_replies_are_read_by_its_index():
    """A campaign's inbound list and its total read that campaign's mail (ix_inbound_campaign),
    not the workspace's: with one statement for "any campaign" and "this one", a page
    walked the workspace's mail until it had found its 50, and the count read all of it
    (docs/first-reads.md, "The inbound list")."""
    t = Tenant()
    tag = uuid.uuid4().hex[:8]
    people = [f"p{i}.{tag}@replies.example" for i in range(3)]
    cid = t.campaign(name="replies " + tag, prospects=[
        {"domain": "replies.example", "contactName": f"P {i}", "contactEmail": e}
        for i, e in enumerate(people)])
    mailto = {"Content-Type": "message/rfc822"}
    for e in people:  # matched by sender
        raw, _ = reply_mail(e, "outreach@agency.example", "about your email")
        assert t.api.post("/v1/link-building/inbound", data=raw.encode(), headers=mailto).json()[
            "campaignId"] == cid
    for i in range(200):  # the rest of the workspace's mail: strangers, unmatched
        raw, _ = reply_mail(f"s{i}.{tag}@elsewhere.example", "outreach@agency.example", "hello")
        assert t.api.post("/v1/link-building/inbound", data=raw.encode(), headers=mailto).status_code == 201
    reads = rows_read_by({
        "campaign": lambda: t.api.get("/v1/link-building/inbound", query=f"campaignId={cid}&limit=50"),
        "its replies": lambda: t.api.get("/v1/link-building/inbound",
                                         query=f"campaignId={cid}&class=reply&matched=true&limit=2"),
        "workspace": lambda: t.api.get("/v1/link-building/inbound", query="limit=50")})
    for name, (n, r) in reads.items():
        assert r.status_code == 200, (name, r.text)
    assert reads["campaign"][1].json()["total"] == 3
    assert reads["its replies"][1].json()["total"] == 3 and reads["its replies"][1].json()["nextCursor"]
    assert reads["workspace"][1].json()["total"] == 203
    # three messages, each with its campaign and prospect, and their count: not the 203
    assert reads["campaign"][0] < 40 and reads["its replies"][0] < 40, {k: n for k, (n, _) in reads.items()}
