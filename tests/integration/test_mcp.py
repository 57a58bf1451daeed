"""The MCP server (SPEC §9): Streamable HTTP at POST /mcp and stdio in `linkcamp mcp`.

Every tool is compared with the API endpoint it stands for, on the same data: its
structuredContent must be the endpoint's JSON, its text the same JSON, and a refused call
the endpoint's problem with isError."""
import datetime as dt
import json
import os
import subprocess
import uuid

import pytest
import requests

from conftest import BIN, CONFIG, URL, Api, Tenant, assert_problem, cli

JSON = {"Content-Type": "application/json"}
CAMPAIGN = "/v1/link-building/campaign"
VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26"]
TOOLS = ["link_building_campaign_list", "link_building_campaign_get",
         "link_building_campaign_metrics", "link_building_campaign_toggle",
         "link_building_campaign_send_email", "link_building_campaign_respond",
         "link_building_crm_relationship_list", "link_building_inbound_list",
         "link_building_approval_list"]
DOTTED = ["link_building.campaign.list", "link_building.campaign.get",
          "link_building.campaign.metrics", "link_building.campaign.toggle",
          "link_building.campaign.send_email", "link_building.campaign.respond",
          "link_building.crm.relationship.list", "link_building.inbound.list",
          "link_building.approval.list"]


class Mcp(Api):
    """A Streamable HTTP client of /mcp: one POST per JSON-RPC message, with the key (and
    X-Workspace-Id) conftest's Api sends."""

    def __init__(self, key, workspace=None):
        super().__init__(key, workspace)
        self.next_id = 0

    def post(self, body, headers=None, key="default"):
        h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        h.update(headers or {})
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return self.request("POST", "/mcp", key=key, headers=h, data=data)

    def rpc(self, method, params=None, headers=None):
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            msg["params"] = params
        r = self.post(msg, headers=headers)
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"] == "application/json"
        body = r.json()
        assert body["jsonrpc"] == "2.0" and body["id"] == self.next_id, body
        return body

    def call(self, name, arguments=None):
        """Runs a tool; returns its result after checking the result's invariants."""
        params = {"name": name}
        if arguments is not None:
            params["arguments"] = arguments
        body = self.rpc("tools/call", params)
        assert "error" not in body, body
        return check_result(body["result"])


def check_result(res):
    """structuredContent is an object and content holds exactly its JSON as text."""
    assert isinstance(res["isError"], bool)
    assert isinstance(res["structuredContent"], dict)
    assert len(res["content"]) == 1 and res["content"][0]["type"] == "text"
    assert json.loads(res["content"][0]["text"]) == res["structuredContent"]
    return res


def ok(res):
    assert res["isError"] is False, res["structuredContent"]
    return res["structuredContent"]


def tool_problem(res, status, code, param=None):
    """A refused call: isError with the API's problem object."""
    assert res["isError"] is True, res
    p = res["structuredContent"]
    assert p["type"] == "about:blank" and p["status"] == status and p["code"] == code, p
    assert isinstance(p["title"], str) and isinstance(p["detail"], str) and p["detail"]
    assert p["requestId"]
    if param is not None:
        assert p.get("param") == param, p
    return p


def same_problem(res, api_response):
    """The tool's problem is the API's, but for the request id."""
    p = dict(res["structuredContent"])
    a = dict(api_response.json())
    p.pop("requestId")
    a.pop("requestId")
    assert res["isError"] is True
    assert p == a


def rpc_error(r, code, id_=None, http=200):
    assert r.status_code == http, r.text
    assert r.headers["Content-Type"] == "application/json"
    body = r.json()
    assert body["jsonrpc"] == "2.0" and body["id"] == id_ and "result" not in body, body
    assert body["error"]["code"] == code and isinstance(body["error"]["message"], str), body
    return body


def prospects(tag, *names):
    return [{"domain": f"{n}.example.org", "contactName": f"{n.title()} Prospect",
             "contactEmail": f"{n}.{tag}@example.org"} for n in names]


@pytest.fixture(scope="module")
def world():
    """A fresh workspace with a campaign of four prospects whose drafts await approval."""
    t = Tenant()
    tag = uuid.uuid4().hex[:8]
    cid = t.campaign(name="mcp " + tag, prospects=prospects(tag, "marina", "oskar", "priya",
                                                             "jonas"))
    rels = {r["contactName"].split()[0].lower(): r["id"]
            for r in t.api.get("/v1/link-building/crm/relationship",
                               query=f"campaignId={cid}").json()["data"]}
    return t, cid, rels, tag, Mcp(t.key)


@pytest.fixture(scope="module")
def mcp_demo():
    return Mcp(os.environ["LINKCAMP_API_KEY"])


# ---- the protocol ----

@pytest.mark.parametrize("asked,answered", [(v, v) for v in VERSIONS] +
                         [("2024-11-05", "2025-11-25"), ("1999-01-01", "2025-11-25")])
