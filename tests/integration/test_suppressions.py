"""Do-not-email (docs/suppressions.md): /v1/suppressions by address and by domain, the
workspace's list and the account's, CSV import and export, unsubscribe replies with the
domain policy, and the two checks — when a message is queued and when it is claimed."""
import json
import uuid

from conftest import Api, Tenant, assert_problem, sink_messages, sql, wait_for

JSON = {"Content-Type": "application/json"}
CAMPAIGN = "/v1/link-building/campaign"


def add(api, **body):
    return api.post("/v1/suppressions", headers=JSON, data=json.dumps(body))


def listed(api, scope="all"):
    out, cursor = [], None
    while True:
        q = f"scope={scope}&limit=2" + (f"&cursor={cursor}" if cursor else "")
        r = api.get("/v1/suppressions", query=q)
        assert r.status_code == 200, r.text
        out += r.json()["data"]
        cursor = r.json()["nextCursor"]
        if not cursor:
            return out


def campaign(api, prospects, **extra):
    tag = uuid.uuid4().hex[:8]
    body = {"type": "custom", "name": "dne " + tag, "targetUrl": "https://ours.example/x",
            "sender": f"outreach.{tag}@agency.example",
            "template": {"subject": "A guide", "body": "Hi {{contactFirstName}}"},
            "prospects": [{"domain": e.split("@")[1], "contactName": "Pat Doe", "contactEmail": e}
                          for e in prospects]}
    body.update(extra)
    r = api.post(CAMPAIGN, headers=JSON, data=json.dumps(body))
    assert r.status_code == 201, r.text
    return r.json()["id"], body["sender"]


def drafts(api, cid):
    r = api.get("/v1/approvals",
                query=f"campaignId={cid}&status=awaiting_approval,suppressed,scheduled,held,sent&limit=50")
    assert r.status_code == 200, r.text
    return {d["to"]: d for d in r.json()["data"]}


def test_add_list_delete_and_validation():
    t = Tenant()
    tag = uuid.uuid4().hex[:8]
    r = add(t.api, address=f"Ann.{tag}@Site.Example", reason="asked by phone")
    assert r.status_code == 201, r.text
    e = r.json()
    assert e == {"address": f"ann.{tag}@site.example", "kind": "address", "scope": "workspace",
                 "workspaceId": t.ws, "reason": "asked by phone", "source": "api",
                 "createdBy": e["createdBy"], "createdAt": e["createdAt"]}
    assert add(t.api, address=f"ann.{tag}@site.example").status_code == 200  # already listed
    r = add(t.api, domain=f"@Blocked-{tag}.Example.")
    assert r.status_code == 201 and r.json()["domain"] == f"blocked-{tag}.example", r.text

    for body, param in [({}, "address"), ({"address": "a@b.example", "domain": "b.example"}, "address"),
                        ({"address": "not an address"}, "address"), ({"domain": "nodot"}, "domain"),
                        ({"domain": "a@b.example"}, "domain"), ({"address": 5}, "address"),
                        ({"address": "x@y.example", "reason": "r" * 201}, "reason"),
                        ({"address": "x@y.example", "scope": "galaxy"}, "scope"),
                        ({"address": "x@y.example", "extra": 1}, "extra")]:
        assert_problem(add(t.api, **body), 422, "validation_failed", param=param)
    # the account's list is the agency's: a client's key cannot change it
    assert_problem(add(t.api, domain="agency-wide.example", scope="account"), 403, "forbidden")
    agency = Api(t.account_key, workspace=t.ws2)
    r = add(agency, domain=f"agency-{tag}.example", scope="account", reason="client request")
    assert r.status_code == 201 and r.json()["scope"] == "account" and r.json()["workspaceId"] is None

    mine = listed(t.api)
    assert {x.get("address") or x.get("domain") for x in mine} == {
        f"ann.{tag}@site.example", f"blocked-{tag}.example", f"agency-{tag}.example"}
    assert [x["scope"] for x in listed(t.api, "account")] == ["account"]
    assert len(listed(t.api, "workspace")) == 2
    # the other workspace sees the account's entry, not this workspace's
    assert [x["domain"] for x in listed(t.api2)] == [f"agency-{tag}.example"]
    # another agency sees nothing of it
    assert listed(Tenant().api) == []

    assert_problem(t.api.get("/v1/suppressions", query="scope=everything"), 400, "invalid_parameter",
                   param="scope")
    assert_problem(t.api.request("DELETE", "/v1/suppressions", query="address=nobody@x.example"),
                   404, "suppression_not_found")
    assert_problem(t.api.request("DELETE", "/v1/suppressions", query="address=bad"),
                   400, "invalid_parameter", param="address")
    assert_problem(t.api.request("DELETE", "/v1/suppressions",
                                 query=f"domain=agency-{tag}.example&scope=account"), 403, "forbidden")
    r = t.api.request("DELETE", "/v1/suppressions", query=f"address=ANN.{tag}@site.example")
    assert r.status_code == 204, r.text
    r = agency.request("DELETE", "/v1/suppressions", query=f"domain=agency-{tag}.example&scope=account")
    assert r.status_code == 204, r.text
    assert [x["domain"] for x in listed(t.api)] == [f"blocked-{tag}.example"]


