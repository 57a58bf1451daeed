"""(e) [smtp] starttls = required, and the relay (the stack's SMTP sink) does not offer
STARTTLS: a message is not sent in clear — it is deferred with the reason, and the sink
stores nothing (the approval notifications, which use the same relay, included)."""
import json
import uuid

from conftest import JSON, it

CAMPAIGN = "/v1/link-building/campaign"


def test_no_starttls_means_nothing_is_sent():
    t = it.Tenant()
    it.send_without_approval(t.api)
    cid = t.campaign(name="starttls " + uuid.uuid4().hex[:6])
    rels = it.add_prospects(t.api, cid, [{"domain": "example.org", "contactName": "Marina",
                                          "contactEmail": f"marina-{uuid.uuid4().hex[:6]}@example.org"}])
    rid = list(rels.values())[0]
    subject = "starttls " + uuid.uuid4().hex
    r = t.api.post(f"{CAMPAIGN}/{cid}/send-email", headers=JSON, data=json.dumps(
        {"relationshipId": rid, "subject": subject, "body": "Hello,\nin clear?", "scheduleAt": "now"}))
    assert r.status_code in (200, 201, 202), r.text
    out = r.json()["invocation"]["message"]["id"]

    def deferred():
        m = t.api.get(f"/v1/approvals/{out}").json()
        return m if m["status"] == "deferred" else None
    m = it.wait_for(deferred, timeout=30)
    assert m, t.api.get(f"/v1/approvals/{out}").json()
    assert m["lastError"] == "not sent: the server does not offer STARTTLS, which is required", m
    assert it.sink_messages() == []