def test_initialize_negotiates_the_version(mcp_demo, asked, answered):
    body = mcp_demo.rpc("initialize", {"protocolVersion": asked, "capabilities": {},
                                       "clientInfo": {"name": "pytest", "version": "1"}})
    res = body["result"]
    assert res["protocolVersion"] == answered
    assert res["serverInfo"]["name"] == "linkcamp" and res["serverInfo"]["version"]
    assert "tools" in res["capabilities"]


def test_ping_and_initialized_notification(mcp_demo):
    assert mcp_demo.rpc("ping")["result"] == {}
    r = mcp_demo.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
    assert r.status_code == 202 and r.content == b""
    # a response from the client (to a request we never sent) is accepted the same way
    r = mcp_demo.post({"jsonrpc": "2.0", "id": "x", "result": {}})
    assert r.status_code == 202 and r.content == b""


def test_tools_list_names_schemas_and_hints(mcp_demo):
    tools = mcp_demo.rpc("tools/list")["result"]["tools"]
    assert [t["name"] for t in tools] == TOOLS
    hints = {t["name"]: t["annotations"] for t in tools}
    for t in tools:
        assert t["description"] and t["title"]
        assert t["inputSchema"]["type"] == "object"
        assert t["inputSchema"]["additionalProperties"] is False
        assert t["outputSchema"]["type"] == "object"
        for h in ("readOnlyHint", "destructiveHint", "idempotentHint"):
            assert isinstance(t["annotations"][h], bool)
    for name in TOOLS:
        read = name.endswith(("_list", "_get", "_metrics"))
        assert hints[name]["readOnlyHint"] is read, name
        if read:
            assert hints[name]["destructiveHint"] is False and hints[name]["idempotentHint"]
    for name in ("link_building_campaign_send_email", "link_building_campaign_respond"):
        assert hints[name]["idempotentHint"] is False
    assert hints["link_building_campaign_toggle"]["destructiveHint"] is False
    toggle = [t for t in tools if t["name"] == "link_building_campaign_toggle"][0]
    assert toggle["inputSchema"]["properties"]["action"]["enum"] == ["pause", "resume"]
    assert set(toggle["inputSchema"]["required"]) == {"campaignId", "action"}


def test_arguments_too_long_for_a_query_are_a_tool_error(mcp_demo):
    # 300,000 "é" are 600 KB of UTF-8 JSON but 1.8 MB once URL-encoded: more than any query
    msg = {"jsonrpc": "2.0", "id": 99, "method": "tools/call",
           "params": {"name": "link_building_campaign_list", "arguments": {"q": "\u00e9" * 300000}}}
    r = mcp_demo.post(json.dumps(msg, ensure_ascii=False).encode())
    assert r.status_code == 200, r.text[:300]
    tool_problem(check_result(r.json()["result"]), 400, "invalid_parameter", param="q")
    res = mcp_demo.call("link_building_campaign_list", {"q": "x" * 20000})
    assert res["isError"] is True and res["structuredContent"]["status"] == 400, res


def test_jsonrpc_errors(mcp_demo):
    m = mcp_demo
    rpc_error(m.post({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                      "params": {"name": "no_such_tool", "arguments": {}}}), -32602, 1)
    rpc_error(m.post({"jsonrpc": "2.0", "id": "a", "method": "tools/call",
                      "params": {"arguments": {}}}), -32602, "a")
    rpc_error(m.post({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                      "params": {"name": "link_building_campaign_list", "arguments": [1]}}),
              -32602, 2)
    rpc_error(m.post({"jsonrpc": "2.0", "id": 3, "method": "resources/list"}), -32601, 3)
    rpc_error(m.post({"jsonrpc": "2.0", "id": 4, "method": "initialize", "params": {}}),
              -32602, 4)
    rpc_error(m.post(b'{"jsonrpc": "2.0", "id": 5, "method": '), -32700, None, http=400)
    rpc_error(m.post(b"\xff\xfe"), -32700, None, http=400)
    rpc_error(m.post(b'{"jsonrpc":"2.0","id":6,"id":7,"method":"ping"}'), -32700, None, http=400)
    rpc_error(m.post([{"jsonrpc": "2.0", "id": 8, "method": "ping"}]), -32600, None, http=400)
    rpc_error(m.post({"id": 9, "method": "ping"}), -32600, 9, http=400)
    rpc_error(m.post({"jsonrpc": "2.0", "id": None, "method": "ping"}), -32600, None, http=400)
    rpc_error(m.post({"jsonrpc": "2.0", "id": 10, "method": "ping", "params": [1]}), -32600, 10,
              http=400)
    rpc_error(m.post(b"42"), -32600, None, http=400)


# ---- the transport ----

