"""GET /v1/workspaces and POST /v1/workspaces/bulk-action (SPEC §7, docs/workspaces.md).

Each bulk result is compared with what the single-workspace endpoint answers for the same
workspace (an agency key with X-Workspace-Id), since the bulk action runs those routes."""
import json
import uuid

import pytest

from conftest import Api, Tenant, assert_problem

WS = "/v1/workspaces"
BULK = "/v1/workspaces/bulk-action"
LIST = "/v1/link-building/campaign"
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def agency():
    t = Tenant()
    t.agency = Api(t.account_key)
    t.cid = t.campaign(name="only in A")          # exists in ws only
    t.cid_b = t.campaign(ws=t.ws2, name="only in B")
    return t


def bulk(api, body, headers=None):
    h = dict(JSON)
    h.update(headers or {})
    return api.post(BULK, headers=h, data=json.dumps(body))


def in_ws(t, ws):
    return Api(t.account_key, workspace=ws)


def by_ws(r):
    assert r.status_code == 200, r.text
    doc = r.json()
    return {x["workspaceId"]: x for x in doc["results"]}


# ---- GET /v1/workspaces ----

def test_list_with_agency_key(agency):
    r = agency.agency.get(WS)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    doc = r.json()
    assert doc["total"] == 2 and doc["nextCursor"] is None
    # newest first: B was created after A
    assert [w["id"] for w in doc["data"]] == [agency.ws2, agency.ws]
    a = doc["data"][1]
    assert set(a) == {"id", "name", "createdAt", "credits", "campaignsCount",
                      "activeCampaignsCount", "relationshipsCount"}
    assert a["name"].startswith("Client A ")
    assert a["createdAt"].endswith("Z")
    assert a["credits"] == {"balance": 1000, "reserved": 0, "available": 1000}
    assert a["campaignsCount"] == 1 and a["relationshipsCount"] == 0
    status = agency.api.get(f"{LIST}/{agency.cid}").json()["status"]
    assert a["activeCampaignsCount"] == (1 if status == "active" else 0)


def test_list_pages(agency):
    r = agency.agency.get(WS, query="limit=1")
    first = r.json()
    assert [w["id"] for w in first["data"]] == [agency.ws2]
    assert first["total"] == 2 and first["nextCursor"]
    r = agency.agency.get(WS, query="limit=1&cursor=" + first["nextCursor"])
    second = r.json()
    assert [w["id"] for w in second["data"]] == [agency.ws]
    assert second["nextCursor"] is None


def test_list_counts_move_with_campaigns(agency):
    t = Tenant()
    t.campaign(ws=t.ws2)
    t.campaign(ws=t.ws2)
    data = {w["id"]: w for w in Api(t.account_key).get(WS).json()["data"]}
    assert data[t.ws2]["campaignsCount"] == 2 and data[t.ws]["campaignsCount"] == 0


def test_list_ignores_workspace_header(agency):
    r = in_ws(agency, agency.ws).get(WS)
    assert [w["id"] for w in r.json()["data"]] == [agency.ws2, agency.ws]


def test_list_needs_an_account_key(agency, anon):
    assert_problem(agency.api.get(WS), 403, "forbidden")
    assert_problem(Api(agency.key, workspace=agency.ws).get(WS), 403, "forbidden")
    r = anon.get(WS)
    assert_problem(r, 401, "unauthorized")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert_problem(Api("lck_" + "x" * 43).get(WS), 401, "unauthorized")


@pytest.mark.parametrize("query,param", [
    ("limit=0", "limit"), ("limit=201", "limit"), ("limit=x", "limit"),
    ("cursor=nope", "cursor"), ("status=active", "status"), ("limit=1&limit=2", "limit"),
])
def test_list_bad_parameters(agency, query, param):
    assert_problem(agency.agency.get(WS, query=query), 400, "invalid_parameter", param=param)


def test_list_other_methods(agency):
    r = agency.agency.post(WS, headers=JSON, data="{}")
    assert_problem(r, 405, "method_not_allowed")
    assert "GET" in r.headers["Allow"]


# ---- bulk list / metrics ----

def test_bulk_list_all_equals_each_workspace_list(agency):
    r = bulk(agency.agency, {"action": "link_building.campaign.list", "workspaces": "all"})
    doc = r.json()
    assert doc["action"] == "link_building.campaign.list" and doc["dryRun"] is False
    assert [x["workspaceId"] for x in doc["results"]] == [agency.ws2, agency.ws]
    assert doc["summary"] == {"ok": 2, "error": 0}
    for ws, res in by_ws(r).items():
        assert res["status"] == "ok"
        assert res["data"] == in_ws(agency, ws).get(LIST).json()
    assert [c["id"] for c in by_ws(r)[agency.ws]["data"]["data"]] == [agency.cid]


