"""Triage of unmatched mail (docs/inbound.md, "Triage"): every inbound message that matched
no prospect waits in GET /v1/inbound/unmatched until a person matches it to a relationship,
matches it and unsubscribes, or dismisses it; each decision is kept with who and when, and
does what a match would have done."""
import json
import uuid

from conftest import Tenant, assert_problem, sink_messages, wait_for

JSON = {"Content-Type": "application/json"}
RFC822 = {"Content-Type": "message/rfc822"}


def world():
    t = Tenant()
    tag = uuid.uuid4().hex[:8]
    r = t.api.request("PUT", "/v1/workspace/policy", headers=JSON,
                      data=json.dumps({"approval": {"drafts": "auto"}}))
    assert r.status_code == 200, r.text
    who = [f"p{i}.{tag}@site{i}-{tag}.example" for i in range(3)]
    body = {"type": "custom", "name": "triage " + tag, "targetUrl": "https://ours.example/x",
            "sender": f"outreach.{tag}@agency.example",
            "template": {"subject": "A guide", "body": "Hi {{contactFirstName}}"},
            "prospects": [{"domain": e.split("@")[1], "contactName": "Pat", "contactEmail": e} for e in who]}
    r = t.api.post("/v1/link-building/campaign", headers=JSON, data=json.dumps(body))
    assert r.status_code == 201, r.text
    for e in who:
        assert wait_for(lambda: [m for raw, m in sink_messages() if m["X-Sink-Rcpt-To"] == e])
    rels = {x["contactEmail"]: x["id"] for x in t.api.get(
        "/v1/link-building/crm/relationship", query=f"campaignId={r.json()['id']}").json()["data"]}
    assert wait_for(lambda: all(t.api.get(f"/v1/link-building/crm/relationship/{i}").json()["status"] == "sent"
                                for i in rels.values()))
    return t, who, rels, body["sender"], tag


def stranger_mail(api, frm, to, text="Yes, happy to link to it."):
    raw = (f"From: Stranger <{frm}>\r\nTo: {to}\r\nSubject: about your guide\r\n"
           f"Message-ID: <{uuid.uuid4().hex}@elsewhere.example>\r\nDate: Thu, 26 Nov 2026 09:00:00 +0000\r\n"
           "Content-Type: text/plain\r\n\r\n" + text + "\r\n")
    r = api.post("/v1/link-building/inbound", headers=RFC822, data=raw.encode())
    assert r.status_code == 201, r.text
    assert r.json()["matchedBy"] == "none"
    return r.json()["id"]


def unmatched(api):
    r = api.get("/v1/inbound/unmatched", query="limit=50")
    assert r.status_code == 200, r.text
    return r.json()


def test_match_match_and_unsubscribe_dismiss():
    t, who, rels, sender, tag = world()
    m1 = stranger_mail(t.api, f"editor.{tag}@other-mail.example", sender)
    m2 = stranger_mail(t.api, f"boss.{tag}@other-mail.example", sender, "Stop writing to us.")
    m3 = stranger_mail(t.api, f"spam.{tag}@junk.example", sender, "Buy cheap watches")
    u = unmatched(t.api)
    assert u["total"] == 3 and [x["id"] for x in u["data"]] == [m3, m2, m1]
    assert all(x["triage"] is None for x in u["data"])

    r = t.api.post(f"/v1/inbound/unmatched/{m1}/match", headers=JSON,
                   data=json.dumps({"relationshipId": rels[who[0]]}))
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["matchedBy"] == "manual" and got["relationshipId"] == rels[who[0]]
    assert got["triage"]["decision"] == "match" and got["triage"]["by"] == f"key:{t.ws}" and got["triage"]["at"]
    # what a match does: a person's reply counts
    assert t.api.get(f"/v1/link-building/crm/relationship/{rels[who[0]]}").json()["status"] == "replied"

    r = t.api.post(f"/v1/inbound/unmatched/{m2}/match-and-unsubscribe", headers=JSON,
                   data=json.dumps({"relationshipId": rels[who[1]]}))
    assert r.status_code == 200 and r.json()["triage"]["decision"] == "match_and_unsubscribe", r.text
    assert t.api.get(f"/v1/link-building/crm/relationship/{rels[who[1]]}").json()["status"] == "unsubscribed"
    listed = {x["address"]: x["source"] for x in t.api.get("/v1/suppressions").json()["data"]}
    assert listed == {who[1]: "triage", f"boss.{tag}@other-mail.example": "triage"}

    r = t.api.post(f"/v1/inbound/unmatched/{m3}/dismiss")
    assert r.status_code == 200 and r.json()["triage"]["decision"] == "dismiss", r.text
    assert r.json()["relationshipId"] is None and r.json()["matchedBy"] == "none"
    assert unmatched(t.api) == {"data": [], "total": 0, "nextCursor": None}
    # the decision stays on the message
    assert t.api.get(f"/v1/link-building/inbound/{m3}").json()["triage"]["decision"] == "dismiss"
    assert_problem(t.api.post(f"/v1/inbound/unmatched/{m1}/dismiss"), 409, "already_decided")
    # the inbound list's totals (kept counts, sql/190) moved with the matches: two matched,
    # the dismissed one still unmatched, and a refused decision moved nothing
    inbound = {q: t.api.get("/v1/link-building/inbound", query=q).json()["total"]
               for q in ("matched=true", "matched=false", "limit=1")}
    assert inbound == {"matched=true": 2, "matched=false": 1, "limit=1": 3}, inbound