def test_http_checks(mcp_demo):
    init = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    r = requests.get(URL + "/mcp", headers={"Authorization": "Bearer " + mcp_demo.key},
                     timeout=10)
    assert_problem(r, 405, "method_not_allowed")
    assert r.headers["Allow"] == "POST"
    r = requests.delete(URL + "/mcp", headers={"Authorization": "Bearer " + mcp_demo.key},
                        timeout=10)
    assert_problem(r, 405, "method_not_allowed")
    assert r.headers["Allow"] == "POST"
    r = mcp_demo.post(init, key=None)
    assert_problem(r, 401, "unauthorized")
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert_problem(mcp_demo.post(init, key="lck_not_a_real_key"), 401, "unauthorized")
    assert_problem(mcp_demo.post(init, headers={"Origin": "https://evil.example"}), 403,
                   "forbidden")
    assert_problem(mcp_demo.post(init, headers={"Origin": "null"}), 403, "forbidden")
    assert mcp_demo.post(init, headers={"Origin": URL}).status_code == 200
    assert_problem(mcp_demo.post(init, headers={"MCP-Protocol-Version": "2024-11-05"}), 400,
                   "invalid_parameter", param="MCP-Protocol-Version")
    for v in VERSIONS:
        assert mcp_demo.post(init, headers={"MCP-Protocol-Version": v}).status_code == 200
    assert_problem(mcp_demo.post(init, headers={"Content-Type": "text/plain"}), 415,
                   "unsupported_media_type")
    assert_problem(mcp_demo.post(b"x" * (1024 * 1024 + 1)), 413, "payload_too_large")
    # a foreign Origin is refused before the key is even looked at
    assert_problem(mcp_demo.post(init, key=None, headers={"Origin": "https://evil.example"}),
                   403, "forbidden")


def test_agency_key_names_the_workspace(demo):
    account = Mcp(os.environ["LINKCAMP_ACCOUNT_KEY"], workspace=demo["workspace"])
    got = ok(account.call("link_building_campaign_list", {}))
    assert got == demo["api"].get(CAMPAIGN).json()
    assert_problem(Mcp(os.environ["LINKCAMP_ACCOUNT_KEY"]).post(
        {"jsonrpc": "2.0", "id": 1, "method": "ping"}), 400, "invalid_parameter",
        param="X-Workspace-Id")
    other = Mcp(os.environ["LINKCAMP_API_KEY"], workspace=demo["other_workspace"])
    assert_problem(other.post({"jsonrpc": "2.0", "id": 1, "method": "ping"}), 403, "forbidden")


# ---- the tools, each against its endpoint ----

def test_campaign_reads_match_the_api(mcp_demo, demo):
    api, cid = demo["api"], demo["campaign"]
    assert ok(mcp_demo.call("link_building_campaign_list")) == api.get(CAMPAIGN).json()
    got = ok(mcp_demo.call("link_building_campaign_list",
                           {"type": ["serp", "competitor"], "status": "active",
                            "since": "2020-05-01T00:00:00Z", "limit": 2}))
    want = api.get(CAMPAIGN, query="type=serp,competitor&status=active"
                   "&since=2020-05-01T00:00:00Z&limit=2").json()
    assert got == want
    if want["nextCursor"]:
        nxt = ok(mcp_demo.call("link_building_campaign_list",
                               {"type": "serp,competitor", "status": ["active"], "limit": 2,
                                "cursor": want["nextCursor"]}))
        assert nxt == api.get(CAMPAIGN, query="type=serp,competitor&status=active&limit=2"
                              f"&cursor={want['nextCursor']}").json()
    assert ok(mcp_demo.call("link_building_campaign_list", {"q": "PM software"})) == \
        api.get(CAMPAIGN, query="q=PM%20software").json()
    assert ok(mcp_demo.call("link_building_campaign_get", {"campaignId": cid})) == \
        api.get(f"{CAMPAIGN}/{cid}").json()
    metrics = ok(mcp_demo.call("link_building_campaign_metrics", {"campaignId": cid}))
    assert metrics == api.get(f"{CAMPAIGN}/{cid}/metrics").json()
    assert metrics["summary"]["replyRate"] == 0.36  # the reference's numbers


