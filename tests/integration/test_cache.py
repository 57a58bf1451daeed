"""The response cache of the campaign list, one campaign and its metrics.

A repeated read is answered from linkcamp-fcgi's memory (X-Cache: hit) only while the
workspace's data version is unchanged; every kind of write a client or the worker makes
must show in the very next read. The answers must be byte-identical either way."""
import json
import subprocess
import time
import uuid

import pytest

from conftest import Api, Tenant, db_socket, sink_messages, sql, wait_for

CAMPAIGN = "/v1/link-building/campaign"
JSON = {"Content-Type": "application/json"}


def prospect(name):
    return {"domain": f"{name}.example.net", "contactName": name.title(),
            "contactEmail": f"{name}@{name}.example.net"}


@pytest.fixture(scope="module")
def ws():
    t = Tenant()
    t.cid = t.campaign(name="cache " + uuid.uuid4().hex[:6], prospects=[prospect("ada")])
    return t


def twice(api, path, query=None):
    """GETs path twice; the second must be a hit with the same bytes. Returns the body."""
    a = api.get(path, query=query)
    b = api.get(path, query=query)
    assert a.status_code == 200 and b.status_code == 200, (a.text, b.text)
    assert b.headers.get("X-Cache") == "hit", b.headers
    assert a.content == b.content
    assert a.headers["Content-Type"] == b.headers["Content-Type"] == "application/json"
    assert a.headers["X-Request-Id"] != b.headers["X-Request-Id"]
    return b.json()


def fresh(api, path, query=None):
    """The next read after a write: built anew."""
    r = api.get(path, query=query)
    assert r.status_code == 200, r.text
    assert r.headers.get("X-Cache") == "miss", r.headers
    return r.json()


def test_repeated_reads_are_hits_with_identical_bytes(ws):
    twice(ws.api, CAMPAIGN, "type=serp&limit=5")
    twice(ws.api, f"{CAMPAIGN}/{ws.cid}")
    twice(ws.api, f"{CAMPAIGN}/{ws.cid}/metrics")


def test_head_is_answered_from_the_cache_without_a_body(ws):
    twice(ws.api, f"{CAMPAIGN}/{ws.cid}")
    r = ws.api.request("HEAD", f"{CAMPAIGN}/{ws.cid}")
    assert r.status_code == 200 and r.headers.get("X-Cache") == "hit"
    assert r.content == b"" and int(r.headers["Content-Length"]) > 0


def test_pause_and_resume_show_at_once(ws):
    twice(ws.api, f"{CAMPAIGN}/{ws.cid}")
    twice(ws.api, CAMPAIGN, "status=paused")
    r = ws.api.post(f"{CAMPAIGN}/{ws.cid}/pause", headers=JSON, data=json.dumps({"reason": "cache"}))
    assert r.status_code == 200
    assert fresh(ws.api, f"{CAMPAIGN}/{ws.cid}")["status"] == "paused"
    assert [c["id"] for c in fresh(ws.api, CAMPAIGN, "status=paused")["data"]] == [ws.cid]
    metrics = fresh(ws.api, f"{CAMPAIGN}/{ws.cid}/metrics")
    assert metrics["timeline"][-1]["event"] == "campaign_paused"
    assert ws.api.post(f"{CAMPAIGN}/{ws.cid}/resume").status_code == 200
    assert fresh(ws.api, f"{CAMPAIGN}/{ws.cid}")["status"] == "active"
    assert fresh(ws.api, CAMPAIGN, "status=paused")["data"] == []


def test_new_campaigns_and_prospects_show_at_once(ws):
    before = twice(ws.api, CAMPAIGN, "limit=200")
    cid = ws.campaign(name="second " + uuid.uuid4().hex[:6])  # the CLI, another process
    after = fresh(ws.api, CAMPAIGN, "limit=200")
    assert after["total"] == before["total"] + 1 and cid in [c["id"] for c in after["data"]]
    twice(ws.api, f"{CAMPAIGN}/{ws.cid}/metrics")
    r = ws.api.post(f"{CAMPAIGN}/{ws.cid}/relationships", headers=JSON,
                    data=json.dumps({"prospects": [prospect("bea")]}))
    assert r.status_code in (200, 201), r.text
    domains = [d["domain"] for d in fresh(ws.api, f"{CAMPAIGN}/{ws.cid}/metrics")["byDomain"]]
    assert "bea.example.net" in domains
    assert fresh(ws.api, f"{CAMPAIGN}/{ws.cid}")["draftsCount"] == 2


def test_prospects_without_drafts_show_in_metrics():
    t = Tenant()
    cid = t.campaign(name="no template", template={"subject": "", "body": ""})
    assert twice(t.api, f"{CAMPAIGN}/{cid}/metrics")["byDomain"] == []
    r = t.api.post(f"{CAMPAIGN}/{cid}/relationships", headers=JSON,
                   data=json.dumps({"prospects": [prospect("cyd")]}))
    assert r.status_code in (200, 201), r.text
    assert fresh(t.api, f"{CAMPAIGN}/{cid}/metrics")["byDomain"] == [
        {"domain": "cyd.example.net", "status": "prospect"}]


