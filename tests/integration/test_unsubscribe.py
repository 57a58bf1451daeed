"""One-click unsubscribe (RFC 8058) from the List-Unsubscribe header of a delivered mail."""
import json
import uuid

import requests

from conftest import Api, Tenant, assert_problem, sink_messages, wait_for

JSON = {"Content-Type": "application/json"}


def test_one_click_unsubscribe_stops_every_later_message():
    t = Tenant()
    approver = Api(t.approver_key)
    who = f"unsub.{uuid.uuid4().hex[:8]}@example.net"
    cid = t.campaign(prospects=[{"domain": "example.net", "contactName": "Una Sub", "contactEmail": who}])
    rel = t.api.get("/v1/link-building/crm/relationship", query=f"campaignId={cid}").json()["data"][0]["id"]
    draft = t.api.get("/v1/approvals", query=f"campaignId={cid}").json()["data"][0]["id"]
    approver.post(f"/v1/approvals/{draft}/approve")
    mail = wait_for(lambda: [m for raw, m in sink_messages() if m["X-Sink-Rcpt-To"] == who])
    assert len(mail) == 1
    url = mail[0]["List-Unsubscribe"].strip("<>")
    assert mail[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # GET shows a confirmation page and changes nothing
    page = requests.get(url, allow_redirects=False, timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert who in page.text and "<form method=\"post\">" in page.text
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in page.headers
    assert t.api.get(f"/v1/link-building/crm/relationship/{rel}").json()["status"] == "sent"

    # an approved message waiting behind a pause must not go out after the unsubscribe
    t.api.post(f"/v1/link-building/campaign/{cid}/pause")
    r = t.api.post(f"/v1/link-building/campaign/{cid}/send-email", headers=JSON,
                   data=json.dumps({"relationshipId": rel, "subject": "after", "body": "should never arrive"}))
    held = r.json()["invocation"]["message"]["id"]
    assert approver.post(f"/v1/approvals/{held}/approve").json()["status"] == "held"

    done = requests.post(url, data="List-Unsubscribe=One-Click", allow_redirects=False, timeout=10,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert done.status_code == 200 and "Set-Cookie" not in done.headers and "Location" not in done.headers
    assert "will not receive any more emails" in done.text
    again = requests.post(url, allow_redirects=False, timeout=10)
    assert again.status_code == 200

    t.api.post(f"/v1/link-building/campaign/{cid}/resume")
    st = wait_for(lambda: t.api.get(f"/v1/approvals/{held}").json()["status"] == "suppressed")
    assert st
    assert t.api.get(f"/v1/approvals/{held}").json()["lastError"] == "recipient suppressed"
    assert len([m for raw, m in sink_messages() if m["X-Sink-Rcpt-To"] == who]) == 1
    assert_problem(t.api.post(f"/v1/link-building/campaign/{cid}/send-email", headers=JSON,
                              data=json.dumps({"relationshipId": rel, "subject": "s", "body": "b"})),
                   422, "recipient_suppressed")
    assert t.api.get(f"/v1/link-building/crm/relationship/{rel}").json()["status"] == "unsubscribed"


def test_unknown_token_is_an_html_404(demo):
    from conftest import URL
    for token in ["AAAAAAAAAAAAAAAAAAAAAA", "short", "x" * 30]:
        r = requests.get(f"{URL}/u/{token}", timeout=10)
        assert r.status_code == 404 and r.headers["Content-Type"].startswith("text/html")
        r = requests.post(f"{URL}/u/{token}", timeout=10)
        assert r.status_code == 404