def test_lists_match_the_api(world):
    t, cid, rels, tag, mcp = world
    crm = "/v1/link-building/crm/relationship"
    assert ok(mcp.call("link_building_crm_relationship_list")) == t.api.get(crm).json()
    got = ok(mcp.call("link_building_crm_relationship_list", {"q": "marina"}))
    assert [r["id"] for r in got["data"]] == [rels["marina"]]
    assert got == t.api.get(crm, query="q=marina").json()
    got = ok(mcp.call("link_building_crm_relationship_list",
                      {"domain": "oskar.example.org", "campaignId": cid,
                       "status": ["awaiting_approval", "prospect"]}))
    assert [r["id"] for r in got["data"]] == [rels["oskar"]]
    assert got == t.api.get(crm, query=f"domain=oskar.example.org&campaignId={cid}"
                            "&status=awaiting_approval,prospect").json()
    got = ok(mcp.call("link_building_crm_relationship_list", {"q": f"priya.{tag}@example.org"}))
    assert [r["id"] for r in got["data"]] == [rels["priya"]]
    # the approval queue: pending by default, filters as the API's
    got = ok(mcp.call("link_building_approval_list"))
    assert got == t.api.get("/v1/approvals").json() and got["total"] == 4
    got = ok(mcp.call("link_building_approval_list",
                      {"status": "pending", "kind": ["draft"], "campaignId": cid, "limit": 3}))
    assert got == t.api.get("/v1/approvals",
                            query=f"status=pending&kind=draft&campaignId={cid}&limit=3").json()
    # inbound mail: one unmatched message posted through the API
    raw = (f"From: Someone <someone.{tag}@elsewhere.example>\r\nTo: us@agency.example\r\n"
           f"Subject: hello\r\nMessage-ID: <{tag}@elsewhere.example>\r\n\r\nHi!\r\n")
    assert t.api.post("/v1/link-building/inbound", data=raw.encode(),
                      headers={"Content-Type": "message/rfc822"}).status_code == 201
    got = ok(mcp.call("link_building_inbound_list"))
    assert got == t.api.get("/v1/link-building/inbound").json() and got["total"] == 1
    got = ok(mcp.call("link_building_inbound_list", {"matched": False, "class": ["reply"]}))
    assert got == t.api.get("/v1/link-building/inbound", query="matched=false&class=reply").json()
    assert ok(mcp.call("link_building_inbound_list", {"matched": True}))["total"] == 0


def test_toggle_pauses_and_resumes(world):
    t, cid, rels, tag, mcp = world
    got = ok(mcp.call("link_building_campaign_toggle",
                      {"campaignId": cid, "action": "pause", "reason": "Need to revisit messaging"}))
    assert got["status"] == "paused" and got["pauseReason"] == "Need to revisit messaging"
    assert got == t.api.get(f"{CAMPAIGN}/{cid}").json()
    res = mcp.call("link_building_campaign_toggle", {"campaignId": cid, "action": "pause"})
    tool_problem(res, 409, "already_paused")
    same_problem(res, t.api.post(f"{CAMPAIGN}/{cid}/pause"))
    got = ok(mcp.call("link_building.campaign.toggle", {"campaignId": cid, "action": "resume"}))
    assert got["status"] == "active" and got == t.api.get(f"{CAMPAIGN}/{cid}").json()
    res = mcp.call("link_building_campaign_toggle", {"campaignId": cid, "action": "resume"})
    tool_problem(res, 409, "already_active")
    same_problem(res, t.api.post(f"{CAMPAIGN}/{cid}/resume"))
    tool_problem(mcp.call("link_building_campaign_toggle", {"campaignId": cid, "action": "stop"}),
                 422, "validation_failed", param="action")
    tool_problem(mcp.call("link_building_campaign_toggle", {"campaignId": cid}),
                 422, "validation_failed", param="action")
    res = mcp.call("link_building_campaign_toggle",
                   {"campaignId": cid, "action": "pause", "reason": "x" * 501})
    tool_problem(res, 422, "validation_failed", param="reason")
    same_problem(res, t.api.post(f"{CAMPAIGN}/{cid}/pause", headers=JSON,
                                 data=json.dumps({"reason": "x" * 501})))
    assert t.api.get(f"{CAMPAIGN}/{cid}").json()["status"] == "active"
    # an ended campaign: the API's 422
    ended = t.campaign(name="ended " + tag)
    assert t.api.post(f"{CAMPAIGN}/{ended}/cancel").status_code == 200
    tool_problem(mcp.call("link_building_campaign_toggle", {"campaignId": ended, "action": "pause"}),
                 422, "invalid_state_transition")


def credits(api):
    c = api.get("/v1/credits", query="limit=1").json()
    return {k: c[k] for k in ("balance", "reserved", "available")}


def test_send_email_waits_for_approval_and_reserves_credits(world):
    t, cid, rels, tag, mcp = world
    before = credits(t.api)
    got = ok(mcp.call("link_building_campaign_send_email", {
        "campaignId": cid, "relationshipId": rels["marina"],
        "subject": "Quick follow-up on my earlier note", "body": "Hi Marina, just checking in ...",
        "scheduleAt": "now"}))
    inv = got["invocation"]
    assert inv["action"] == "link_building.campaign.send_email"
    assert inv["status"] == "awaiting_approval" and inv["creditsReserved"] == 2
    assert inv["creditsCharged"] == 0 and got["event"] is None
    assert inv["approvalUrl"].endswith(f"/approvals/{inv['message']['id']}")
    assert got == t.api.get(f"/v1/invocations/{inv['id']}").json()
    after = credits(t.api)
    assert after["reserved"] == before["reserved"] + 2 and after["balance"] == before["balance"]
    item = t.api.get(f"/v1/approvals/{inv['message']['id']}").json()
    assert item["kind"] == "send_email" and item["status"] == "awaiting_approval"
    assert item["to"] == f"marina.{tag}@example.org" and item["invocationId"] == inv["id"]
    assert item["requestedBy"] == f"key:{t.ws}"  # as the API records a workspace key


