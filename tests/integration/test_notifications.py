"""Approvers are emailed a link to each item that starts waiting for them; the link only
shows the item (GET), it never decides."""
import json
import re
import uuid

import requests

from conftest import Tenant, cli, sink_messages, sql, wait_for

JSON = {"Content-Type": "application/json"}


def test_approvers_get_a_link_and_the_link_decides_nothing():
    t = Tenant()
    approver = f"approver.{uuid.uuid4().hex[:8]}@agency.example"
    viewer = f"viewer.{uuid.uuid4().hex[:8]}@agency.example"
    cli("user", "add", approver, "--workspace", t.ws, "--role", "approver", "--password-stdin",
        stdin="correct horse battery staple\n")
    cli("user", "add", viewer, "--workspace", t.ws, "--role", "viewer", "--password-stdin",
        stdin="correct horse battery staple\n")
    subject = "needs a look " + uuid.uuid4().hex[:6]
    cid = t.campaign(template={"subject": subject, "body": "Hello {{contactFirstName}}"},
                     prospects=[{"domain": "n.example", "contactName": "Nia Note", "contactEmail": "nia@n.example"}])
    out = t.api.get("/v1/approvals", query=f"campaignId={cid}").json()["data"][0]["id"]
    mails = wait_for(lambda: [m for raw, m in sink_messages() if m["X-Sink-Rcpt-To"] == approver])
    assert len(mails) == 1
    m = mails[0]
    assert m["Subject"] == "Approval needed: " + subject
    text = m.get_content()
    link = re.search(r"(http://\S+/app/w/\S+/approvals/\S+)", text).group(1)
    assert link.endswith(f"/app/w/{t.ws}/approvals/{out}")
    assert "nia@n.example" in text and "Hello Nia" in text
    # viewers are not asked: the item's one notification job is done (every approver it
    # mails has been mailed) and none of its mail went to the viewer
    assert wait_for(lambda: sql("SELECT n.status FROM approval_notifications n JOIN outbound_messages m "
                                f"ON m.id = n.message_id WHERE m.public_id = '{out}'") == [["2"]])
    assert not [1 for raw, x in sink_messages() if x["X-Sink-Rcpt-To"] == viewer]
    # following the link while signed out leads to the sign-in page and changes nothing
    r = requests.get(link, allow_redirects=False, timeout=10)
    assert r.status_code in (200, 303)
    assert t.api.get(f"/v1/approvals/{out}").json()["status"] == "awaiting_approval"
