"""GET /v1/link-building/crm/relationship and /{id}: the CRM read side."""
import re
import urllib.parse

import pytest

from conftest import Tenant, assert_problem

CRM = "/v1/link-building/crm/relationship"
KEYS = ["id", "campaignId", "domain", "contactName", "contactEmail", "status", "linkUrl",
        "lastContactedAt", "lastReplyAt"]


def q(**params):
    return urllib.parse.urlencode(params)


@pytest.fixture(scope="module")
def crm():
    t = Tenant()
    a = t.campaign(name="A", prospects=[
        {"domain": "engineering-blog.com", "contactName": "Marina Keller", "contactEmail": "marina@engineering-blog.com"},
        {"domain": "devleadweekly.com", "contactName": "Oskar Okafor", "contactEmail": "oskar@devleadweekly.com"},
        {"domain": "shipfast.io", "contactName": "Priya 100%", "contactEmail": "priya_s@shipfast.io"},
    ])
    b = t.campaign(name="B", prospects=[
        {"domain": "engineering-blog.com", "contactName": "Jonas Moreau", "contactEmail": "jonas@engineering-blog.com"},
    ])
    other = t.campaign(ws=t.ws2, name="other", prospects=[
        {"domain": "engineering-blog.com", "contactName": "Hidden", "contactEmail": "hidden@engineering-blog.com"},
    ])
    return t, a, b, other


def test_list_shape(crm):
    t, a, b, _ = crm
    body = t.api.get(CRM).json()
    assert list(body.keys()) == ["data", "total", "nextCursor"]
    assert body["total"] == 4 and len(body["data"]) == 4
    for r in body["data"]:
        assert list(r.keys()) == KEYS
        assert re.fullmatch(r"rel_[A-Za-z0-9_-]{22}", r["id"])
        assert r["campaignId"] in (a, b)
        assert r["status"] == "awaiting_approval"  # each prospect's draft waits for approval
        assert r["linkUrl"] is None and r["lastContactedAt"] is None and r["lastReplyAt"] is None
    assert "Hidden" not in [r["contactName"] for r in body["data"]]


def test_filter_by_campaign(crm):
    t, a, b, other = crm
    assert t.api.get(CRM, query=q(campaignId=a)).json()["total"] == 3
    assert [r["contactName"] for r in t.api.get(CRM, query=q(campaignId=b)).json()["data"]] == ["Jonas Moreau"]
    # another workspace's campaign filters to nothing, like a missing one
    assert t.api.get(CRM, query=q(campaignId=other)).json() == {"data": [], "total": 0, "nextCursor": None}


def test_filter_by_domain(crm):
    t, *_ = crm
    got = t.api.get(CRM, query=q(domain="engineering-blog.com")).json()
    assert got["total"] == 2
    assert t.api.get(CRM, query=q(domain="ENGINEERING-blog.com")).json()["total"] == 2
    assert t.api.get(CRM, query=q(domain="blog.com")).json()["total"] == 0


def test_filter_by_status(crm, demo):
    t, *_ = crm
    assert t.api.get(CRM, query=q(status="awaiting_approval")).json()["total"] == 4
    assert t.api.get(CRM, query=q(status="prospect")).json()["total"] == 0
    assert t.api.get(CRM, query=q(status="replied,link_placed")).json()["total"] == 0
    placed = demo["api"].get(CRM, query=q(status="link_placed")).json()["data"]
    assert len(placed) == 5
    assert all(r["linkUrl"].startswith("https://") and r["lastReplyAt"] for r in placed)
    silent = demo["api"].get(CRM, query=q(status="no_response", limit=200)).json()
    assert silent["total"] > 0
    assert all(r["status"] == "no_response" and r["lastReplyAt"] is None for r in silent["data"])


def test_q_searches_name_and_email(crm):
    t, *_ = crm
    names = lambda query: sorted(r["contactName"] for r in t.api.get(CRM, query=q(q=query)).json()["data"])
    assert names("marina") == ["Marina Keller"]
    assert names("@engineering-blog") == ["Jonas Moreau", "Marina Keller"]
    assert names("100%") == ["Priya 100%"]
    assert names("_s@") == ["Priya 100%"]
    assert names("' OR 1=1 --") == []


