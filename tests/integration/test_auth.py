"""API keys: workspace keys, account keys with X-Workspace-Id, and isolation."""
from conftest import Api, Tenant, assert_problem

LIST = "/v1/link-building/campaign"


def test_missing_key_is_401_with_challenge(anon):
    r = anon.get(LIST)
    assert_problem(r, 401, "unauthorized")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_wrong_scheme_and_unknown_keys_are_401():
    for header in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer lck_nope",
                   "Bearer " + "A" * 5000, "bearer lck_" + "x" * 43, "Token abc"]:
        r = Api(None).get(LIST, headers={"Authorization": header})
        assert_problem(r, 401, "unauthorized")


def test_workspace_key_sees_its_workspace(tenant):
    cid = tenant.campaign(name="mine")
    r = tenant.api.get(LIST)
    assert r.status_code == 200
    assert [c["id"] for c in r.json()["data"]] == [cid]


def test_account_key_needs_workspace_header(tenant):
    r = Api(tenant.account_key).get(LIST)
    assert_problem(r, 400, "invalid_parameter", param="X-Workspace-Id")


def test_account_key_with_workspace_header(tenant):
    cid = tenant.campaign(ws=tenant.ws2, name="for account key")
    r = Api(tenant.account_key, workspace=tenant.ws2).get(LIST)
    assert r.status_code == 200
    assert cid in [c["id"] for c in r.json()["data"]]


def test_account_key_cannot_reach_another_accounts_workspace(tenant, demo):
    r = Api(tenant.account_key, workspace=demo["workspace"]).get(LIST)
    assert_problem(r, 404, "workspace_not_found", param="X-Workspace-Id")


def test_malformed_workspace_header(tenant):
    for ws in ["nope", "ws_", "ws_' OR 1=1 --", "ws_" + "a" * 60]:
        r = Api(tenant.account_key, workspace=ws).get(LIST)
        assert_problem(r, 404, "workspace_not_found")


def test_workspace_key_cannot_switch_workspace(tenant):
    r = Api(tenant.key, workspace=tenant.ws2).get(LIST)
    assert_problem(r, 403, "forbidden", param="X-Workspace-Id")
    r = Api(tenant.key, workspace=tenant.ws).get(LIST)
    assert r.status_code == 200


def test_other_workspace_campaign_is_404(tenant):
    cid = tenant.campaign(ws=tenant.ws2, name="secret")
    for path in [f"{LIST}/{cid}", f"{LIST}/{cid}/metrics"]:
        assert_problem(tenant.api.get(path), 404, "campaign_not_found")
        assert tenant.api2.get(path).status_code == 200


def test_other_account_cannot_see_demo(demo):
    t = Tenant()
    r = t.api.get(f"{LIST}/{demo['campaign']}")
    assert_problem(r, 404, "campaign_not_found")
    assert t.api.get(LIST).json()["total"] == 0
