"""Bounces that arrive after the send as DSNs (issue 15, docs/mailboxes.md "Bounces after
sending"), end to end: a campaign sends from a mailbox through the stack's Dovecot
submission server to the sink, then RFC 3464 reports (multipart/report;
report-type=delivery-status, shaped as Postfix writes them) land in the mailbox's folder of
the real Dovecot over IMAP, and the worker's IMAP sync reads them. A failed hard bounce
(5.1.x) marks our message bounced with the server's words, suppresses its recipient, marks
the prospect bounced and counts on the campaign's window of 20 sends exactly once (the
third pauses it at the default autoPause.bounceRate of 0.1); a 5.7.x DSN counts on the
mailbox's policy refusals (the third pauses it); forged and garbage DSNs change nothing
they should not."""
import json
import uuid

import pytest

from conftest import Tenant, sink_messages, sql, wait_for
from test_imap import IMAPS_PORT, SMTP_PORT, append, new_folder, password
from test_mailboxes import CAMPAIGN, JSON, auto_policy


def mailbox(api, user, folder):
    body = {"fromName": "Sam Sender", "fromAddress": f"{user}@mailbox.test",
            "smtp": {"host": "localhost", "port": SMTP_PORT + 1, "security": "starttls",
                     "username": f"{user}@mailbox.test", "password": password()},
            "imap": {"host": "localhost", "port": IMAPS_PORT, "security": "tls",
                     "folders": [folder]}}
    r = api.post("/v1/mailboxes", headers=JSON, data=json.dumps(body))
    assert r.status_code == 201, r.text
    return r.json()


def send(api, mailbox_id, contacts):
    """A campaign of contacts from mailbox_id; waits until the sink has every first email."""
    r = api.post(CAMPAIGN, headers=JSON, data=json.dumps(
        {"type": "serp", "name": "dsn " + uuid.uuid4().hex[:6],
         "targetUrl": "https://example.com/guide", "sender": "relay@agency.example",
         "mailboxIds": [mailbox_id],
         "template": {"subject": "Hello {{contactFirstName}}", "body": "Hi there"},
         "prospects": [{"domain": e.split("@")[1], "contactName": "Pat", "contactEmail": e}
                       for e in contacts]}))
    assert r.status_code == 201, r.text
    first = {}
    for e in contacts:
        got = wait_for(lambda: [m for _, m in sink_messages() if m["X-Sink-Rcpt-To"] == e])
        assert got, e
        first[e] = got[0]
    cid = r.json()["id"]
    # the sink has them: wait until the worker recorded every send as well
    assert wait_for(lambda: {x["status"] for x in outbound(api, cid)} == {"sent"}), outbound(api, cid)
    return cid, first


def outbound(api, cid):
    r = api.get("/v1/approvals", query=f"campaignId={cid}&status=sent,bounced,failed&limit=100")
    return r.json()["data"]


def message_of(api, cid, to):
    return [x for x in outbound(api, cid) if x["to"] == to][0]


def dsn(sender, rcpt, orig_msgid, status="5.1.1", action="failed",
        diagnostic="smtp; 550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown",
        msgid=None, text="I'm sorry to have to inform you that your message could not\r\n"
                         "be delivered to one or more recipients.\r\n", headers_returned=True):
    """A DSN as Postfix writes one: the report, and the returned message's headers (or,
    without them, our Message-ID in an Original-Message-ID field, as some MTAs write)."""
    b = "dsn-" + uuid.uuid4().hex
    msgid = msgid or f"<{uuid.uuid4().hex}@mx.prospect.example>"
    raw = ("From: MAILER-DAEMON@mx.prospect.example (Mail Delivery System)\r\n"
           f"To: {sender}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
           "Date: Mon, 07 Dec 2026 09:00:00 +0000\r\n"
           f"Message-ID: {msgid}\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
           f"Content-Type: multipart/report; report-type=delivery-status; boundary=\"{b}\"\r\n\r\n"
           f"--{b}\r\nContent-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
           f"{text}\r\n"
           f"--{b}\r\nContent-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n"
           "Reporting-MTA: dns; mx.prospect.example\r\nX-Postfix-Queue-ID: 4Fq1x2y3z\r\n"
           "Arrival-Date: Mon, 07 Dec 2026 08:59:58 +0000\r\n"
           + ("" if headers_returned else f"Original-Message-ID: {orig_msgid}\r\n") + "\r\n"
           f"Final-Recipient: rfc822; {rcpt}\r\nOriginal-Recipient: rfc822;{rcpt}\r\n"
           f"Action: {action}\r\nStatus: {status}\r\n"
           f"Diagnostic-Code: {diagnostic.format(rcpt=rcpt)}\r\n\r\n"
           + (f"--{b}\r\nContent-Description: Undelivered Message Headers\r\n"
              "Content-Type: text/rfc822-headers\r\n\r\n"
              f"From: Sam Sender <{sender}>\r\nTo: {rcpt}\r\nSubject: Hello Pat\r\n"
              f"Message-ID: {orig_msgid}\r\n\r\n" if headers_returned else "")
           + f"--{b}--\r\n")
    return raw, msgid