def test_refusals_and_workspace_walls():
    t, who, rels, sender, tag = world()
    m = stranger_mail(t.api, f"x.{tag}@other-mail.example", sender)
    rel_b = t.api2.post("/v1/link-building/campaign", headers=JSON, data=json.dumps({
        "type": "custom", "name": "b " + tag, "targetUrl": "https://ours.example/x",
        "sender": f"b.{tag}@agency.example", "template": {"subject": "s", "body": "b"},
        "prospects": [{"domain": "b.example", "contactName": "B", "contactEmail": f"b.{tag}@b.example"}]}))
    assert rel_b.status_code == 201, rel_b.text
    other_rel = t.api2.get("/v1/link-building/crm/relationship").json()["data"][0]["id"]
    cases = [
        (f"/v1/inbound/unmatched/{m}/match", {}, 422, "validation_failed", "relationshipId"),
        (f"/v1/inbound/unmatched/{m}/match", {"relationshipId": 5}, 422, "validation_failed", "relationshipId"),
        (f"/v1/inbound/unmatched/{m}/match", {"relationshipId": "rel_nope"}, 404, "relationship_not_found", "relationshipId"),
        # another workspace's prospect is not found from here
        (f"/v1/inbound/unmatched/{m}/match", {"relationshipId": other_rel}, 404, "relationship_not_found", "relationshipId"),
        (f"/v1/inbound/unmatched/{m}/match", {"relationshipId": rels[who[0]], "x": 1}, 422, "validation_failed", "x"),
        (f"/v1/inbound/unmatched/{m}/dismiss", {"reason": "x"}, 422, "validation_failed", "reason"),
        ("/v1/inbound/unmatched/msg_AAAAAAAAAAAAAAAAAAAAAA/dismiss", {}, 404, "inbound_message_not_found", None),
        ("/v1/inbound/unmatched/nonsense/dismiss", {}, 404, "inbound_message_not_found", None),
    ]
    for path, body, status, code, param in cases:
        assert_problem(t.api.post(path, headers=JSON, data=json.dumps(body)), status, code, param=param)
    # the other workspace neither sees nor decides this workspace's mail
    assert unmatched(t.api2)["total"] == 0
    assert_problem(t.api2.post(f"/v1/inbound/unmatched/{m}/dismiss"), 404, "inbound_message_not_found")
    assert unmatched(t.api)["total"] == 1
    # a matched message is not in triage and cannot be decided
    pat = who[0]
    raw = (f"From: Pat <{pat}>\r\nTo: {sender}\r\nSubject: Re: A guide\r\nMessage-ID: <{uuid.uuid4().hex}@x.example>\r\n"
           "Content-Type: text/plain\r\n\r\nThanks!\r\n")
    matched = t.api.post("/v1/link-building/inbound", headers=RFC822, data=raw.encode()).json()
    assert matched["matchedBy"] == "sender"
    assert_problem(t.api.post(f"/v1/inbound/unmatched/{matched['id']}/dismiss"), 409, "already_decided")
    assert unmatched(t.api)["total"] == 1


