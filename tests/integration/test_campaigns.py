"""GET /v1/link-building/campaign, /{id} and /{id}/metrics."""
import datetime as dt
import re
import urllib.parse

import pytest

from conftest import Tenant, assert_problem

LIST = "/v1/link-building/campaign"
# the reference's item fields, then the metrics' three rates (README: no division needed)
ITEM_KEYS = ["id", "type", "name", "createdAt", "status", "draftsCount", "sentCount",
             "repliedCount", "placedCount", "openRate", "replyRate", "placementRate"]
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def q(**params):
    return urllib.parse.urlencode(params)


@pytest.fixture(scope="module")
def world():
    """A workspace with campaigns of every type, several sharing words in their names."""
    t = Tenant()
    ids = {}
    for i, (typ, name) in enumerate([("serp", "best PM tools"), ("competitor", "vs monday.com"),
                                     ("custom", "roundup 100% organic"), ("serp", "PM_software"),
                                     ("competitor", "vs Asana"), ("custom", "Ünïcode naïve café")]):
        ids[name] = t.campaign(type=typ, name=name)
    return t, ids


def test_list_shape_matches_reference(demo):
    r = demo["api"].get(LIST)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    body = r.json()
    assert list(body.keys()) == ["data", "total", "nextCursor"]
    assert body["total"] == len(body["data"]) == 4
    for c in body["data"]:
        assert list(c.keys()) == ITEM_KEYS
        assert RFC3339.fullmatch(c["createdAt"])
        assert re.fullmatch(r"(scmp|ccmp|xcmp)_[A-Za-z0-9_-]{22}", c["id"])
        assert c["type"] in ("serp", "competitor", "custom")
        assert c["id"][0] == {"serp": "s", "competitor": "c", "custom": "x"}[c["type"]]


def test_list_is_newest_first(demo):
    data = demo["api"].get(LIST).json()["data"]
    created = [c["createdAt"] for c in data]
    assert created == sorted(created, reverse=True)


def test_reference_example_filters(demo):
    r = demo["api"].get(LIST, query=q(type="serp,competitor", status="active",
                                     since="2020-05-01T00:00:00Z"))
    assert r.status_code == 200
    data = r.json()["data"]
    assert data and all(c["type"] in ("serp", "competitor") and c["status"] == "active"
                        for c in data)
    assert r.json()["total"] == len(data)


def test_type_filter(world):
    t, ids = world
    for typ in ["serp", "competitor", "custom"]:
        data = t.api.get(LIST, query=q(type=typ)).json()["data"]
        assert len(data) == 2 and {c["type"] for c in data} == {typ}
    both = t.api.get(LIST, query=q(type="custom,serp")).json()
    assert both["total"] == 4


def test_status_filter(world, demo):
    t, _ = world
    assert t.api.get(LIST, query=q(status="active")).json()["total"] == 6
    assert t.api.get(LIST, query=q(status="paused,draft")).json()["total"] == 0
    paused = demo["api"].get(LIST, query=q(status="paused")).json()["data"]
    assert [c["name"] for c in paused] == ["Q3 developer-tools roundup"]