def stored(ws, msgids):
    ids = ",".join("'" + i.replace("'", "") + "'" for i in msgids)
    return sql("SELECT i.message_id_header, i.klass FROM inbound_messages i "
               f"JOIN workspaces w ON w.id = i.workspace_id WHERE w.public_id = '{ws}' "
               f"AND i.message_id_header IN ({ids})")


def window(cid):
    """The campaign's window of its last 20 outcomes: (bounces, sends)."""
    r = sql("SELECT BIT_COUNT(recent_bounces), recent_sends FROM campaigns "
            f"WHERE public_id = '{cid}'")
    return int(r[0][0]), int(r[0][1])


def suppressed(ws, email):
    return sql("SELECT s.reason FROM suppressions s JOIN workspaces w ON w.id = s.workspace_id "
               f"WHERE w.public_id = '{ws}' AND s.email = '{email}'")


def bounced_events(cid):
    return int(sql("SELECT COUNT(*) FROM events e JOIN campaigns c ON c.id = e.campaign_id "
                   f"WHERE c.public_id = '{cid}' AND e.type = 'email_bounced'")[0][0])


def credits(api):
    c = api.get("/v1/credits", query="limit=1").json()
    return c["balance"], c["reserved"]


@pytest.fixture(scope="module")
def t():
    t = Tenant()
    auto_policy(t.api)
    return t


