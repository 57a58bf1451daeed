"""Matching of replies that do not thread (docs/inbound.md, "Matching"): the sender's
domain as the last, lower-confidence guess — only when exactly one prospect of the
workspace at that domain was written to in a running campaign, never a shared provider's
domain, never another workspace's prospect."""
import json
import uuid

from conftest import Tenant, sink_messages, wait_for

JSON = {"Content-Type": "application/json"}
RFC822 = {"Content-Type": "message/rfc822"}


def sent_campaign(t, api, contacts):
    tag = uuid.uuid4().hex[:8]
    r = api.request("PUT", "/v1/workspace/policy", headers=JSON,
                    data=json.dumps({"approval": {"drafts": "auto"}}))
    assert r.status_code == 200, r.text
    body = {"type": "custom", "name": "match " + tag, "targetUrl": "https://ours.example/x",
            "sender": f"outreach.{tag}@agency.example",
            "template": {"subject": "A guide", "body": "Hi {{contactFirstName}}"},
            "prospects": [{"domain": e.split("@")[1], "contactName": "Pat Doe", "contactEmail": e}
                          for e in contacts]}
    r = api.post("/v1/link-building/campaign", headers=JSON, data=json.dumps(body))
    assert r.status_code == 201, r.text
    for e in contacts:
        assert wait_for(lambda: [m for raw, m in sink_messages() if m["X-Sink-Rcpt-To"] == e]), e
    rels = api.get("/v1/link-building/crm/relationship",
                   query=f"campaignId={r.json()['id']}").json()["data"]
    assert wait_for(lambda: all(
        api.get(f"/v1/link-building/crm/relationship/{x['id']}").json()["status"] == "sent" for x in rels))
    return {x["contactEmail"]: x["id"] for x in rels}, body["sender"]


def post_reply(api, frm, to, text="Happy to add your guide, send me the details."):
    raw = (f"From: Someone <{frm}>\r\nTo: {to}\r\nSubject: A guide\r\n"
           f"Message-ID: <{uuid.uuid4().hex}@colleague.example>\r\nDate: Thu, 26 Nov 2026 09:00:00 +0000\r\n"
           "Content-Type: text/plain\r\n\r\n" + text + "\r\n")
    r = api.post("/v1/link-building/inbound", headers=RFC822, data=raw.encode())
    assert r.status_code == 201, r.text
    return r.json()


def test_a_colleague_at_the_prospects_domain_matches_with_low_confidence():
    t = Tenant()
    tag = uuid.uuid4().hex[:8]
    pat = f"pat@corp-{tag}.example"
    rels, sender = sent_campaign(t, t.api, [pat])
    got = post_reply(t.api, f"jo@CORP-{tag}.example", sender)
    assert got["matchedBy"] == "domain" and got["matchConfidence"] == "low", got
    assert got["relationshipId"] == rels[pat] and got["class"] == "reply"
    assert t.api.get(f"/v1/link-building/crm/relationship/{rels[pat]}").json()["status"] == "replied"
    # the prospect's own address is a sure match
    got = post_reply(t.api, pat, sender)
    assert got["matchedBy"] == "sender" and got["matchConfidence"] == "high"


def test_no_guess_when_two_prospects_share_the_domain_or_it_is_a_shared_provider():
    t = Tenant()
    tag = uuid.uuid4().hex[:8]
    a, b, free = (f"a@two-{tag}.example", f"b@two-{tag}.example", f"free.{tag}@gmail.com")
    rels, sender = sent_campaign(t, t.api, [a, b, free])
    got = post_reply(t.api, f"c@two-{tag}.example", sender)
    assert got["matchedBy"] == "none" and got["relationshipId"] is None and got["matchConfidence"] is None
    got = post_reply(t.api, f"someone.else.{tag}@gmail.com", sender)
    assert got["matchedBy"] == "none", got


def test_a_domain_never_matches_into_another_workspace():
    t = Tenant()
    tag = uuid.uuid4().hex[:8]
    rels, sender = sent_campaign(t, t.api, [f"pat@only-a-{tag}.example"])
    # the same agency's other workspace posts a mail from that domain: not its prospect
    got = post_reply(t.api2, f"jo@only-a-{tag}.example", sender)
    assert got["matchedBy"] == "none" and got["relationshipId"] is None, got