def test_bulk_list_with_filters_and_explicit_workspaces(agency):
    config = {"status": ["active", "draft"], "type": "serp", "q": "only", "limit": 5,
              "since": "2020-01-01T00:00:00+02:00"}
    r = bulk(agency.agency, {"action": "link_building.campaign.list", "workspaces": [agency.ws],
                             "config": config})
    res = by_ws(r)
    assert list(res) == [agency.ws]
    q = "status=active,draft&type=serp&q=only&limit=5&since=2020-01-01T00:00:00%2B02:00"
    assert res[agency.ws]["data"] == in_ws(agency, agency.ws).get(LIST, query=q).json()


def test_bulk_metrics_partial_failure(agency):
    r = bulk(agency.agency, {"action": "link_building.campaign.metrics", "workspaces": "all",
                             "config": {"campaignId": agency.cid}})
    res = by_ws(r)
    assert r.json()["summary"] == {"ok": 1, "error": 1}
    assert res[agency.ws]["status"] == "ok"
    single = in_ws(agency, agency.ws).get(f"{LIST}/{agency.cid}/metrics")
    assert res[agency.ws]["data"] == single.json()
    err = res[agency.ws2]
    assert err["status"] == "error" and "data" not in err
    miss = in_ws(agency, agency.ws2).get(f"{LIST}/{agency.cid}/metrics").json()
    assert err["error"]["code"] == "campaign_not_found" == miss["code"]
    assert err["error"]["status"] == 404 and err["error"]["type"] == "about:blank"
    assert err["error"]["requestId"] == r.headers["X-Request-Id"]
    assert {k: v for k, v in err["error"].items() if k != "requestId"} == \
           {k: v for k, v in miss.items() if k != "requestId"}


# ---- bulk toggle ----

def test_toggle_dry_run_changes_nothing(agency):
    t = Tenant()
    cid = t.campaign()
    before = Api(t.key).get(f"{LIST}/{cid}").json()
    for action in ["pause", "resume"]:
        r = bulk(Api(t.account_key), {"action": "link_building.campaign.toggle",
                                      "workspaces": [t.ws, t.ws2], "dryRun": True,
                                      "config": {"campaignId": cid, "action": action,
                                                 "reason": "just looking"}})
        res = by_ws(r)
        assert r.json()["dryRun"] is True
        assert res[t.ws2]["error"]["code"] == "campaign_not_found"
        if action == "pause":
            assert res[t.ws]["status"] == "ok"
            assert res[t.ws]["data"] == {"dryRun": True, "campaignId": cid, "action": "pause",
                                         "status": before["status"], "wouldBecome": "paused"}
        else:  # what the real resume of an active campaign would answer
            assert res[t.ws]["status"] == "error"
            assert res[t.ws]["error"]["code"] == "already_active"
            assert res[t.ws]["error"]["status"] == 409
    after = Api(t.key).get(f"{LIST}/{cid}").json()
    assert after == before
    assert [e["event"] for e in Api(t.key).get(f"{LIST}/{cid}/metrics").json()["timeline"]
            ].count("campaign_paused") == 0


def test_toggle_pauses_and_resumes_for_real(agency):
    t = Tenant()
    cid = t.campaign()
    agency_api = Api(t.account_key)
    body = {"action": "link_building.campaign.toggle", "workspaces": "all",
            "config": {"campaignId": cid, "action": "pause", "reason": "Low reply rate"}}
    r = bulk(agency_api, body)
    res = by_ws(r)
    assert res[t.ws]["status"] == "ok"
    got = Api(t.key).get(f"{LIST}/{cid}").json()
    assert got["status"] == "paused" and got["pauseReason"] == "Low reply rate"
    assert res[t.ws]["data"] == got
    assert res[t.ws2]["error"]["code"] == "campaign_not_found"
    # pausing again is the pause route's 409, per workspace
    res = by_ws(bulk(agency_api, body))
    assert res[t.ws]["error"]["code"] == "already_paused"
    assert res[t.ws]["error"]["status"] == 409
    # dry run of resume says it would become active; the real one makes it so
    body["config"] = {"campaignId": cid, "action": "resume"}
    body["workspaces"] = [t.ws]
    res = by_ws(bulk(agency_api, dict(body, dryRun=True)))
    assert res[t.ws]["data"]["status"] == "paused"
    assert res[t.ws]["data"]["wouldBecome"] == "active"
    assert Api(t.key).get(f"{LIST}/{cid}").json()["status"] == "paused"
    res = by_ws(bulk(agency_api, body))
    assert res[t.ws]["status"] == "ok" and res[t.ws]["data"]["status"] == "active"
    assert Api(t.key).get(f"{LIST}/{cid}").json()["status"] == "active"


