"""Claim (docs/sending.md, README): follow-ups are cancelled when the prospect has replied,
bounced or unsubscribed — and their credits released. Three prospects do each; a fourth,
who does nothing, gets its follow-up, which proves the follow-ups really came due.

Follow-ups wait afterDays (2) after the email before them; the test makes that time pass
by moving their schedule to now, as test_sending does for stale schedules."""
import json
import os
import subprocess
import uuid

import requests

from conftest import BIN, CONFIG, Tenant, sink_messages, sql, wait_for

CAMPAIGN = "/v1/link-building/campaign"
JSON = {"Content-Type": "application/json"}
CASES = ("reply", "bounce", "unsub", "quiet")


def pipe(raw):
    p = subprocess.run([os.path.join(BIN, "linkcamp"), "-c", CONFIG, "inbound"], input=raw.encode(),
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout.decode().split()


def mails_to(addr):
    return [m for raw, m in sink_messages() if m["X-Sink-Rcpt-To"] == addr]


def follow_ups(api, cid, status):
    return api.get("/v1/approvals", query=f"campaignId={cid}&kind=follow_up&status={status}&limit=50").json()["data"]


def test_follow_ups_are_cancelled_after_a_reply_a_bounce_and_an_unsubscribe():
    t = Tenant()
    r = t.api.request("PUT", "/v1/workspace/policy", headers=JSON,
                      data=json.dumps({"approval": {"drafts": "auto", "followUps": "auto"}}))
    assert r.status_code == 200, r.text
    tag = uuid.uuid4().hex[:8]
    # (local parts must not start like the sink's trouble names: bounce…, reject…, …)
    who = {k: f"fu{k}.{tag}@prospect.example" for k in CASES}
    sender = f"outreach.{tag}@agency.example"
    body = {"type": "custom", "name": "follow-ups " + tag, "targetUrl": "https://ours.example/x",
            "sender": sender, "template": {"subject": "A guide", "body": "Hi {{contactFirstName}}"},
            "prospects": [{"domain": "prospect.example", "contactName": k.title(), "contactEmail": e}
                          for k, e in who.items()],
            "followUps": [{"afterDays": 2, "body": "Following up, {{contactFirstName}}"}]}
    r = t.api.post(CAMPAIGN, headers=JSON, data=json.dumps(body))
    assert r.status_code == 201, r.text
    cid = r.json()["id"]

    first = {}
    for k, e in who.items():
        got = wait_for(lambda: mails_to(e))
        assert got and len(got) == 1, k
        first[k] = got[0]
    fus = wait_for(lambda: (lambda x: len(x) == 4 and x)(follow_ups(t.api, cid, "scheduled")))
    assert fus, follow_ups(t.api, cid, "scheduled,awaiting_approval,held")
    fu = {k: [f["id"] for f in fus if f["to"].endswith(who[k]) or who[k] in f["to"]][0] for k in CASES}
    c = t.api.get("/v1/credits", query="limit=1").json()
    assert c["reserved"] == 8  # four follow-ups, 2 each

    # reply: a human answer to the first email
    raw = (f"From: Reply <{who['reply']}>\r\nTo: {sender}\r\nSubject: Re: A guide\r\n"
           f"Date: Thu, 26 Nov 2026 09:00:00 +0000\r\nMessage-ID: <{uuid.uuid4().hex}@prospect.example>\r\n"
           f"In-Reply-To: {first['reply']['Message-ID']}\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\nThanks, sounds interesting.\r\n")
    assert pipe(raw)[1] == "reply"

    # bounce: a DSN for the first email, arriving later
    boundary = "dsn-" + uuid.uuid4().hex
    raw = (f"From: Mail Delivery System <MAILER-DAEMON@mx.prospect.example>\r\nTo: {sender}\r\n"
           "Subject: Undelivered Mail Returned to Sender\r\nDate: Thu, 26 Nov 2026 09:00:00 +0000\r\n"
           f"Message-ID: <{uuid.uuid4().hex}@mx.prospect.example>\r\nMIME-Version: 1.0\r\n"
           f"Content-Type: multipart/report; report-type=delivery-status; boundary=\"{boundary}\"\r\n\r\n"
           f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
           f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.prospect.example\r\n\r\n"
           f"Final-Recipient: rfc822; {who['bounce']}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
           "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
           f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: {sender}\r\nTo: {who['bounce']}\r\n"
           f"Message-ID: {first['bounce']['Message-ID']}\r\nSubject: A guide\r\n\r\n--{boundary}--\r\n")
    assert pipe(raw)[1] == "bounce"

    # unsubscribe: the one-click link of the first email
    url = first["unsub"]["List-Unsubscribe"].strip("<>")
    done = requests.post(url, data="List-Unsubscribe=One-Click", allow_redirects=False, timeout=30,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert done.status_code == 200, done.text

    # a reply cancels at once; the others are cancelled when the worker would send them
    assert wait_for(lambda: t.api.get(f"/v1/approvals/{fu['reply']}").json()["status"] == "cancelled")
    ids = ",".join(f"'{fu[k]}'" for k in ("bounce", "unsub", "quiet"))
    sql("UPDATE outbound_messages SET schedule_at = UTC_TIMESTAMP(3), due_at = UTC_TIMESTAMP(3) "
        f"WHERE public_id IN ({ids})")

    # the quiet prospect's follow-up goes out: they really were due
    sent = wait_for(lambda: (lambda x: len(x) == 2 and x)(mails_to(who["quiet"])))
    assert sent and sent[1]["Subject"] == "Re: A guide", mails_to(who["quiet"])
    # a hard bounce and an unsubscribe put the address on the do-not-email list: the claim
    # ends those follow-ups suppressed (docs/suppressions.md)
    for k, status in (("reply", "cancelled"), ("bounce", "suppressed"), ("unsub", "suppressed")):
        m = wait_for(lambda: (lambda x: x["status"] == status and x)(
            t.api.get(f"/v1/approvals/{fu[k]}").json()))
        assert m, (k, t.api.get(f"/v1/approvals/{fu[k]}").json())
        assert m["lastError"], m
        assert len(mails_to(who[k])) == 1, k  # only the first email
    assert t.api.get(f"/v1/approvals/{fu['quiet']}").json()["status"] == "sent"

    # the cancelled follow-ups' credits are released; the sent one is charged
    c = t.api.get("/v1/credits", query="limit=1").json()
    assert c["reserved"] == 0
    assert c["balance"] == 1000 - 2 * 5