def test_hard_bounce_dsns_count_once_and_pause_the_campaign(t):
    folder = new_folder("box3")
    m = mailbox(t.api, "box3", folder)
    tag = uuid.uuid4().hex[:8]
    who = [f"p{i}-{tag}@dsn-{tag}.example" for i in range(6)]
    cid, first = send(t.api, m["id"], who)
    assert window(cid) == (0, 6)
    balance = credits(t.api)

    # the first DSN: our message bounced with the server's words, the address suppressed,
    # the prospect bounced, one of the six sends now a bounce; the credits stay charged
    raw, id0 = dsn(m["fromAddress"], who[0], first[who[0]]["Message-ID"])
    append(folder, raw, user="box3")
    assert wait_for(lambda: stored(t.ws, [id0]), 60), "the IMAP sync did not read the DSN"
    msg = message_of(t.api, cid, who[0])
    assert msg["status"] == "bounced", msg
    assert msg["lastError"].startswith("bounced after sending (DSN): 5.1.1 550 5.1.1"), msg
    assert "User unknown" in msg["lastError"], msg
    assert suppressed(t.ws, who[0]) == [["hard_bounce"]]
    rel = [r for r in t.api.get("/v1/link-building/crm/relationship",
                                query=f"campaignId={cid}").json()["data"]
           if r["contactEmail"] == who[0]][0]
    assert rel["status"] == "bounced", rel
    assert window(cid) == (1, 6) and bounced_events(cid) == 1
    assert credits(t.api) == balance

    # the same DSN read again (a copy in the folder) and a second report for the message:
    # kept, but counted once
    again, _ = dsn(m["fromAddress"], who[0], first[who[0]]["Message-ID"], msgid=id0)
    second, id0b = dsn(m["fromAddress"], who[0], first[who[0]]["Message-ID"], status="5.1.2",
                       diagnostic="smtp; 550 5.1.2 host not found")
    append(folder, again, user="box3")
    append(folder, second, user="box3")
    assert wait_for(lambda: stored(t.ws, [id0b]), 60)
    assert len(stored(t.ws, [id0, id0b])) == 2  # the copy was a duplicate
    assert window(cid) == (1, 6) and bounced_events(cid) == 1
    assert message_of(t.api, cid, who[0])["lastError"] == msg["lastError"]

    # a success report and a delayed one bounce nothing
    ok, id_ok = dsn(m["fromAddress"], who[1], first[who[1]]["Message-ID"], status="2.0.0",
                    action="delivered", diagnostic="smtp; 250 2.0.0 Ok")
    late, id_late = dsn(m["fromAddress"], who[1], first[who[1]]["Message-ID"], status="4.4.1",
                        action="delayed", diagnostic="smtp; 451 4.4.1 try again later")
    append(folder, ok, user="box3")
    append(folder, late, user="box3")
    assert wait_for(lambda: len(stored(t.ws, [id_ok, id_late])) == 2, 60)
    assert message_of(t.api, cid, who[1])["status"] == "sent"
    assert window(cid) == (1, 6)

    # a permanent failure that does not say the address is bad (mailbox full): the message
    # bounced, the address kept, the window unchanged
    full, id_full = dsn(m["fromAddress"], who[2], first[who[2]]["Message-ID"], status="5.2.2",
                        diagnostic="smtp; 552 5.2.2 mailbox full")
    append(folder, full, user="box3")
    assert wait_for(lambda: stored(t.ws, [id_full]), 60)
    assert message_of(t.api, cid, who[2])["status"] == "bounced"
    assert suppressed(t.ws, who[2]) == []
    assert window(cid) == (1, 6) and bounced_events(cid) == 1

    # two more hard bounces: three among the last 20 passes 0.1, and the campaign pauses
    # itself with the reason in its timeline
    more = [dsn(m["fromAddress"], e, first[e]["Message-ID"]) for e in who[3:5]]
    append(folder, more[0][0], user="box3")
    assert wait_for(lambda: stored(t.ws, [more[0][1]]), 60)
    assert window(cid) == (2, 6)
    assert t.api.get(f"{CAMPAIGN}/{cid}").json()["status"] == "active"
    append(folder, more[1][0], user="box3")
    assert wait_for(lambda: stored(t.ws, [more[1][1]]), 60)
    assert window(cid) == (3, 6) and bounced_events(cid) == 3
    got = t.api.get(f"{CAMPAIGN}/{cid}").json()
    assert got["status"] == "paused", got
    assert "3 hard bounces in the last 6 sends" in got["pauseReason"], got
    assert credits(t.api) == balance


def test_policy_refusal_dsns_pause_the_mailbox(t):
    folder = new_folder("box3")
    m = mailbox(t.api, "box3", folder)
    tag = uuid.uuid4().hex[:8]
    who = [f"q{i}-{tag}@spamfilter-{tag}.example" for i in range(3)]
    cid, first = send(t.api, m["id"], who)
    ids = []
    for i, e in enumerate(who):
        raw, mid = dsn(m["fromAddress"], e, first[e]["Message-ID"], status="5.7.1",
                       diagnostic="smtp; 554 5.7.1 Service unavailable; client host blocked")
        append(folder, raw, user="box3")
        ids.append(mid)
        assert wait_for(lambda: stored(t.ws, [mid]), 60)
        assert message_of(t.api, cid, e)["status"] == "bounced"
        if i < 2:
            assert t.api.get(f"/v1/mailboxes/{m['id']}").json()["status"] == "active"
    got = t.api.get(f"/v1/mailboxes/{m['id']}").json()
    assert got["status"] == "paused", got
    assert "3 policy refusals in a row" in got["pausedReason"], got
    assert "5.7.1" in got["pausedReason"], got
    # the addresses are not the problem: kept, prospects not bounced, window clean
    assert all(suppressed(t.ws, e) == [] for e in who)
    assert window(cid) == (0, 3) and bounced_events(cid) == 0
    assert t.api.get(f"{CAMPAIGN}/{cid}").json()["status"] == "active"