def test_send_email_idempotency_key(world):
    t, cid, rels, tag, mcp = world
    args = {"campaignId": cid, "relationshipId": rels["priya"], "subject": "once " + tag,
            "body": "Only once, please.", "idempotencyKey": "mcp-" + tag}
    before = credits(t.api)
    first = ok(mcp.call("link_building_campaign_send_email", args))
    again = mcp.call("link_building_campaign_send_email", args)
    assert ok(again) == first
    assert credits(t.api)["reserved"] == before["reserved"] + 2
    # the same key with other arguments is the API's 422
    tool_problem(mcp.call("link_building_campaign_send_email", dict(args, body="other")), 422,
                 "idempotency_key_reused", param="Idempotency-Key")
    tool_problem(mcp.call("link_building_campaign_send_email", dict(args, idempotencyKey=5)), 422,
                 "validation_failed", param="idempotencyKey")


def test_send_email_follows_the_policy_and_credits():
    t = Tenant()
    tag = uuid.uuid4().hex[:8]
    r = t.api.request("PUT", "/v1/workspace/policy", headers=JSON,
                      data=json.dumps({"approval": {"sendEmail": "auto"}}))
    assert r.status_code == 200, r.text
    cid = t.campaign(name="auto " + tag, prospects=prospects(tag, "ann"))
    rel = t.api.get("/v1/link-building/crm/relationship").json()["data"][0]["id"]
    mcp = Mcp(t.key)
    later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)).replace(microsecond=0)
    local = later.astimezone(dt.timezone(dt.timedelta(hours=-4)))
    got = ok(mcp.call("link_building_campaign_send_email", {
        "campaignId": cid, "relationshipId": rel, "subject": "Hi", "body": "Hello",
        "scheduleAt": local.isoformat()}))
    assert got["invocation"]["status"] == "scheduled" and got["invocation"]["approvalUrl"] is None
    assert got["invocation"]["message"]["scheduleAt"] == later.strftime("%Y-%m-%dT%H:%M:%SZ")
    # no credits left: the API's 402 with required/available
    poor = cli("workspace", "create", t.account, "Poor " + tag)
    key = cli("key", "create", t.account, "--workspace", poor)
    cli("credits", "grant", poor, "2")
    pcid = t.campaign(ws=poor, prospects=prospects(tag, "only"))  # its draft takes the 2 credits
    prel = Api(key).get("/v1/link-building/crm/relationship").json()["data"][0]["id"]
    args = {"campaignId": pcid, "relationshipId": prel, "subject": "Hi", "body": "Hello"}
    res = Mcp(key).call("link_building_campaign_send_email", args)
    p = tool_problem(res, 402, "insufficient_credits")
    assert p["required"] == 2 and p["available"] == 0
    same_problem(res, Api(key).post(f"{CAMPAIGN}/{pcid}/send-email", headers=JSON, data=json.dumps(
        {k: v for k, v in args.items() if k != "campaignId"})))


def test_respond_through_mcp(world):
    t, cid, rels, tag, mcp = world
    raw = (f"From: Jonas <jonas.{tag}@example.org>\r\nTo: sam@agency.example\r\n"
           f"Subject: your guide\r\nMessage-ID: <jonas.{tag}@example.org>\r\n\r\n"
           "Looks great, send me the link!\r\n")
    r = t.api.post("/v1/link-building/inbound", data=raw.encode(),
                   headers={"Content-Type": "message/rfc822"})
    assert r.status_code == 201, r.text
    msg = r.json()
    assert msg["relationshipId"] == rels["jonas"], msg
    before = credits(t.api)
    got = ok(mcp.call("link_building.campaign.respond", {
        "inboundMessageId": msg["id"], "body": "Thanks Jonas — here it is.", "scheduleAt": "now"}))
    inv = got["invocation"]
    assert inv["action"] == "link_building.campaign.respond"
    assert inv["status"] == "awaiting_approval" and inv["creditsReserved"] == 2
    assert credits(t.api)["reserved"] == before["reserved"] + 2
    item = t.api.get(f"/v1/approvals/{inv['message']['id']}").json()
    assert item["kind"] == "respond" and item["subject"] == "Re: your guide"
    res = mcp.call("link_building_campaign_respond",
                   {"inboundMessageId": "msg_AAAAAAAAAAAAAAAAAAAAAA", "body": "x"})
    tool_problem(res, 404, "inbound_message_not_found")
    same_problem(res, t.api.post(f"{CAMPAIGN}/respond", headers=JSON, data=json.dumps(
        {"inboundMessageId": "msg_AAAAAAAAAAAAAAAAAAAAAA", "body": "x"})))