def test_paging_and_the_index():
    t, who, rels, sender, tag = world()
    ids = [stranger_mail(t.api, f"s{i}.{tag}@nowhere.example", sender) for i in range(5)]
    seen, cursor = [], None
    while True:
        r = t.api.get("/v1/inbound/unmatched", query="limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert r.status_code == 200 and r.json()["total"] == 5
        seen += [x["id"] for x in r.json()["data"]]
        cursor = r.json()["nextCursor"]
        if not cursor:
            break
    assert seen == ids[::-1]
    from conftest import sql
    plan = sql("EXPLAIN SELECT i.id FROM inbound_messages i WHERE i.workspace_id = 1 AND "
               "i.triage_at IS NOT NULL AND i.triage_at <= '9999-12-31' ORDER BY i.triage_at DESC, i.id DESC LIMIT 3")
    assert plan[0][5] == "ix_inbound_triage", plan


def signed_in_as(ws, role):
    from conftest import cli, sign_in

    password = "correct horse battery staple"
    email = f"triage.{uuid.uuid4().hex[:8]}@agency.example"
    cli("user", "add", email, "--workspace", ws, "--role", role, "--password-stdin",
        stdin=password + "\n")
    s = sign_in(email, password)
    return s, email


def test_the_unmatched_page_lists_and_decides():
    import re
    from conftest import URL

    t, who, rels, sender, tag = world()
    m1 = stranger_mail(t.api, f"a.{tag}@other-mail.example", sender, "<b>Hello</b> & welcome")
    m2 = stranger_mail(t.api, f"b.{tag}@other-mail.example", sender)
    viewer, _ = signed_in_as(t.ws, "viewer")
    r = viewer.get(f"{URL}/app/w/{t.ws}/unmatched", timeout=30)
    assert r.status_code == 200 and m1 in r.text and m2 in r.text, r.text
    assert "&lt;b&gt;Hello&lt;/b&gt; &amp; welcome" in r.text and "<b>Hello" not in r.text
    assert "Approvers decide." in r.text and 'value="dismiss"' not in r.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    r = viewer.post(f"{URL}/app/w/{t.ws}/unmatched/{m1}", allow_redirects=False, timeout=30,
                    data={"csrf": csrf, "decision": "dismiss"})
    assert r.status_code == 403

    approver, email = signed_in_as(t.ws, "approver")
    page = approver.get(f"{URL}/app/w/{t.ws}/unmatched", timeout=30)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    # match by the prospect's address, as a person would type it
    r = approver.post(f"{URL}/app/w/{t.ws}/unmatched/{m1}", allow_redirects=False, timeout=30,
                      data={"csrf": csrf, "decision": "match", "relationship": who[2]})
    assert r.status_code == 303, r.text
    got = t.api.get(f"/v1/link-building/inbound/{m1}").json()
    assert got["relationshipId"] == rels[who[2]] and got["triage"]["by"] == f"user:{email}"
    r = approver.post(f"{URL}/app/w/{t.ws}/unmatched/{m2}", allow_redirects=False, timeout=30,
                      data={"csrf": csrf, "decision": "match", "relationship": "nobody@nowhere.example"})
    assert r.status_code == 422 and "No prospect" in r.text
    r = approver.post(f"{URL}/app/w/{t.ws}/unmatched/{m2}", allow_redirects=False, timeout=30,
                      data={"csrf": "wrong", "decision": "dismiss"})
    assert r.status_code == 403
    r = approver.post(f"{URL}/app/w/{t.ws}/unmatched/{m2}", allow_redirects=False, timeout=30,
                      data={"csrf": csrf, "decision": "dismiss"})
    assert r.status_code == 303
    r = approver.get(f"{URL}/app/w/{t.ws}/unmatched", timeout=30)
    assert m1 not in r.text and m2 not in r.text and "Nothing waits" in r.text
    # another workspace's page is not this user's
    assert approver.get(f"{URL}/app/w/{t.ws2}/unmatched", timeout=30).status_code in (403, 404)