def test_queued_mail_to_a_suppressed_address_or_domain_is_suppressed_not_sent():
    t = Tenant()
    tag = uuid.uuid4().hex[:8]
    blocked, agency_blocked, fine = (f"pat@dom-{tag}.example", f"lee@agency-{tag}.example",
                                     f"kim@fine-{tag}.example")
    assert add(t.api, domain=f"dom-{tag}.example").status_code == 201
    assert add(Api(t.account_key, workspace=t.ws), domain=f"agency-{tag}.example",
               scope="account").status_code == 201
    cid, _ = campaign(t.api, [blocked, agency_blocked, fine])
    d = drafts(t.api, cid)
    assert d[blocked]["status"] == "suppressed" and d[agency_blocked]["status"] == "suppressed"
    assert d[fine]["status"] == "awaiting_approval"
    # nothing reserved for the suppressed drafts: only the one that can go out
    assert t.api.get("/v1/credits", query="limit=1").json()["reserved"] == 2
    rel = {r["contactEmail"]: r["id"] for r in
           t.api.get("/v1/link-building/crm/relationship", query=f"campaignId={cid}").json()["data"]}
    assert_problem(t.api.post(f"{CAMPAIGN}/{cid}/send-email", headers=JSON,
                              data=json.dumps({"relationshipId": rel[agency_blocked], "subject": "s",
                                               "body": "b"})), 422, "recipient_suppressed")
    # the account's list holds in every workspace of the agency
    cid2, _ = campaign(t.api2, [agency_blocked])
    assert drafts(t.api2, cid2)[agency_blocked]["status"] == "suppressed"


def test_an_address_listed_while_its_mail_waits_is_never_sent():
    t = Tenant()
    approver = Api(t.approver_key)
    tag = uuid.uuid4().hex[:8]
    who = f"late.{tag}@later-{tag}.example"
    cid, _ = campaign(t.api, [who])
    draft = drafts(t.api, cid)[who]["id"]
    assert t.api.post(f"{CAMPAIGN}/{cid}/pause").status_code == 200
    assert approver.post(f"/v1/approvals/{draft}/approve").json()["status"] == "held"
    # the domain, listed after approval: the claim finds it
    assert add(t.api, domain=f"later-{tag}.example").status_code == 201
    assert t.api.post(f"{CAMPAIGN}/{cid}/resume").status_code == 200
    m = wait_for(lambda: (lambda x: x["status"] == "suppressed" and x)(
        t.api.get(f"/v1/approvals/{draft}").json()))
    assert m, t.api.get(f"/v1/approvals/{draft}").json()
    assert m["lastError"] == "recipient suppressed"
    assert not [x for raw, x in sink_messages() if x["X-Sink-Rcpt-To"] == who]
    c = t.api.get("/v1/credits", query="limit=1").json()
    assert c["reserved"] == 0 and c["balance"] == 1000


def test_csv_import_is_all_or_nothing_and_export_round_trips():
    t = Tenant()
    tag = uuid.uuid4().hex[:8]
    CSV = {"Content-Type": "text/csv"}
    good = (f"value,reason\r\na.{tag}@one.example,bounced elsewhere\r\n"
            f"@two-{tag}.example,\"competitor, do not contact\"\r\n\r\nB.{tag}@ONE.example,\r\n"
            f"x.{tag}@three.example,=HYPERLINK(\"http://evil.example\")\r\n")
    r = t.api.post("/v1/suppressions/import", headers=CSV, data=good.encode())
    assert r.status_code == 200, r.text
    assert r.json() == {"rows": 4, "added": 4, "alreadyListed": 0, "scope": "workspace"}
    r = t.api.post("/v1/suppressions/import", headers=CSV, data=good.encode())
    assert r.json()["added"] == 0 and r.json()["alreadyListed"] == 4

    bad = f"c.{tag}@four.example,ok\nnot-an-address@,x\n"
    r = t.api.post("/v1/suppressions/import", headers=CSV, data=bad.encode())
    body = assert_problem(r, 422, "validation_failed", param="body")
    assert body["line"] == 2
    assert f"c.{tag}@four.example" not in {x.get("address") for x in listed(t.api)}
    assert_problem(t.api.post("/v1/suppressions/import", headers=CSV, data=b'"open quote\n'),
                   422, "validation_failed", param="body")
    assert_problem(t.api.post("/v1/suppressions/import", headers=CSV, data=b"\xff\xfe,x\n"),
                   422, "validation_failed", param="body")
    assert_problem(t.api.post("/v1/suppressions/import", headers=JSON, data=b"{}"),
                   415, "unsupported_media_type")
    assert_problem(t.api.post("/v1/suppressions/import", headers=CSV, query="scope=account",
                              data=good.encode()), 403, "forbidden")

    r = t.api.get("/v1/suppressions/export")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    lines = r.text.split("\r\n")
    assert lines[0] == "value,kind,scope,workspace_id,reason,source,created_by,created_at"
    assert len([x for x in lines[1:] if x]) == 4
    assert any(x.startswith(f'"two-{tag}.example","domain","workspace","{t.ws}","competitor, do not contact","import"')
               for x in lines), lines
    # a reason a spreadsheet would run is written as text
    assert any('"\'=HYPERLINK(""http://evil.example"")"' in x for x in lines), lines
    # the other workspace of the agency exports none of it
    assert [x for x in t.api2.get("/v1/suppressions/export").text.split("\r\n")[1:] if x] == []