@pytest.mark.parametrize("tool,args,status,code,param,api", [
    ("link_building_campaign_get", {"campaignId": "scmp_AAAAAAAAAAAAAAAAAAAAAA"}, 404,
     "campaign_not_found", None, ("GET", f"{CAMPAIGN}/scmp_AAAAAAAAAAAAAAAAAAAAAA", None, None)),
    ("link_building_campaign_metrics", {"campaignId": "nope"}, 404, "campaign_not_found", None,
     ("GET", f"{CAMPAIGN}/nope/metrics", None, None)),
    ("link_building_campaign_get", {"campaignId": "../../approvals"}, 404, "campaign_not_found",
     None, None),
    ("link_building_campaign_get", {}, 422, "validation_failed", "campaignId", None),
    ("link_building_campaign_get", {"campaignId": 7}, 422, "validation_failed", "campaignId", None),
    ("link_building_campaign_list", {"status": "running"}, 400, "invalid_parameter", "status",
     ("GET", CAMPAIGN, "status=running", None)),
    ("link_building_campaign_list", {"limit": 0}, 400, "invalid_parameter", "limit",
     ("GET", CAMPAIGN, "limit=0", None)),
    ("link_building_campaign_list", {"limit": "many"}, 400, "invalid_parameter", "limit",
     ("GET", CAMPAIGN, "limit=many", None)),
    ("link_building_campaign_list", {"since": "yesterday"}, 400, "invalid_parameter", "since",
     ("GET", CAMPAIGN, "since=yesterday", None)),
    ("link_building_campaign_list", {"owner": "me"}, 400, "invalid_parameter", "owner",
     ("GET", CAMPAIGN, "owner=me", None)),
    ("link_building_campaign_list", {"limit": 1.5}, 400, "invalid_parameter", "limit", None),
    ("link_building_campaign_list", {"type": {"a": 1}}, 400, "invalid_parameter", "type", None),
    ("link_building_crm_relationship_list", {"domain": "not a domain"}, 400, "invalid_parameter",
     "domain", ("GET", "/v1/link-building/crm/relationship", "domain=not%20a%20domain", None)),
    ("link_building_inbound_list", {"matched": "maybe"}, 400, "invalid_parameter", "matched",
     ("GET", "/v1/link-building/inbound", "matched=maybe", None)),
    ("link_building_approval_list", {"kind": "spam"}, 400, "invalid_parameter", "kind",
     ("GET", "/v1/approvals", "kind=spam", None)),
    ("link_building_campaign_send_email", {"campaignId": "CID", "relationshipId": "REL",
                                           "body": "b"}, 422, "validation_failed", "subject",
     ("POST", f"{CAMPAIGN}/CID/send-email", None, {"relationshipId": "REL", "body": "b"})),
    ("link_building_campaign_send_email", {"campaignId": "CID", "relationshipId": "REL",
                                           "subject": "a\r\nBcc: x@y.example", "body": "b"},
     422, "validation_failed", "subject",
     ("POST", f"{CAMPAIGN}/CID/send-email", None, {"relationshipId": "REL",
                                                     "subject": "a\r\nBcc: x@y.example",
                                                     "body": "b"})),
    ("link_building_campaign_send_email", {"campaignId": "CID", "relationshipId": "REL",
                                           "subject": "s", "body": "b", "cc": "x"},
     422, "validation_failed", "cc",
     ("POST", f"{CAMPAIGN}/CID/send-email", None, {"relationshipId": "REL", "subject": "s",
                                                     "body": "b", "cc": "x"})),
    ("link_building_campaign_send_email", {"campaignId": "CID", "relationshipId": "REL",
                                           "subject": "s", "body": "b", "scheduleAt": "soon"},
     422, "validation_failed", "scheduleAt",
     ("POST", f"{CAMPAIGN}/CID/send-email", None, {"relationshipId": "REL", "subject": "s",
                                                     "body": "b", "scheduleAt": "soon"})),
    ("link_building_campaign_send_email", {"campaignId": "CID",
                                           "relationshipId": "rel_AAAAAAAAAAAAAAAAAAAAAA",
                                           "subject": "s", "body": "b"},
     404, "relationship_not_found", None,
     ("POST", f"{CAMPAIGN}/CID/send-email", None, {"relationshipId": "rel_AAAAAAAAAAAAAAAAAAAAAA",
                                                     "subject": "s", "body": "b"})),
    ("link_building_campaign_respond", {"body": "x"}, 422, "validation_failed", "inboundMessageId",
     ("POST", f"{CAMPAIGN}/respond", None, {"body": "x"})),
])
def test_tool_errors_are_the_api_problems(world, tool, args, status, code, param, api):
    t, cid, rels, tag, mcp = world

    def fill(v):
        if isinstance(v, str):
            return v.replace("CID", cid).replace("REL", rels["oskar"])
        if isinstance(v, dict):
            return {k: fill(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [fill(x) for x in v]
        return v

    res = mcp.call(tool, fill(args))
    tool_problem(res, status, code, param)
    if api:
        method, path, query, body = fill(api)
        r = t.api.request(method, path, query=query, headers=JSON if body is not None else None,
                          data=json.dumps(body) if body is not None else None)
        same_problem(res, r)


def test_other_workspace_is_not_found(world, demo):
    t, cid, rels, tag, mcp = world
    tool_problem(Mcp(os.environ["LINKCAMP_API_KEY"]).call(
        "link_building_campaign_get", {"campaignId": cid}), 404, "campaign_not_found")
    tool_problem(mcp.call("link_building_campaign_toggle",
                          {"campaignId": demo["campaign"], "action": "pause"}),
                 404, "campaign_not_found")


def test_dotted_names_are_accepted(world):
    t, cid, rels, tag, mcp = world
    for dotted, name in zip(DOTTED, TOOLS):
        body = mcp.rpc("tools/call", {"name": dotted, "arguments": {}})
        assert "result" in body, (dotted, body)
        plain = mcp.rpc("tools/call", {"name": name, "arguments": {}})
        # same tool, same answer (the reads at least; writes refuse {} alike)
        a, b = body["result"]["structuredContent"], plain["result"]["structuredContent"]
        a.pop("requestId", None)
        b.pop("requestId", None)
        assert a == b, dotted


# ---- stdio ----

def stdio(messages, env_extra=None, key=None):
    env = dict(os.environ)
    env["LINKCAMP_API_KEY"] = key if key is not None else os.environ["LINKCAMP_API_KEY"]
    env.pop("LINKCAMP_WORKSPACE_ID", None)
    env.update(env_extra or {})
    text = "".join((m if isinstance(m, str) else json.dumps(m)) + "\n" for m in messages)
    return subprocess.run([os.path.join(BIN, "linkcamp"), "-c", CONFIG, "mcp"], input=text,
                          capture_output=True, text=True, timeout=60, env=env)


def test_stdio_session(demo):
    cid = demo["campaign"]
    p = stdio([
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                    "clientInfo": {"name": "pytest", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
         "params": {"name": "link_building_campaign_get", "arguments": {"campaignId": cid}}},
        "",
        "not json",
        {"jsonrpc": "2.0", "id": "4", "method": "tools/call",
         "params": {"name": "link_building.campaign.metrics", "arguments": {"campaignId": cid}}},
        {"jsonrpc": "2.0", "id": 5, "method": "tools/call",
         "params": {"name": "nope", "arguments": {}}},
    ])
    assert p.returncode == 0, p.stderr
    lines = p.stdout.split("\n")
    assert lines[-1] == ""  # every answer ends with a newline
    answers = [json.loads(line) for line in lines[:-1]]
    assert all(a["jsonrpc"] == "2.0" for a in answers)
    assert [a["id"] for a in answers] == [1, 2, 3, None, "4", 5]
    assert answers[0]["result"]["protocolVersion"] == "2025-06-18"
    assert [t["name"] for t in answers[1]["result"]["tools"]] == TOOLS
    assert check_result(answers[2]["result"])["structuredContent"] == \
        demo["api"].get(f"{CAMPAIGN}/{cid}").json()
    assert answers[3]["error"]["code"] == -32700
    assert ok(check_result(answers[4]["result"])) == \
        demo["api"].get(f"{CAMPAIGN}/{cid}/metrics").json()
    assert answers[5]["error"]["code"] == -32602


def test_stdio_dotted_names_switch():
    p = stdio([{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}],
              env_extra={"LINKCAMP_MCP_DOTTED_NAMES": "yes"})
    assert p.returncode == 0, p.stderr
    assert [t["name"] for t in json.loads(p.stdout)["result"]["tools"]] == DOTTED
    p = stdio([{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}],
              env_extra={"LINKCAMP_MCP_DOTTED_NAMES": "no"})
    assert [t["name"] for t in json.loads(p.stdout)["result"]["tools"]] == TOOLS


def test_stdio_refuses_a_bad_key_without_writing_stdout():
    p = stdio([{"jsonrpc": "2.0", "id": 1, "method": "ping"}], key="lck_wrong")
    assert p.returncode == 77 and p.stdout == "" and "refused" in p.stderr
    p = stdio([{"jsonrpc": "2.0", "id": 1, "method": "ping"}], key="")
    assert p.returncode == 77 and p.stdout == "" and "LINKCAMP_API_KEY" in p.stderr


def test_stdio_ends_at_eof_and_agency_key_needs_workspace(demo):
    p = stdio([])
    assert p.returncode == 0 and p.stdout == ""
    p = stdio([{"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": {"name": "link_building_campaign_list"}}],
              key=os.environ["LINKCAMP_ACCOUNT_KEY"],
              env_extra={"LINKCAMP_WORKSPACE_ID": demo["workspace"]})
    assert p.returncode == 0, p.stderr
    assert ok(check_result(json.loads(p.stdout)["result"])) == demo["api"].get(CAMPAIGN).json()
    p = stdio([], key=os.environ["LINKCAMP_ACCOUNT_KEY"])
    assert p.returncode == 77 and p.stdout == ""


def test_stdio_drops_an_over_long_line_and_reads_every_byte():
    """A line over 1 MiB is answered with a parse error and dropped, not held; a NUL byte
    is part of the message (so JSON before it does not pass); the last line may lack its
    newline."""
    ping = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "ping"})
    text = "x" * (2 * 1024 * 1024) + "\n" + ping + "\0garbage\n" + ping
    env = dict(os.environ)
    env.pop("LINKCAMP_WORKSPACE_ID", None)
    p = subprocess.run([os.path.join(BIN, "linkcamp"), "-c", CONFIG, "mcp"], input=text.encode(),
                       capture_output=True, timeout=60, env=env)
    assert p.returncode == 0, p.stderr
    answers = [json.loads(line) for line in p.stdout.decode().splitlines()]
    assert [a.get("id") for a in answers] == [None, None, 7], answers
    assert answers[0]["error"]["code"] == -32700 and "1 MiB" in answers[0]["error"]["message"]
    assert answers[1]["error"]["code"] == -32700
    assert answers[2]["result"] == {}


