"""The campaign `draft` state: created with "launch": false, a campaign drafts and queues
nothing for approval until POST .../campaign/{id}/launch."""
import json
import uuid

from conftest import Tenant, assert_problem

JSON = {"Content-Type": "application/json"}
CAMPAIGN = "/v1/link-building/campaign"


def body(**extra):
    tag = uuid.uuid4().hex[:8]
    b = {"type": "serp", "name": f"draft {tag}", "targetUrl": "https://ours.example/guide",
         "sender": "sam@agency.example", "template": {"subject": "Hi {{contactFirstName}}", "body": "Hello"},
         "prospects": [{"domain": f"d{i}-{tag}.example", "contactName": f"Dee {i}",
                        "contactEmail": f"d{i}@d{i}-{tag}.example"} for i in range(2)]}
    b.update(extra)
    return b


def pending(t, cid):
    return t.api.get("/v1/approvals", query=f"campaignId={cid}&limit=200").json()["data"]


def test_a_draft_queues_nothing_until_launched():
    t = Tenant()
    r = t.api.post(CAMPAIGN, headers=JSON, data=json.dumps(body(launch=False)))
    assert r.status_code == 201, r.text
    c = r.json()
    cid = c["id"]
    assert c["status"] == "draft" and c["draftsCount"] == 0 and c["pendingApprovals"] == 0
    assert pending(t, cid) == []
    listed = t.api.get(CAMPAIGN, query="status=draft").json()["data"]
    assert [x["id"] for x in listed] == [cid]
    m = t.api.get(f"{CAMPAIGN}/{cid}/metrics").json()["summary"]
    assert m["drafted"] == 0 and m["sent"] == 0
    # prospects added to a draft are not drafted either
    r = t.api.post(f"{CAMPAIGN}/{cid}/relationships", headers=JSON, data=json.dumps(
        {"prospects": [{"domain": "late.example", "contactName": "Late Comer", "contactEmail": f"late.{cid[-6:]}@late.example"}]}))
    assert r.status_code == 201, r.text
    assert pending(t, cid) == []
    rel = t.api.get("/v1/link-building/crm/relationship", query=f"campaignId={cid}").json()["data"][0]["id"]
    r = t.api.post(f"{CAMPAIGN}/{cid}/send-email", headers=JSON,
                   data=json.dumps({"relationshipId": rel, "subject": "s", "body": "b"}))
    assert_problem(r, 422, "invalid_state_for_send")
    balance = t.api.get("/v1/credits").json()

    r = t.api.post(f"{CAMPAIGN}/{cid}/launch")
    assert r.status_code == 200, r.text
    c = r.json()
    assert c["status"] == "active" and c["draftsCount"] == 3 and c["pendingApprovals"] == 3
    assert len(pending(t, cid)) == 3
    assert t.api.get("/v1/credits").json()["reserved"] == balance["reserved"] + 6
    assert t.api.get(CAMPAIGN, query="status=draft").json()["data"] == []
    assert_problem(t.api.post(f"{CAMPAIGN}/{cid}/launch"), 409, "already_launched")


def test_a_campaign_launches_by_default_and_launch_is_checked():
    t = Tenant()
    r = t.api.post(CAMPAIGN, headers=JSON, data=json.dumps(body()))
    assert r.status_code == 201 and r.json()["status"] == "active"
    assert len(pending(t, r.json()["id"])) == 2
    assert_problem(t.api.post(f"{CAMPAIGN}/{r.json()['id']}/launch"), 409, "already_launched")
    r = t.api.post(CAMPAIGN, headers=JSON, data=json.dumps(body(launch="no")))
    assert_problem(r, 422, "validation_failed", param="launch")
    assert_problem(t.api.post(f"{CAMPAIGN}/scmp_AAAAAAAAAAAAAAAAAAAAAA/launch"), 404, "campaign_not_found")
    other = t.api2.post(CAMPAIGN, headers=JSON, data=json.dumps(body(launch=False))).json()["id"]
    assert_problem(t.api.post(f"{CAMPAIGN}/{other}/launch"), 404, "campaign_not_found")
    r = t.api.post(f"{CAMPAIGN}/{other}/launch", headers=JSON, data="{}")
    assert r.status_code == 404
    assert_problem(t.api2.post(f"{CAMPAIGN}/{other}/launch", headers=JSON, data='{"now": true}'),
                   422, "validation_failed")


def test_a_paused_draft_resumes_as_a_draft_and_an_ended_one_cannot_launch():
    t = Tenant()
    cid = t.api.post(CAMPAIGN, headers=JSON, data=json.dumps(body(launch=False))).json()["id"]
    r = t.api.post(f"{CAMPAIGN}/{cid}/pause", headers=JSON, data=json.dumps({"reason": "not yet"}))
    assert r.status_code == 200 and r.json()["status"] == "paused"
    r = t.api.post(f"{CAMPAIGN}/{cid}/resume")
    assert r.status_code == 200 and r.json()["status"] == "draft"
    assert pending(t, cid) == []
    r = t.api.post(f"{CAMPAIGN}/{cid}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert_problem(t.api.post(f"{CAMPAIGN}/{cid}/launch"), 422, "invalid_state_transition")
    assert pending(t, cid) == []