def test_toggle_of_ended_campaign_is_the_routes_422(agency):
    t = Tenant()
    cid = t.campaign()
    r = Api(t.key).post(f"{LIST}/{cid}/cancel", headers=JSON, data="{}")
    assert r.status_code == 200, r.text
    for dry in [True, False]:
        res = by_ws(bulk(Api(t.account_key), {
            "action": "link_building.campaign.toggle", "workspaces": [t.ws], "dryRun": dry,
            "config": {"campaignId": cid, "action": "pause"}}))
        assert res[t.ws]["error"]["code"] == "invalid_state_transition"
        assert res[t.ws]["error"]["status"] == 422


# ---- workspaces of other accounts ----

def test_foreign_and_unknown_workspaces_are_refused(agency, demo):
    unknown = "ws_" + "A" * 22
    r = bulk(agency.agency, {"action": "link_building.campaign.list",
                             "workspaces": [demo["workspace"], agency.ws, unknown, "nope"]})
    res = by_ws(r)
    assert [x["workspaceId"] for x in r.json()["results"]] == \
           [demo["workspace"], agency.ws, unknown, "nope"]
    for ws in [demo["workspace"], unknown, "nope"]:
        e = res[ws]["error"]
        assert e["status"] == 404 and e["code"] == "workspace_not_found"
        assert "data" not in res[ws]
    assert res[agency.ws]["status"] == "ok"
    # a foreign campaign stays out of reach: nothing runs there
    before = demo["api"].get(f"{LIST}/{demo['campaign']}").json()
    r = bulk(agency.agency, {"action": "link_building.campaign.toggle",
                             "workspaces": [demo["workspace"]],
                             "config": {"campaignId": demo["campaign"], "action": "pause"}})
    assert by_ws(r)[demo["workspace"]]["error"]["code"] == "workspace_not_found"
    assert demo["api"].get(f"{LIST}/{demo['campaign']}").json() == before


def test_bulk_needs_an_account_key(agency, anon):
    body = {"action": "link_building.campaign.list", "workspaces": "all"}
    assert_problem(bulk(agency.api, body), 403, "forbidden")
    assert_problem(bulk(anon, body), 401, "unauthorized")
    r = agency.agency.get(BULK)
    assert_problem(r, 405, "method_not_allowed")


# ---- validation ----

L = "link_building.campaign.list"
M = "link_building.campaign.metrics"
T = "link_building.campaign.toggle"
C = "scmp_" + "a" * 22


@pytest.mark.parametrize("body,param", [
    ({"workspaces": "all"}, "action"),
    ({"action": 5, "workspaces": "all"}, "action"),
    ({"action": "link_building.campaign.send_email", "workspaces": "all"}, "action"),
    ({"action": L, "workspaces": "all", "extra": 1}, "extra"),
    ({"action": L}, "workspaces"),
    ({"action": L, "workspaces": "some"}, "workspaces"),
    ({"action": L, "workspaces": []}, "workspaces"),
    ({"action": L, "workspaces": [5]}, "workspaces"),
    ({"action": L, "workspaces": {"a": 1}}, "workspaces"),
    ({"action": L, "workspaces": ["ws_x", "ws_x"]}, "workspaces"),
    ({"action": L, "workspaces": ["ws_%d" % i for i in range(51)]}, "workspaces"),
    ({"action": L, "workspaces": "all", "dryRun": "yes"}, "dryRun"),
    ({"action": L, "workspaces": "all", "config": []}, "config"),
    ({"action": L, "workspaces": "all", "config": {"campaignId": C}}, "config.campaignId"),
    ({"action": L, "workspaces": "all", "config": {"status": "nope"}}, "config.status"),
    ({"action": L, "workspaces": "all", "config": {"status": 3}}, "config.status"),
    ({"action": L, "workspaces": "all", "config": {"status": []}}, "config.status"),
    ({"action": L, "workspaces": "all", "config": {"type": ["serp", "x,y"]}}, "config.type"),
    ({"action": L, "workspaces": "all", "config": {"limit": 0}}, "config.limit"),
    ({"action": L, "workspaces": "all", "config": {"limit": "5"}}, "config.limit"),
    ({"action": L, "workspaces": "all", "config": {"since": "yesterday"}}, "config.since"),
    # longer than a query string may be (found by test_hostile's walk: it was a 500)
    ({"action": L, "workspaces": "all", "config": {"status": "x" * 5000}}, "config.status"),
    ({"action": L, "workspaces": "all", "config": {"q": "\u00e9" * 3000}}, "config.q"),
    ({"action": L, "workspaces": "all", "config": {"cursor": "x"}}, "config.cursor"),
    ({"action": M, "workspaces": "all"}, "config"),
    ({"action": M, "workspaces": "all", "config": {}}, "config.campaignId"),
    ({"action": M, "workspaces": "all", "config": {"campaignId": 7}}, "config.campaignId"),
    ({"action": M, "workspaces": "all", "config": {"campaignId": C + "/pause"}},
     "config.campaignId"),
    ({"action": M, "workspaces": "all", "config": {"campaignId": ""}}, "config.campaignId"),
    ({"action": M, "workspaces": "all", "config": {"campaignId": C, "action": "pause"}},
     "config.action"),
    ({"action": T, "workspaces": "all", "config": {"campaignId": C}}, "config.action"),
    ({"action": T, "workspaces": "all", "config": {"campaignId": C, "action": "stop"}},
     "config.action"),
    ({"action": T, "workspaces": "all", "config": {"campaignId": C, "action": "pause",
                                                   "reason": 5}}, "config.reason"),
    ({"action": T, "workspaces": "all", "config": {"campaignId": C, "action": "pause",
                                                   "reason": "x" * 501}}, "config.reason"),
    ({"action": T, "workspaces": "all", "dryRun": True,
      "config": {"campaignId": C, "action": "pause", "reason": "x" * 501}}, "config.reason"),
])
def test_bulk_validation(agency, body, param):
    assert_problem(bulk(agency.agency, body), 422, "validation_failed", param=param)