# ---- hostile input ----

def test_random_hostile_messages_never_5xx(world):
    """A seeded walk of mutated JSON-RPC messages and tool arguments: every answer is a
    JSON-RPC answer (200/400), a 202, or a problem; never a 5xx or a JSON-RPC internal
    error."""
    import random

    t, cid, rels, tag, mcp = world
    rnd = random.Random(9)
    values = [None, True, False, 0, -1, 2 ** 63 - 1, 1.5, "", "x" * 3000, "\u0000", "é",
              "scmp_" + "A" * 22, cid, rels["oskar"], "../..", "%2e%2e", "a&b=c", "a,b,,", [],
              ["serp", 3], [cid], {}, {"a": {"b": [1]}}, "now", "2026-01-01T00:00:00+99:00"]
    keys = ["campaignId", "action", "reason", "relationshipId", "subject", "body", "scheduleAt",
            "idempotencyKey", "inboundMessageId", "type", "status", "since", "q", "limit",
            "cursor", "domain", "class", "matched", "kind", "x", "", "a b", "limit&x"]
    methods = ["tools/call", "tools/list", "initialize", "ping", "nope", "", "notifications/x"]
    for i in range(400):
        msg = {"jsonrpc": rnd.choice(["2.0", "2.0", "2.0", "1.0", 2]),
               "id": rnd.choice([i, str(i), None, 1.5, [], {}]),
               "method": rnd.choice(methods)}
        if rnd.random() < 0.1:
            del msg["id"]
        if msg["method"] == "tools/call" or rnd.random() < 0.2:
            args = {rnd.choice(keys): rnd.choice(values) for _ in range(rnd.randint(0, 5))}
            msg["params"] = {"name": rnd.choice(TOOLS + DOTTED + ["x"]), "arguments": args}
            if rnd.random() < 0.1:
                msg["params"] = rnd.choice(values)
        elif msg["method"] == "initialize":
            msg["params"] = {"protocolVersion": rnd.choice(VERSIONS + ["x", 1, None])}
        data = json.dumps(msg).encode()
        if rnd.random() < 0.15:
            data = bytearray(data)
            for _ in range(rnd.randint(1, 4)):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
            data = bytes(data)
        r = mcp.post(data)
        assert r.status_code in (200, 202, 400), (data, r.status_code, r.text)
        if r.status_code == 202:
            assert r.content == b""
            continue
        body = r.json()
        assert body["jsonrpc"] == "2.0", body
        if "error" in body:
            assert body["error"]["code"] in (-32700, -32600, -32601, -32602), (data, body)
        else:
            res = body["result"]
            if "structuredContent" in res:
                check_result(res)
                if res["isError"]:
                    assert res["structuredContent"]["status"] < 500, (data, res)
    # the campaign is whatever the walk left it in, but still readable and consistent
    assert ok(mcp.call("link_building_campaign_get", {"campaignId": cid})) == \
        t.api.get(f"{CAMPAIGN}/{cid}").json()
