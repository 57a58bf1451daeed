"""Claim (docs/sending.md): a deferred message is claimed again when due and "failed after
5 days" — counted from when it was queued — releasing its reserved credits, uncharged.

The sink (run with --trouble) answers 451 after DATA to tempfail…@ recipients. Time is made
to pass the way the other tests do it: by moving the message's created_at back and its
due_at to now. A message one step short of the horizon is deferred again instead."""
import json
import uuid

from conftest import Tenant, add_prospects, send_without_approval, sql, wait_for

CAMPAIGN = "/v1/link-building/campaign"
JSON = {"Content-Type": "application/json"}


def credits(api):
    c = api.get("/v1/credits", query="limit=1").json()
    return {k: c[k] for k in ("balance", "reserved", "available")}


def msg(api, out):
    return api.get(f"/v1/approvals/{out}").json()


def attempts(out):
    return int(sql(f"SELECT attempts FROM outbound_messages WHERE public_id = '{out}'")[0][0])


def test_a_deferred_message_past_its_horizon_fails_and_releases_its_credits():
    t = Tenant()
    send_without_approval(t.api)
    tag = uuid.uuid4().hex[:8]
    who = {k: f"tempfail.{k}.{tag}@example.org" for k in ("old", "young")}
    body = {"type": "custom", "name": "horizon " + tag, "targetUrl": "https://ours.example/x",
            "sender": "sam@agency.example"}
    r = t.api.post(CAMPAIGN, headers=JSON, data=json.dumps(body))
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    # no template, so no drafts: the only messages are the two sends below
    rels = add_prospects(t.api, cid, [{"domain": "example.org", "contactName": k.title(),
                                       "contactEmail": e} for k, e in who.items()])
    before = credits(t.api)

    out, inv = {}, {}
    for k, e in who.items():
        r = t.api.post(f"{CAMPAIGN}/{cid}/send-email", headers=JSON, data=json.dumps(
            {"relationshipId": rels[e], "subject": "horizon " + k, "body": "b", "scheduleAt": "now"}))
        assert r.status_code == 202, r.text
        out[k] = r.json()["invocation"]["message"]["id"]
        inv[k] = r.json()["invocation"]["id"]
    for k in who:
        m = wait_for(lambda: (lambda x: x["status"] == "deferred" and x)(msg(t.api, out[k])))
        assert m and m["lastError"].startswith("451"), m
        assert attempts(out[k]) == 1
    assert credits(t.api) == {"balance": before["balance"], "reserved": before["reserved"] + 4,
                              "available": before["available"] - 4}

    # "old" was queued just over 5 days ago, "young" a few minutes less; both are due now
    sql("UPDATE outbound_messages SET created_at = UTC_TIMESTAMP(3) - INTERVAL 5 DAY - INTERVAL 1 MINUTE, "
        f"due_at = UTC_TIMESTAMP(3) WHERE public_id = '{out['old']}'")
    sql("UPDATE outbound_messages SET created_at = UTC_TIMESTAMP(3) - INTERVAL 5 DAY + INTERVAL 10 MINUTE, "
        f"due_at = UTC_TIMESTAMP(3) WHERE public_id = '{out['young']}'")

    old = wait_for(lambda: (lambda x: x["status"] == "failed" and x)(msg(t.api, out["old"])))
    assert old, msg(t.api, out["old"])
    assert old["lastError"].startswith("451"), old
    assert attempts(out["old"]) == 2
    i = t.api.get(f"/v1/invocations/{inv['old']}").json()["invocation"]
    assert i["status"] == "failed" and i["creditsCharged"] == 0, i

    # the young one was tried again and deferred again, not failed
    assert wait_for(lambda: attempts(out["young"]) == 2 and msg(t.api, out["young"])["status"] == "deferred")
    assert msg(t.api, out["young"])["creditsReserved"] == 2

    # old's 2 credits are released, nothing was charged; young's stay reserved
    assert credits(t.api) == {"balance": before["balance"], "reserved": before["reserved"] + 2,
                              "available": before["available"] - 2}
    # the ledger still adds up to the balance and the reservation
    ws = sql(f"SELECT id FROM workspaces WHERE public_id = '{t.ws}'")[0][0]
    sums = sql(f"SELECT SUM(delta_balance), SUM(delta_reserved) FROM credit_ledger WHERE workspace_id = {ws}")
    assert [int(x) for x in sums[0]] == [before["balance"], before["reserved"] + 2]
