"""Open tracking, opt-in per workspace: a tracked email carries an HTML copy with a 1x1
image; the first fetch of it counts as the open, later ones and unknown tokens do not."""
import json
import re
import uuid

import requests

from conftest import URL, Api, Tenant, sink_messages, wait_for

JSON = {"Content-Type": "application/json"}


def test_first_fetch_of_the_image_counts_the_open():
    t = Tenant()
    r = t.api.request("PUT", "/v1/workspace/policy", headers=JSON, data=json.dumps({"trackOpens": True}))
    assert r.status_code == 200 and r.json()["trackOpens"] is True
    who = f"reader.{uuid.uuid4().hex[:8]}@o.example"
    cid = t.campaign(template={"subject": "Hi", "body": "Hello <you> & welcome\nline two"},
                     prospects=[{"domain": "o.example", "contactName": "Rea Der", "contactEmail": who}])
    draft = t.api.get("/v1/approvals", query=f"campaignId={cid}").json()["data"][0]["id"]
    Api(t.approver_key).post(f"/v1/approvals/{draft}/approve")
    mail = wait_for(lambda: [m for raw, m in sink_messages() if m["X-Sink-Rcpt-To"] == who])
    assert len(mail) == 1
    m = mail[0]
    assert m.get_content_type() == "multipart/alternative"
    plain = m.get_body(("plain",)).get_content()
    html = m.get_body(("html",)).get_content()
    assert plain.replace("\r\n", "\n").strip() == "Hello <you> & welcome\nline two"
    assert "Hello &lt;you&gt; &amp; welcome" in html
    src = re.search(r'<img src="([^"]+)"', html).group(1)
    assert re.fullmatch(re.escape(URL) + r"/t/o/[A-Za-z0-9_-]{22}\.gif", src)
    before = t.api.get(f"/v1/link-building/campaign/{cid}/metrics").json()["summary"]
    assert before["opened"] == 0
    for _ in range(3):
        g = requests.get(src, timeout=10)
        assert g.status_code == 200 and g.headers["Content-Type"] == "image/gif"
        assert g.content.startswith(b"GIF89a") and g.headers["Cache-Control"] == "no-store"
    after = t.api.get(f"/v1/link-building/campaign/{cid}/metrics").json()["summary"]
    assert after["opened"] == 1 and after["openRate"] == 1
    rel = t.api.get("/v1/link-building/crm/relationship", query=f"campaignId={cid}").json()["data"][0]
    assert rel["status"] == "opened"


def test_unknown_tokens_get_the_same_image_and_change_nothing(demo):
    for path in ["/t/o/AAAAAAAAAAAAAAAAAAAAAA.gif", "/t/o/nope.gif", "/t/o/x", "/t/o/%27.gif"]:
        g = requests.get(URL + path, timeout=10)
        assert g.status_code == 200 and g.content.startswith(b"GIF89a")


def test_untracked_workspaces_send_plain_text(tenant):
    who = f"plain.{uuid.uuid4().hex[:8]}@o.example"
    cid = tenant.campaign(prospects=[{"domain": "o.example", "contactName": "P", "contactEmail": who}])
    draft = tenant.api.get("/v1/approvals", query=f"campaignId={cid}").json()["data"][0]["id"]
    Api(tenant.approver_key).post(f"/v1/approvals/{draft}/approve")
    mail = wait_for(lambda: [m for raw, m in sink_messages() if m["X-Sink-Rcpt-To"] == who])
    assert mail and mail[0].get_content_type() == "text/plain"
