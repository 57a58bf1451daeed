"""Out-of-office return dates and delayed DSNs (docs/inbound.md), end to end: an auto-reply
that says when its writer is back moves the prospect's pending follow-up to the day after,
and shows the date; a DSN with Action: delayed is informational — nothing bounced, nothing
suppressed, the follow-up untouched."""
import datetime
import json
import os
import subprocess
import uuid

from conftest import BIN, CONFIG, Tenant, sink_messages, wait_for

CAMPAIGN = "/v1/link-building/campaign"
JSON = {"Content-Type": "application/json"}
MONTHS_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
             "Oktober", "November", "Dezember"]


def pipe(raw):
    p = subprocess.run([os.path.join(BIN, "linkcamp"), "-c", CONFIG, "inbound"], input=raw.encode(),
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout.decode().split()


def mails_to(addr):
    return [m for raw, m in sink_messages() if m["X-Sink-Rcpt-To"] == addr]


def follow_up(api, cid, to):
    r = api.get("/v1/approvals", query=f"campaignId={cid}&kind=follow_up&status=scheduled,held&limit=50")
    got = [f for f in r.json()["data"] if f["to"] == to]
    return got[0] if got else None


def start(n):
    t = Tenant()
    r = t.api.request("PUT", "/v1/workspace/policy", headers=JSON,
                      data=json.dumps({"approval": {"drafts": "auto", "followUps": "auto"}}))
    assert r.status_code == 200, r.text
    tag = uuid.uuid4().hex[:8]
    who = [f"ooo{i}.{tag}@prospect.example" for i in range(n)]
    sender = f"outreach.{tag}@agency.example"
    body = {"type": "custom", "name": "ooo " + tag, "targetUrl": "https://ours.example/x",
            "sender": sender, "template": {"subject": "A guide", "body": "Hi {{contactFirstName}}"},
            "prospects": [{"domain": "prospect.example", "contactName": "Pat", "contactEmail": e}
                          for e in who],
            "followUps": [{"afterDays": 2, "body": "Following up"}]}
    r = t.api.post(CAMPAIGN, headers=JSON, data=json.dumps(body))
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    first = {}
    for e in who:
        got = wait_for(lambda: mails_to(e))
        assert got, e
        first[e] = got[0]
        assert wait_for(lambda: follow_up(t.api, cid, e)), e
    return t, cid, who, sender, first


def test_out_of_office_moves_the_follow_up_to_the_day_after_the_return():
    t, cid, who, sender, first = start(2)
    now = datetime.datetime.now(datetime.timezone.utc)
    back = (now + datetime.timedelta(days=20)).date()
    texts = [f"I am out of the office and back on {back.day} {back.strftime('%B')}.",
             f"Ich bin im Urlaub und zurück am {back.day:02d}.{back.month:02d}."]
    for e, text in zip(who, texts):
        before = follow_up(t.api, cid, e)["scheduleAt"]
        raw = (f"From: Pat <{e}>\r\nTo: {sender}\r\nSubject: Automatic reply: A guide\r\n"
               f"Date: {now.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\n"
               f"Message-ID: <{uuid.uuid4().hex}@prospect.example>\r\n"
               f"In-Reply-To: {first[e]['Message-ID']}\r\nAuto-Submitted: auto-replied\r\n"
               "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n")
        public, klass, match = pipe(raw)[:3]
        assert klass == "auto_reply" and match == "thread"
        inbound = t.api.get(f"/v1/link-building/inbound/{public}").json()
        assert inbound["oooReturn"] == back.isoformat(), inbound
        fu = follow_up(t.api, cid, e)
        assert fu["status"] == "scheduled", fu  # not cancelled: an auto-reply is no reply
        after = (back + datetime.timedelta(days=1)).isoformat() + "T00:00:00Z"
        assert fu["scheduleAt"] == after and before < after, (before, fu)
    # the relationships are still waiting for a real answer
    rels = t.api.get("/v1/link-building/crm/relationship", query=f"campaignId={cid}").json()["data"]
    assert {r["status"] for r in rels} == {"sent"}


def test_an_auto_reply_without_a_date_moves_nothing():
    t, cid, who, sender, first = start(1)
    e = who[0]
    before = follow_up(t.api, cid, e)["scheduleAt"]
    raw = (f"From: Pat <{e}>\r\nTo: {sender}\r\nSubject: Out of office\r\n"
           f"Message-ID: <{uuid.uuid4().hex}@prospect.example>\r\n"
           f"In-Reply-To: {first[e]['Message-ID']}\r\nAuto-Submitted: auto-replied\r\n"
           "Content-Type: text/plain\r\n\r\nI am travelling with limited access to email.\r\n")
    public = pipe(raw)[0]
    assert t.api.get(f"/v1/link-building/inbound/{public}").json()["oooReturn"] is None
    assert follow_up(t.api, cid, e)["scheduleAt"] == before


def test_a_delayed_dsn_is_informational():
    t, cid, who, sender, first = start(1)
    e = who[0]
    fu = follow_up(t.api, cid, e)
    boundary = "dsn-" + uuid.uuid4().hex
    raw = (f"From: Mail Delivery System <MAILER-DAEMON@mx.prospect.example>\r\nTo: {sender}\r\n"
           "Subject: Delayed Mail (still being retried)\r\nDate: Thu, 26 Nov 2026 09:00:00 +0000\r\n"
           f"Message-ID: <{uuid.uuid4().hex}@mx.prospect.example>\r\nMIME-Version: 1.0\r\n"
           f"Content-Type: multipart/report; report-type=delivery-status; boundary=\"{boundary}\"\r\n\r\n"
           f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nThis is a warning only; no action needed.\r\n"
           f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.prospect.example\r\n\r\n"
           f"Final-Recipient: rfc822; {e}\r\nAction: delayed\r\nStatus: 4.4.1\r\n"
           f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: {sender}\r\nTo: {e}\r\n"
           f"Message-ID: {first[e]['Message-ID']}\r\nSubject: A guide\r\n\r\n--{boundary}--\r\n")
    public, klass, match = pipe(raw)[:3]
    assert klass == "delayed" and match == "thread"
    inbound = t.api.get(f"/v1/link-building/inbound/{public}").json()
    assert inbound["class"] == "delayed" and inbound["bounce"]["status"] == "4.4.1"
    listed = t.api.get("/v1/link-building/inbound", query="class=delayed").json()["data"]
    assert [x["id"] for x in listed] == [public]
    first_id = inbound["outboundMessageId"]
    assert t.api.get(f"/v1/approvals/{first_id}").json()["status"] == "sent"
    rel = t.api.get("/v1/link-building/crm/relationship", query=f"campaignId={cid}").json()["data"][0]
    assert rel["status"] == "sent"
    assert t.api.get("/v1/suppressions").json()["data"] == []
    assert follow_up(t.api, cid, e) == fu