def test_a_forward_from_another_address_is_matched_by_its_token():
    import os
    import re
    import subprocess
    from conftest import BIN, CONFIG

    t = Tenant()
    tag = uuid.uuid4().hex[:8]
    pat = f"pat@tok-{tag}.example"
    rels, sender = sent_campaign(t, t.api, [pat])
    mail = [m for raw, m in sink_messages() if m["X-Sink-Rcpt-To"] == pat][0]
    msgid = mail["Message-ID"]
    token = re.match(r"<([a-z2-7]{16})\.", msgid).group(1)
    local, domain = sender.split("@")
    # a colleague answers from another address (and another domain), to the plus address
    # of the Reply-To, without any thread header: the token alone finds the prospect
    fwd = post_reply(t.api, f"assistant.{tag}@other-company.example", f"{local}+{token.upper()}@{domain}")
    assert fwd["matchedBy"] == "token" and fwd["relationshipId"] == rels[pat], fwd
    assert fwd["matchConfidence"] == "high" and fwd["outboundMessageId"]
    # a gateway that rewrote the domain of our Message-ID in References: the token holds
    raw = (f"From: Helper <helper.{tag}@third.example>\r\nTo: someone@third.example\r\n"
           f"Cc: nobody@third.example\r\nSubject: Fwd: A guide\r\nMessage-ID: <{uuid.uuid4().hex}@third.example>\r\n"
           f"References: <unrelated@x.example> <{token}.rewritten@gateway.example>\r\n"
           "Content-Type: text/plain\r\n\r\nForwarding this to the right person.\r\n")
    got = t.api.post("/v1/link-building/inbound", headers=RFC822, data=raw.encode()).json()
    assert got["matchedBy"] == "token" and got["relationshipId"] == rels[pat], got
    # the same token posted by another workspace of the agency matches nothing there
    other = post_reply(t.api2, f"assistant2.{tag}@other-company.example", f"{local}+{token}@{domain}")
    assert other["matchedBy"] == "none" and other["relationshipId"] is None
    # from the MTA pipe (no workspace given) the token names the workspace; a Delivered-To
    # header counts as an address the mail went to
    raw = (f"Delivered-To: {local}+{token}@{domain}\r\nFrom: Third <third.{tag}@elsewhere.example>\r\n"
           f"To: undisclosed-recipients:;\r\nSubject: hello\r\nMessage-ID: <{uuid.uuid4().hex}@elsewhere.example>\r\n"
           "Content-Type: text/plain\r\n\r\nWe would like to take part.\r\n")
    p = subprocess.run([os.path.join(BIN, "linkcamp"), "-c", CONFIG, "inbound"], input=raw.encode(),
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    public, klass, match = p.stdout.decode().split()[:3]
    assert match == "token"
    assert t.api.get(f"/v1/link-building/inbound/{public}").json()["relationshipId"] == rels[pat]
    # a made-up token of the right shape finds nothing
    fake = post_reply(t.api, f"x.{tag}@y.example", f"{local}+abcdefghijklmnop@{domain}")
    assert fake["matchedBy"] == "none"


def test_a_mailbox_with_plus_reply_to_gets_replies_at_its_token():
    """A sender mailbox with plusReplyTo sends Reply-To local+<token>@domain through its own
    submission server (Dovecot); the answer of a colleague to that address matches."""
    import re
    from test_mailboxes import auto_policy, mailbox_body, new_campaign

    t = Tenant()
    tag = uuid.uuid4().hex[:8]
    auto_policy(t.api)
    r = t.api.post("/v1/mailboxes", headers=JSON, data=json.dumps(
        mailbox_body(user="box3", replyTo="answers@mailbox.test", plusReplyTo=True)))
    assert r.status_code == 201 and r.json()["plusReplyTo"] is True, r.text
    box = r.json()
    assert_problem_422 = t.api.request("PATCH", f"/v1/mailboxes/{box['id']}", headers=JSON,
                                       data=json.dumps({"plusReplyTo": "yes"}))
    assert assert_problem_422.status_code == 422 and assert_problem_422.json()["param"] == "plusReplyTo"
    pat = f"pat@plus-{tag}.example"
    c = new_campaign(t.api, [box["id"]], [{"domain": f"plus-{tag}.example", "contactName": "Pat",
                                            "contactEmail": pat}])
    mail = wait_for(lambda: [m for raw, m in sink_messages() if m["X-Sink-Rcpt-To"] == pat])
    assert mail, "not delivered"
    token = re.match(r"<([a-z2-7]{16})\.", mail[0]["Message-ID"]).group(1)
    assert mail[0]["Reply-To"].addresses[0].addr_spec == f"answers+{token}@mailbox.test"
    got = post_reply(t.api, f"colleague.{tag}@elsewhere.example", f"answers+{token}@mailbox.test")
    assert got["matchedBy"] == "token" and got["campaignId"] == c["id"], got
    # switched off, the Reply-To is the mailbox's own again
    r = t.api.request("PATCH", f"/v1/mailboxes/{box['id']}", headers=JSON,
                      data=json.dumps({"plusReplyTo": False}))
    assert r.status_code == 200 and r.json()["plusReplyTo"] is False
    t.api.request("DELETE", f"/v1/mailboxes/{box['id']}")