def test_pagination(crm):
    t, *_ = crm
    seen, cursor = [], None
    while True:
        params = {"limit": 1}
        if cursor:
            params["cursor"] = cursor
        body = t.api.get(CRM, query=q(**params)).json()
        seen += [r["id"] for r in body["data"]]
        cursor = body["nextCursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 4


def test_get_relationship(crm):
    t, a, *_ = crm
    rel = t.api.get(CRM, query=q(campaignId=a, limit=1)).json()["data"][0]
    r = t.api.get(f"{CRM}/{rel['id']}")
    assert r.status_code == 200
    detail = r.json()
    messages = detail.pop("messages")
    assert detail == rel
    assert [(m["direction"], m["kind"], m["status"]) for m in messages] == [("outbound", "draft", "awaiting_approval")]


def test_other_workspace_relationship_is_404(crm):
    t, _, _, other = crm
    hidden = t.api2.get(CRM).json()["data"][0]["id"]
    assert_problem(t.api.get(f"{CRM}/{hidden}"), 404, "relationship_not_found")
    assert t.api2.get(f"{CRM}/{hidden}").status_code == 200


@pytest.mark.parametrize("query,param", [
    ("campaignId=rel_AAAAAAAAAAAAAAAAAAAAAA", "campaignId"), ("campaignId=", "campaignId"),
    ("domain=not a domain", "domain"), ("domain=", "domain"), ("domain=%ff", "domain"),
    ("status=lost", "status"), ("status=", "status"), ("limit=500", "limit"),
    ("cursor=zzz", "cursor"), ("sort=name", "sort"), ("q=%00", "q"),
])
def test_bad_parameters(demo, query, param):
    assert_problem(demo["api"].get(CRM, query=query), 400, "invalid_parameter", param=param)


@pytest.mark.parametrize("rid", ["rel_nope", "rel_AAAAAAAAAAAAAAAAAAAAAA", "scmp_AAAAAAAAAAAAAAAAAAAAAA"])
def test_unknown_relationship(demo, rid):
    assert_problem(demo["api"].get(f"{CRM}/{rid}"), 404, "relationship_not_found")


def everything(api, **params):
    """Pages through a CRM query to its end; returns (items, the first page's total)."""
    items, cursor, total = [], None, None
    while True:
        extra = {"cursor": cursor} if cursor else {}
        body = api.get(CRM, query=q(limit=7, **params, **extra)).json()
        total = body["total"] if total is None else total
        assert body["total"] == total  # the same on every page
        items += body["data"]
        cursor = body["nextCursor"]
        if cursor is None:
            return items, total


@pytest.mark.parametrize("params", [
    {}, {"status": "sent"}, {"status": "no_response"}, {"status": "sent,no_response,opened"},
    {"status": "prospect,awaiting_approval,scheduled"}, {"status": "replied,link_placed,declined"},
    {"status": "bounced,unsubscribed"}, {"domain": "engineering-blog.com"},
    {"domain": "engineering-blog.com", "status": "awaiting_approval"},
])
def test_totals_match_what_the_pages_hold(crm, demo, params):
    """Totals come from kept counts and status index ranges (not a count of every row):
    they must still be exactly what paging to the end yields, including no_response,
    which no write marks."""
    t, *_ = crm
    for api in (demo["api"], t.api):
        items, total = everything(api, **params)
        assert total == len(items), (params, total, len(items))
        assert len({r["id"] for r in items}) == len(items)
        if "status" in params:
            assert {r["status"] for r in items} <= set(params["status"].split(","))


def test_total_follows_new_prospects(crm):
    t, a, *_ = crm
    before = t.api.get(CRM).json()["total"]
    r = t.api.post(f"/v1/link-building/campaign/{a}/relationships",
                   headers={"Content-Type": "application/json"},
                   data='{"prospects": [{"domain": "newsite.example", "contactName": "New One", '
                        '"contactEmail": "new@newsite.example"}]}')
    assert r.status_code in (200, 201), r.text
    assert t.api.get(CRM).json()["total"] == before + 1
    assert t.api2.get(CRM).json()["total"] == 1  # the other workspace's count did not move
