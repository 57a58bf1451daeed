"""The approval queue's campaign menu (docs/first-reads.md, "The queue's menu"): it offers
every campaign with messages in the queue's view, by name, with how many, whatever the
workspace's number of campaigns; its statement also gives the page's total, so the menu,
the total and the list agree. A campaign chosen with nothing waiting stays chosen, with 0;
the kind filter narrows the counts as it narrows the list; a campaign's name is escaped."""
import html
import json
import re
import uuid

from conftest import URL, Api, Tenant, add_prospects, cli, sign_in, sql

JSON = {"Content-Type": "application/json"}
PASSWORD = "correct horse battery staple"


def send(api, cid, rel):
    r = api.post(f"/v1/link-building/campaign/{cid}/send-email", headers=JSON, data=json.dumps(
        {"relationshipId": rel, "subject": "s " + uuid.uuid4().hex, "body": "Hello"}))
    assert r.status_code == 202 and r.json()["invocation"]["status"] == "awaiting_approval", r.text


def campaign_with_sends(t, name, n):
    cid = t.campaign(name=name, template={"subject": "", "body": ""})  # no drafts
    rels = add_prospects(t.api, cid, [
        {"domain": f"d{i}-{uuid.uuid4().hex[:6]}.example", "contactName": "Ann",
         "contactEmail": f"ann{i}@d{i}-{uuid.uuid4().hex[:6]}.example"} for i in range(n)])
    for rel in rels.values():
        send(t.api, cid, rel)
    return cid


def queue(s, ws, query=""):
    r = s.get(f"{URL}/app/w/{ws}/approvals{query}", timeout=30)
    assert r.status_code == 200, r.text[:300]
    menu = re.search(r'<select name="campaign">(.*?)</select>', r.text, re.S).group(1)
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', menu)
    waiting = int(re.search(r'<span class="count">(\d+) waiting</span>', r.text).group(1))
    rows = len(re.findall(r'href="/app/w/[^/]+/approvals/out_', r.text))
    return waiting, [(v, bool(sel), html.unescape(label)) for v, sel, label in options[1:]], rows


def test_the_menu_offers_the_campaigns_with_messages_waiting_with_their_counts():
    t = Tenant()
    tag = uuid.uuid4().hex[:6]
    two = campaign_with_sends(t, f"Beta <b>{tag}</b>", 2)
    one = campaign_with_sends(t, f"Alpha {tag}", 1)
    none = t.campaign(name=f"Gamma {tag}")
    email = f"queue.{tag}@agency.example"
    cli("user", "add", email, "--workspace", t.ws, "--role", "approver", "--password-stdin",
        stdin=PASSWORD + "\n")
    s = sign_in(email, PASSWORD)

    waiting, menu, rows = queue(s, t.ws)
    assert waiting == 3 and rows == 3
    assert menu == [(one, False, f"Alpha {tag} (1)"), (two, False, f"Beta <b>{tag}</b> (2)")]
    assert f"Beta &lt;b&gt;{tag}" in s.get(f"{URL}/app/w/{t.ws}/approvals", timeout=30).text

    waiting, menu, rows = queue(s, t.ws, f"?campaign={two}")
    assert waiting == 2 and rows == 2
    assert [(v, sel) for v, sel, _ in menu] == [(one, False), (two, True)]

    # chosen with nothing waiting: kept in the menu, selected, with 0; the page is empty
    waiting, menu, rows = queue(s, t.ws, f"?campaign={none}")
    assert waiting == 0 and rows == 0
    assert menu[-1] == (none, True, f"Gamma {tag} (0)") and len(menu) == 3

    # the kind filter narrows the counts: no draft waits
    waiting, menu, rows = queue(s, t.ws, "?kind=draft")
    assert (waiting, menu, rows) == (0, [], 0)
    waiting, menu, rows = queue(s, t.ws, "?kind=send_email")
    assert waiting == 3 and [n for _, _, n in menu] == [f"Alpha {tag} (1)",
                                                        f"Beta <b>{tag}</b> (2)"]

    # a decided message leaves the counts and the menu
    a = Api(t.approver_key)
    got = a.get("/v1/approvals", query=f"campaignId={one}")
    assert got.status_code == 200, got.text
    mid = got.json()["data"][0]["id"]
    r = a.post(f"/v1/approvals/{mid}/approve", headers=JSON, data="{}")
    assert r.status_code == 200, r.text
    waiting, menu, rows = queue(s, t.ws)
    assert waiting == 2 and rows == 2 and [v for v, _, _ in menu] == [two]

    # another workspace's campaign is not offered, and filters nothing in
    other = t.campaign(ws=t.ws2, name=f"Other {tag}")
    waiting, menu, rows = queue(s, t.ws, f"?campaign={other}")
    assert (waiting, rows) == (0, 0) and all(v != other for v, _, _ in menu)


def test_a_count_gone_wrong_never_hides_a_waiting_message():
    """The menu and the total come from kept counts (migration 180); the list comes from the
    messages. Counts that went wrong (an old program writing between `linkcamp migrate`
    and its restart) may misstate the numbers, never hide what waits."""
    t = Tenant()
    tag = uuid.uuid4().hex[:6]
    campaign_with_sends(t, f"Drifted {tag}", 2)
    email = f"drift.{tag}@agency.example"
    cli("user", "add", email, "--workspace", t.ws, "--role", "approver", "--password-stdin",
        stdin=PASSWORD + "\n")
    s = sign_in(email, PASSWORD)
    ws_id = int(sql(f"SELECT id FROM workspaces WHERE public_id = '{t.ws}'")[0][0])
    sql(f"UPDATE approval_waiting SET n = 0 WHERE workspace_id = {ws_id}")
    try:
        waiting, menu, rows = queue(s, t.ws)
        assert (waiting, menu, rows) == (0, [], 2)
    finally:  # the counts as the store keeps them (test_zya_kept_counts checks them all)
        sql("UPDATE approval_waiting w SET n = (SELECT COUNT(*) FROM outbound_messages m "
            "WHERE m.workspace_id = w.workspace_id AND m.campaign_id = w.campaign_id "
            f"AND m.kind = w.kind AND m.status = 0) WHERE w.workspace_id = {ws_id}")
    assert queue(s, t.ws)[0] == 2