def test_bulk_bad_bodies(agency):
    a = agency.agency
    assert_problem(a.post(BULK, headers=JSON, data="{nope"), 400, "invalid_json")
    assert_problem(a.post(BULK, headers=JSON, data="[1]"), 400, "invalid_json")
    assert_problem(a.post(BULK, headers=JSON, data='{"action":1,"action":2}'), 400,
                   "invalid_json")
    assert_problem(a.post(BULK, headers=JSON, data=b'{"action":"\xff"}'), 400, "invalid_json")
    assert_problem(a.post(BULK, headers={"Content-Type": "text/plain"}, data="{}"), 415,
                   "unsupported_media_type")
    assert_problem(a.post(BULK, headers=JSON, data=""), 400, "invalid_json")
    r = a.post(BULK, headers=JSON, data=json.dumps({"action": L, "workspaces": "all",
                                                    "config": {"q": "a\u0000b"}}))
    assert r.status_code in (400, 422) and r.headers["Content-Type"].startswith(
        "application/problem+json")


def test_a_validation_error_changes_nothing(agency):
    t = Tenant()
    cid = t.campaign()
    r = bulk(Api(t.account_key), {"action": T, "workspaces": "all",
                                  "config": {"campaignId": cid, "action": "pause",
                                             "reason": "\u0001bad"}})
    assert_problem(r, 422, "validation_failed", param="config.reason")
    assert Api(t.key).get(f"{LIST}/{cid}").json()["status"] != "paused"


# ---- idempotency ----

def test_idempotent_replay_is_byte_identical(agency):
    t = Tenant()
    cid = t.campaign()
    a = Api(t.account_key)
    key = {"Idempotency-Key": "bulk-" + uuid.uuid4().hex}
    body = {"action": T, "workspaces": "all", "config": {"campaignId": cid, "action": "pause"}}
    first = bulk(a, body, key)
    assert first.status_code == 200 and "Idempotent-Replayed" not in first.headers
    second = bulk(a, body, key)
    assert second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.content == first.content
    assert by_ws(second)[t.ws]["status"] == "ok"   # not already_paused: the replay
    other = bulk(a, dict(body, dryRun=True), key)
    assert_problem(other, 422, "idempotency_key_reused", param="Idempotency-Key")
    # keys are per account: another agency may use the same key for its own request
    u = Tenant()
    mine = bulk(Api(u.account_key), {"action": L, "workspaces": "all"}, key)
    assert mine.status_code == 200 and "Idempotent-Replayed" not in mine.headers
    assert [x["workspaceId"] for x in mine.json()["results"]] == [u.ws2, u.ws]
    # and a workspace key's own records are separate from the account's
    r = t.api.post(f"{LIST}/{cid}/resume", headers=dict(JSON, **key), data="{}")
    assert r.status_code == 200 and "Idempotent-Replayed" not in r.headers


def test_idempotency_key_must_be_sane(agency):
    r = bulk(agency.agency, {"action": L, "workspaces": "all"}, {"Idempotency-Key": "a b"})
    assert_problem(r, 400, "invalid_parameter", param="Idempotency-Key")