def test_hostile_dsns_change_nothing_they_should_not(t):
    folder = new_folder("box3")
    m = mailbox(t.api, "box3", folder)
    tag = uuid.uuid4().hex[:8]
    who = [f"h{i}-{tag}@hostile-{tag}.example" for i in range(3)]
    cid, first = send(t.api, m["id"], who)

    # another agency's message, named in a DSN that arrives in this workspace's mailbox
    other = Tenant()
    auto_policy(other.api)
    ofolder = new_folder("box2")
    om = mailbox(other.api, "box2", ofolder)
    victim = f"victim-{tag}@other-{tag}.example"
    ocid, ofirst = send(other.api, om["id"], [victim])
    forged, id_forged = dsn(m["fromAddress"], victim, ofirst[victim]["Message-ID"])
    append(folder, forged, user="box3")

    # a failed forward: the report names another address than our message's recipient
    fwd, id_fwd = dsn(m["fromAddress"], f"elsewhere-{tag}@gmail.example",
                      first[who[0]]["Message-ID"])

    # garbage fields and a huge report: a status nobody can read, a 300 kB diagnostic of
    # junk with invalid UTF-8, a 4 MB notification part
    garbage, id_garbage = dsn(m["fromAddress"], who[1], first[who[1]]["Message-ID"],
                              status="9.99.999.9 BOGUS",
                              diagnostic="smtp; " + "\u00e9\u2028JUNK <>;\\" * 30000,
                              text=("A" * 76 + "\r\n") * 55000)
    garbage = garbage.encode().replace(b"BOGUS", b"b\xff\xfegus").replace(b"JUNK", b"J\xc3\x28K")
    append(folder, fwd, user="box3")
    append(folder, garbage, user="box3")
    assert wait_for(lambda: len(stored(t.ws, [id_forged, id_fwd, id_garbage])) == 3, 90), \
        stored(t.ws, [id_forged, id_fwd, id_garbage])

    # the other workspace's message is untouched, and nothing of it is suppressed anywhere
    assert message_of(other.api, ocid, victim)["status"] == "sent"
    assert suppressed(other.ws, victim) == [] and suppressed(t.ws, victim) == []
    assert window(ocid) == (0, 1)
    # the forward's failure bounced nothing of ours
    assert message_of(t.api, cid, who[0])["status"] == "sent"
    assert suppressed(t.ws, f"elsewhere-{tag}@gmail.example") == []
    # the garbage report: a failure of our message, so it bounced, with a bounded lastError;
    # but no status says the address is bad: kept, window clean
    g = message_of(t.api, cid, who[1])
    assert g["status"] == "bounced", g
    assert g["lastError"].startswith("bounced after sending (DSN): no status"), g["lastError"][:80]
    assert len(g["lastError"]) <= 500
    assert suppressed(t.ws, who[1]) == []
    assert window(cid) == (0, 3) and bounced_events(cid) == 0
    # the mailbox kept reading: a good hard bounce after all that still counts
    raw, mid = dsn(m["fromAddress"], who[2], first[who[2]]["Message-ID"])
    append(folder, raw, user="box3")
    assert wait_for(lambda: stored(t.ws, [mid]), 60)
    assert window(cid) == (1, 3)
    assert t.api.get(f"/v1/mailboxes/{m['id']}").json()["lastError"] is None


def test_a_report_without_returned_headers_names_our_message_in_original_message_id(t):
    folder = new_folder("box3")
    m = mailbox(t.api, "box3", folder)
    tag = uuid.uuid4().hex[:8]
    who = f"o-{tag}@orig-{tag}.example"
    cid, first = send(t.api, m["id"], [who])
    raw, mid = dsn(m["fromAddress"], who, first[who]["Message-ID"], headers_returned=False)
    assert "rfc822-headers" not in raw
    append(folder, raw, user="box3")
    assert wait_for(lambda: stored(t.ws, [mid]), 60)
    assert message_of(t.api, cid, who)["status"] == "bounced"
    assert suppressed(t.ws, who) == [["hard_bounce"]]
    assert window(cid) == (1, 1) and bounced_events(cid) == 1