def test_unsubscribe_reply_lists_the_domain_when_the_policy_says_so():
    t = Tenant()
    tag = uuid.uuid4().hex[:8]
    corp, free = f"ed@corp-{tag}.example", f"ed.{tag}@gmail.com"
    r = t.api.request("PUT", "/v1/workspace/policy", headers=JSON,
                      data=json.dumps({"unsubscribeSuppressesDomain": True}))
    assert r.status_code == 200 and r.json()["unsubscribeSuppressesDomain"] is True
    campaign(t.api, [corp, free])
    for frm in (corp, free):
        raw = (f"From: Ed <{frm}>\r\nTo: outreach@agency.example\r\nSubject: Re: A guide\r\n"
               f"Message-ID: <{uuid.uuid4().hex}@x.example>\r\nDate: Thu, 26 Nov 2026 09:00:00 +0000\r\n"
               "Content-Type: text/plain\r\n\r\nPlease remove me from your list.\r\n")
        r = t.api.post("/v1/link-building/inbound", headers={"Content-Type": "message/rfc822"},
                       data=raw.encode())
        assert r.status_code == 201 and r.json()["class"] == "unsubscribe", r.text
    got = {(x.get("address") or x.get("domain")): x["source"] for x in listed(t.api)}
    # a shared provider's domain is never listed as a whole
    assert got == {corp: "unsubscribe_reply", f"corp-{tag}.example": "unsubscribe_reply",
                   free: "unsubscribe_reply"}


def test_the_claim_check_reads_the_index():
    """The claim's message read expands SUPPRESSED_SQL per message: each half is a lookup of
    the primary key (account, email), never a scan of the account's list."""
    plan = sql("EXPLAIN SELECT m.id, ((SELECT COUNT(*) FROM suppressions s WHERE s.account_id = "
               "w.account_id AND s.email = m.to_email AND s.workspace_id IN (0, m.workspace_id)) + "
               "(SELECT COUNT(*) FROM suppressions s WHERE s.account_id = w.account_id AND s.email = "
               "SUBSTRING_INDEX(m.to_email, '@', -1) AND s.workspace_id IN (0, m.workspace_id))) "
               "FROM outbound_messages m JOIN workspaces w ON w.id = m.workspace_id WHERE m.id IN (1, 2)")
    subs = [row for row in plan if row[2] == "s"]
    assert len(subs) == 2, plan
    for row in subs:
        assert row[5] == "PRIMARY" and int(row[6]) > 8, plan  # account_id and email


def test_hostile_imports_are_refused_whole():
    t = Tenant()
    CSV = {"Content-Type": "text/csv"}
    # one line over the reader's 64 KiB record limit
    r = t.api.post("/v1/suppressions/import", headers=CSV, data=b"a@b.example," + b"x" * 70000 + b"\n")
    assert_problem(r, 422, "validation_failed", param="body")
    # more than the API's body limit
    r = t.api.post("/v1/suppressions/import", headers=CSV, data=b"a@b.example,r\n" * 100000)
    assert r.status_code == 413, r.status_code
    # a NUL byte, a quote left open, an address with a space, a reason with a line break
    for body in (b"a@b.example\x00,r\n", b'"a@b.example,r\n', b"a b@c.example,r\n",
                 b'a@b.example,"two\nlines"\n'):
        assert_problem(t.api.post("/v1/suppressions/import", headers=CSV, data=body),
                       422, "validation_failed", param="body")
    assert listed(t.api) == []