def test_since_filter_with_offsets(demo):
    data = demo["api"].get(LIST).json()["data"]
    middle = data[1]["createdAt"]
    got = demo["api"].get(LIST, query=q(since=middle)).json()
    assert got["total"] == 2
    assert all(c["createdAt"] >= middle for c in got["data"])
    # the same instant written with an offset
    t = dt.datetime.strptime(middle, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    shifted = t.astimezone(dt.timezone(dt.timedelta(hours=-4))).isoformat()
    assert demo["api"].get(LIST, query=q(since=shifted)).json()["total"] == 2
    # one millisecond later excludes the middle one
    later = (t + dt.timedelta(milliseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    assert demo["api"].get(LIST, query=q(since=later)).json()["total"] == 1
    assert demo["api"].get(LIST, query=q(since="2999-01-01T00:00:00Z")).json()["total"] == 0


def test_q_filter_is_substring_and_case_insensitive(world):
    t, ids = world
    names = lambda query: sorted(c["name"] for c in t.api.get(LIST, query=query).json()["data"])
    assert names(q(q="vs ")) == ["vs Asana", "vs monday.com"]
    assert names(q(q="pm")) == ["PM_software", "best PM tools"]
    assert names(q(q="CAFÉ")) == ["Ünïcode naïve café"]
    # LIKE metacharacters are literal
    assert names(q(q="%")) == ["roundup 100% organic"]
    assert names(q(q="_")) == ["PM_software"]
    assert names(q(q="M_s")) == ["PM_software"]
    assert names(q(q="!")) == []


@pytest.mark.parametrize("evil", ["' OR '1'='1", "\"; DROP TABLE campaigns; --", "\\",
                                  "%' UNION SELECT 1 --", "` OR 1 --", "1) OR (1=1"])
def test_sql_like_strings_are_just_text(world, evil):
    t, _ = world
    r = t.api.get(LIST, query=q(q=evil))
    assert r.status_code == 200
    assert r.json()["total"] == 0


def test_pagination_walks_to_the_end(world):
    t, ids = world
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = t.api.get(LIST, query=q(**params)).json()
        assert body["total"] == 6
        seen += [c["id"] for c in body["data"]]
        pages += 1
        cursor = body["nextCursor"]
        if cursor is None:
            break
        assert len(body["data"]) == 2
    assert pages == 3
    assert len(seen) == len(set(seen)) == 6
    assert set(seen) == set(ids.values())
    full = [c["id"] for c in t.api.get(LIST, query=q(limit=200)).json()["data"]]
    assert seen == full


def test_pagination_with_filters(world):
    t, _ = world
    first = t.api.get(LIST, query=q(type="serp,custom", limit=3)).json()
    assert first["total"] == 4 and len(first["data"]) == 3 and first["nextCursor"]
    second = t.api.get(LIST, query=q(type="serp,custom", limit=3,
                                     cursor=first["nextCursor"])).json()
    assert len(second["data"]) == 1 and second["nextCursor"] is None


@pytest.mark.parametrize("query,param", [
    ("type=serp,blog", "type"), ("type=", "type"), ("type=SERP", "type"),
    ("type=serp,", "type"), ("status=running", "status"), ("status=active,,paused", "status"),
    ("since=yesterday", "since"), ("since=2026-05-01", "since"),
    ("since=2026-05-01T00:00:00", "since"), ("since=2026-02-30T00:00:00Z", "since"),
    ("since=2026-05-01T25:00:00Z", "since"), ("since=2026-05-01T00:00:00+25:00", "since"),
    ("limit=0", "limit"), ("limit=201", "limit"), ("limit=abc", "limit"), ("limit=-1", "limit"),
    ("limit=1e2", "limit"), ("limit=", "limit"), ("limit=00050", "limit"),
    ("cursor=abc", "cursor"), ("cursor=AAAAAAAAAAAAAAAAAAAAAAA", "cursor"),
    ("cursor=%27%20OR%201%3D1", "cursor"),
    ("foo=bar", "foo"), ("Type=serp", "Type"), ("type=serp&type=custom", "type"),
    ("q=%ff", "q"), ("q=%c0%af", "q"), ("q=%00", "q"), ("q=a%0ab", "q"), ("q=" + "a" * 201, "q"),
])
def test_bad_list_parameters_are_400(demo, query, param):
    r = demo["api"].get(LIST, query=query)
    assert_problem(r, 400, "invalid_parameter", param=param)


def test_invalid_utf8_key_and_too_many_params(demo):
    r = demo["api"].get(LIST, query="%ff=1")
    assert_problem(r, 400, "invalid_parameter")
    many = "&".join(f"p{i}=1" for i in range(40))
    assert_problem(demo["api"].get(LIST, query=many), 400, "invalid_parameter")
    long = "q=" + "a" * 5000
    assert_problem(demo["api"].get(LIST, query=long), 400, "invalid_parameter")


def test_get_campaign_detail(demo):
    r = demo["api"].get(f"{LIST}/{demo['campaign']}")
    assert r.status_code == 200
    c = r.json()
    assert list(c.keys())[:12] == ITEM_KEYS
    for k in ["targetUrl", "sender", "updatedAt", "deliveredCount", "openedCount", "pausedAt",
              "pauseReason", "pendingApprovals"]:
        assert k in c
    assert c["id"] == demo["campaign"]
    assert (c["draftsCount"], c["sentCount"], c["repliedCount"], c["placedCount"]) == (14, 11, 4, 2)
    assert (c["deliveredCount"], c["openedCount"]) == (11, 9)
    assert c["pausedAt"] is None and c["pauseReason"] is None
    assert c["targetUrl"].startswith("https://")


def test_paused_campaign_shows_reason(demo):
    paused = demo["api"].get(LIST, query="status=paused").json()["data"][0]
    c = demo["api"].get(f"{LIST}/{paused['id']}").json()
    assert c["status"] == "paused"
    assert c["pauseReason"] == "Need to revisit messaging"
    assert RFC3339.fullmatch(c["pausedAt"])


@pytest.mark.parametrize("cid", ["scmp_nope", "scmp_AAAAAAAAAAAAAAAAAAAAAA", "rel_AAAAAAAAAAAAAAAAAAAAAA",
                                 "scmp_%27%20OR%201=1", "x" * 200])
def test_unknown_campaign_is_404(demo, cid):
    assert_problem(demo["api"].get(f"{LIST}/{cid}"), 404, "campaign_not_found" if len(cid) < 128 else "route_not_found")
    assert_problem(demo["api"].get(f"{LIST}/{cid}/metrics"), 404, "campaign_not_found" if len(cid) < 128 else "route_not_found")


def test_nul_in_path_is_rejected_by_nginx_as_json(demo):
    r = demo["api"].get(f"{LIST}/%00")
    assert_problem(r, 400, "invalid_parameter", from_app=False)


def test_get_rejects_query_parameters(demo):
    r = demo["api"].get(f"{LIST}/{demo['campaign']}", query="expand=all")
    assert_problem(r, 400, "invalid_parameter", param="expand")


def test_metrics_match_the_reference_example(demo):
    r = demo["api"].get(f"{LIST}/{demo['campaign']}/metrics")
    assert r.status_code == 200
    m = r.json()
    assert list(m.keys()) == ["campaignId", "summary", "timeline", "byDomain"]
    assert m["campaignId"] == demo["campaign"]
    assert m["summary"] == {"drafted": 14, "sent": 11, "delivered": 11, "opened": 9,
                            "replied": 4, "placed": 2, "openRate": 0.82, "replyRate": 0.36,
                            "placementRate": 0.18}
    events = [e["event"] for e in m["timeline"]]
    assert events == ["campaign_created", "drafts_ready", "approvals_completed", "emails_sent",
                      "first_reply", "first_link_placed"]
    dates = [e["date"] for e in m["timeline"]]
    assert dates == sorted(dates)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", d) for d in dates)
    counts = {e["event"]: e.get("count") for e in m["timeline"]}
    assert counts["drafts_ready"] == 14 and counts["approvals_completed"] == 11
    assert counts["emails_sent"] == 11 and counts["campaign_created"] is None
    statuses = [d["status"] for d in m["byDomain"]]
    assert len(m["byDomain"]) == 14
    assert statuses.count("link_placed") == 2 and statuses.count("replied") == 2
    for d in m["byDomain"]:
        assert ("linkUrl" in d) == (d["status"] == "link_placed")
    assert statuses[:2] == ["link_placed", "link_placed"]


def test_metrics_of_a_new_campaign_has_zero_rates(tenant):
    cid = tenant.campaign(prospects=[{"domain": "a.example", "contactName": "A", "contactEmail": "a@a.example"}])
    m = tenant.api.get(f"{LIST}/{cid}/metrics").json()
    assert m["summary"] == {"drafted": 1, "sent": 0, "delivered": 0, "opened": 0, "replied": 0,
                            "placed": 0, "openRate": 0, "replyRate": 0, "placementRate": 0}
    assert [e["event"] for e in m["timeline"]] == ["campaign_created", "drafts_ready"]
    assert m["byDomain"] == [{"domain": "a.example", "status": "awaiting_approval"}]
    empty = tenant.campaign(template={"subject": "", "body": ""})
    m = tenant.api.get(f"{LIST}/{empty}/metrics").json()
    assert m["summary"]["drafted"] == 0 and m["summary"]["openRate"] == 0
    assert m["byDomain"] == [] and [e["event"] for e in m["timeline"]] == ["campaign_created"]


def test_paused_campaign_timeline_has_reason(demo):
    paused = demo["api"].get(LIST, query="status=paused").json()["data"][0]
    m = demo["api"].get(f"{LIST}/{paused['id']}/metrics").json()
    last = m["timeline"][-1]
    assert last["event"] == "campaign_paused" and last["reason"] == "Need to revisit messaging"


def test_account_key_reads_any_workspace(demo):
    from conftest import Api
    import os
    api = Api(os.environ["LINKCAMP_ACCOUNT_KEY"], workspace=demo["other_workspace"])
    data = api.get(LIST).json()["data"]
    assert {c["name"] for c in data} == {"best API monitoring tools", "vs Datadog",
                                         "status-page partners"}