def test_the_workers_deliveries_show_at_once(ws):
    rel = ws.api.get("/v1/link-building/crm/relationship", query=f"campaignId={ws.cid}").json()["data"][0]
    before = twice(ws.api, f"{CAMPAIGN}/{ws.cid}")
    subject = "cache " + uuid.uuid4().hex
    r = ws.api.post(f"{CAMPAIGN}/{ws.cid}/send-email", headers=JSON, data=json.dumps(
        {"relationshipId": rel["id"], "subject": subject, "body": "Hello"}))
    assert r.status_code == 202
    queued = fresh(ws.api, f"{CAMPAIGN}/{ws.cid}")
    assert queued["pendingApprovals"] == before["pendingApprovals"] + 1
    approver = Api(ws.approver_key)
    out = r.json()["invocation"]["message"]["id"]
    assert approver.post(f"/v1/approvals/{out}/approve").status_code == 200
    assert wait_for(lambda: [m for _, m in sink_messages() if m["Subject"] == subject])

    def sent_shows():
        c = ws.api.get(f"{CAMPAIGN}/{ws.cid}").json()
        return c if c["sentCount"] == before["sentCount"] + 1 else None
    after = wait_for(sent_shows)
    assert after, "the campaign never showed the delivery"
    assert after["pendingApprovals"] == before["pendingApprovals"]
    metrics = fresh(ws.api, f"{CAMPAIGN}/{ws.cid}/metrics")
    assert metrics["summary"]["sent"] == after["sentCount"]


def qcache_hits():
    return int(sql("SHOW GLOBAL STATUS LIKE 'Qcache_hits'")[0][1])


def test_the_version_read_is_served_by_the_query_cache_and_never_stale(ws):
    """The version read asks MariaDB's query cache (docs/caching.md); a change that is
    not yet committed must stay invisible, and the first read after its COMMIT must show
    it. The change is made by hand, following the README's rule for hand-made changes
    (move data_version in the same transaction)."""
    t = Tenant()
    cid = t.campaign(name="before " + uuid.uuid4().hex[:6])
    path = f"{CAMPAIGN}/{cid}"
    name = twice(t.api, path)["name"]
    # any write to any workspace empties the query cache's workspaces entries, and the
    # stack's worker may be writing: most of 20 reads, not all, must be query cache hits
    hits = qcache_hits()
    for _ in range(10):
        twice(t.api, path)
    assert qcache_hits() >= hits + 10, "the version read did not use the query cache"

    renamed = "after " + uuid.uuid4().hex[:6]
    writer = subprocess.Popen(
        ["mariadb", "--no-defaults", "-S", db_socket(), "-u", "root", "linkcamp", "-N", "-B",
         "--unbuffered", "-e",
         "START TRANSACTION;"
         f"UPDATE workspaces SET data_version = data_version + 1 WHERE public_id = '{t.ws}';"
         f"UPDATE campaigns SET name = '{renamed}' WHERE public_id = '{cid}';"
         "SELECT 'changed';"
         "DO SLEEP(1.5);"
         "COMMIT;"], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "changed"
        for _ in range(3):  # uncommitted: the kept answer is still the truth
            r = t.api.get(path)
            assert r.status_code == 200 and r.headers.get("X-Cache") == "hit", r.headers
            assert r.json()["name"] == name
    finally:
        assert writer.wait(timeout=30) == 0
    assert fresh(t.api, path)["name"] == renamed
    assert twice(t.api, path)["name"] == renamed


def test_workspaces_never_share_answers(ws):
    mine = twice(ws.api, CAMPAIGN, "limit=50")
    theirs = ws.api2.get(CAMPAIGN, query="limit=50")
    assert theirs.status_code == 200 and theirs.headers.get("X-Cache") == "miss"
    assert theirs.json()["total"] == 0 and mine["total"] > 0
    # another workspace's campaign is a 404 even right after its owner cached it
    twice(ws.api, f"{CAMPAIGN}/{ws.cid}")
    r = ws.api2.get(f"{CAMPAIGN}/{ws.cid}")
    assert r.status_code == 404


def test_an_agency_key_shares_the_workspaces_answers(ws):
    body = twice(ws.api, f"{CAMPAIGN}/{ws.cid}")
    agency = Api(ws.account_key, workspace=ws.ws)
    r = agency.get(f"{CAMPAIGN}/{ws.cid}")
    assert r.status_code == 200 and r.headers.get("X-Cache") == "hit" and r.json() == body


def test_errors_are_never_kept(ws):
    for _ in range(2):
        r = ws.api.get(f"{CAMPAIGN}/scmp_AAAAAAAAAAAAAAAAAAAAAA")
        assert r.status_code == 404 and r.headers.get("X-Cache") == "miss"
        r = ws.api.get(CAMPAIGN, query="color=red")
        assert r.status_code == 400 and r.headers.get("X-Cache") == "miss"
    r = Api("lck_not_a_key").get(f"{CAMPAIGN}/{ws.cid}")
    assert r.status_code == 401 and "X-Cache" not in r.headers


def test_metrics_expire_when_a_prospect_turns_no_response():
    """No write marks no_response: the cached metrics must end when the first sent
    prospect's last email becomes no_response_days (7) old."""
    t = Tenant()
    cid = t.campaign(name="turning", prospects=[prospect("dan")])
    # As if the email had gone out 7 days minus 3 seconds ago (tests may make time pass
    # in the database); the data version and the contacted count move as a real
    # delivery would move them.
    sql("UPDATE relationships r JOIN campaigns c ON c.id = r.campaign_id "
        "SET r.status = 3, r.last_contacted_at = UTC_TIMESTAMP(3) - INTERVAL 7 DAY + INTERVAL 3 SECOND "
        f"WHERE c.public_id = '{cid}'")
    sql("UPDATE workspaces SET data_version = data_version + 1, contacted_count = contacted_count + 1 "
        f"WHERE public_id = '{t.ws}'")
    path = f"{CAMPAIGN}/{cid}/metrics"
    assert twice(t.api, path)["byDomain"] == [{"domain": "dan.example.net", "status": "sent"}]
    time.sleep(3.5)
    assert fresh(t.api, path)["byDomain"] == [{"domain": "dan.example.net", "status": "no_response"}]
    assert twice(t.api, path)["byDomain"][0]["status"] == "no_response"
