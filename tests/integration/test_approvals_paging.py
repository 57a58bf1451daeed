"""Paging the approval queue: every message awaiting approval comes once, newest first, over
pages of every size, with and without filters. A first page and the pages after it run
different statements (the first has no cursor, so no window: docs/first-reads.md), and
they must agree with one page that holds everything. The signed-in queue page pages the
same list through its "Older" link."""
import json
import re
import uuid

import pytest
from conftest import URL, Tenant, cli, rows_read_by, sign_in

CAMPAIGN = "/v1/link-building/campaign"
JSON = {"Content-Type": "application/json"}


def prospects(n, tag):
    return [{"domain": f"site{i}-{tag}.example", "contactName": f"Contact {i}",
             "contactEmail": f"c{i}@site{i}-{tag}.example"} for i in range(n)]


@pytest.fixture(scope="module")
def queue():
    """A workspace with two campaigns and, besides their drafts, a few one-off emails
    awaiting approval, some made in the same millisecond range (ties broken by id)."""
    t = Tenant()
    tag = uuid.uuid4().hex[:6]
    a = t.campaign(name="paging A", prospects=prospects(7, tag + "a"))
    b = t.campaign(name="paging B", prospects=prospects(4, tag + "b"))
    for cid in (a, b):
        rels = t.api.get("/v1/link-building/crm/relationship",
                         query=f"campaignId={cid}&limit=200").json()["data"]
        for r in rels[:3]:
            resp = t.api.post(f"{CAMPAIGN}/{cid}/send-email", headers=JSON, data=json.dumps(
                {"relationshipId": r["id"], "subject": "one-off " + uuid.uuid4().hex[:6],
                 "body": "Hello,\nthis is a test.", "scheduleAt": "now"}))
            assert resp.status_code in (200, 201, 202), resp.text
    return t, a, b


def all_at_once(api, query):
    body = api.get("/v1/approvals", query=f"{query}&limit=200").json()
    assert body["nextCursor"] is None
    return body


def by_pages(api, query, limit):
    ids, cursor, totals = [], None, set()
    for _ in range(100):
        q = f"{query}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        r = api.get("/v1/approvals", query=q)
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["data"]) <= limit
        ids += [m["id"] for m in body["data"]]
        totals.add(body["total"])
        cursor = body["nextCursor"]
        if cursor is None:
            return ids, totals
        assert body["data"], "a page with a next cursor holds items"
    raise AssertionError("more than 100 pages")


@pytest.mark.parametrize("query", ["status=pending", "status=pending&kind=send_email",
                                   "status=pending&kind=draft,send_email"])
@pytest.mark.parametrize("limit", [1, 2, 3, 5, 50])
def test_pages_hold_every_pending_message_once_newest_first(queue, query, limit):
    t, _, _ = queue
    whole = all_at_once(t.api, query)
    want = [m["id"] for m in whole["data"]]
    assert len(want) == whole["total"] > 0
    created = [m["createdAt"] for m in whole["data"]]
    assert created == sorted(created, reverse=True)
    ids, totals = by_pages(t.api, query, limit)
    assert ids == want
    assert totals == {whole["total"]}


@pytest.mark.parametrize("limit", [1, 2, 4])
def test_a_campaign_filter_pages_only_its_messages(queue, limit):
    t, a, b = queue
    for cid in (a, b):
        whole = all_at_once(t.api, f"status=pending&campaignId={cid}")
        assert whole["data"] and {m["campaignId"] for m in whole["data"]} == {cid}
        ids, totals = by_pages(t.api, f"status=pending&campaignId={cid}", limit)
        assert ids == [m["id"] for m in whole["data"]]
        assert totals == {whole["total"]}
    both = all_at_once(t.api, "status=pending")["total"]
    assert both == sum(all_at_once(t.api, f"status=pending&campaignId={c}")["total"]
                       for c in (a, b))


def test_the_signed_in_queue_pages_the_same_list(queue):
    """The queue page shows 50 rows a page; with more than 50 pending, its Older link
    leads to the rest, and the two pages together hold the API's list."""
    t, a, _ = queue
    # 50 more one-off emails so that the page has a second page
    rels = t.api.get("/v1/link-building/crm/relationship",
                     query=f"campaignId={a}&limit=200").json()["data"]
    for i in range(50):
        r = t.api.post(f"{CAMPAIGN}/{a}/send-email", headers=JSON, data=json.dumps(
            {"relationshipId": rels[i % len(rels)]["id"], "subject": f"bulk {i}",
             "body": "Hello.", "scheduleAt": "now"}))
        assert r.status_code in (200, 201, 202), r.text
    want = [m["id"] for m in all_at_once(t.api, "status=pending")["data"]]
    assert len(want) > 50
    email = f"pager-{uuid.uuid4().hex[:8]}@agency.example"
    password = "correct horse battery " + uuid.uuid4().hex[:8]
    cli("user", "add", email, "--workspace", t.ws, "--role", "approver", "--password-stdin",
        stdin=password + "\n")
    s = sign_in(email, password)
    seen, path = [], f"/app/w/{t.ws}/approvals"
    for _ in range(5):
        page = s.get(URL + path, timeout=30)
        assert page.status_code == 200
        seen += re.findall(r'name="id" value="(out_[A-Za-z0-9_-]+)"', page.text)
        m = re.search(r'<a href="([^"]+)">Older', page.text)
        if m is None:
            break
        path = m.group(1).replace("&amp;", "&")
    assert seen == want


def test_a_page_of_a_long_queue_reads_the_page_not_the_queue():
    """A workspace with 40 campaigns and 1,000 messages awaiting approval: a page of 50, its
    total included, reads about the page's rows (each with its campaign, prospect,
    workspace and invocation) and the queue's counts, never each waiting message. MariaDB
    once read every campaign and sorted every waiting message for such a page (103 ms on
    the bench's data set; docs/first-reads.md "A long queue's page"). Counted as MariaDB's
    rows read across the request, with the worker stopped so nothing else reads."""
    t = Tenant()
    cli("credits", "grant", t.ws, "2000")
    tag = uuid.uuid4().hex[:6]
    cids = []
    for c in range(40):
        cid = t.campaign(name=f"long queue {c}", template={"subject": "Hi", "body": "Hello"})
        cli("prospects", "import", t.ws, cid, stdin="domain,contactEmail,contactName\n" + "".join(
            f"q{c}-{i}-{tag}.example,p@q{c}-{i}-{tag}.example,P {i}\n" for i in range(25)))
        cids.append(cid)
    first = t.api.get("/v1/approvals", query="limit=50").json()
    assert first["total"] == 1000 and len(first["data"]) == 50, first["total"]
    queries = {"first page": "limit=50", "next page": f"limit=50&cursor={first['nextCursor']}",
               "a campaign": f"limit=50&campaignId={cids[7]}", "drafts only": "limit=50&kind=draft"}
    reads = rows_read_by({name: (lambda q=q: t.api.get("/v1/approvals", query=q))
                          for name, q in queries.items()})
    for name, (n, r) in reads.items():
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total"] == (25 if name == "a campaign" else 1000), (name, body["total"])
        assert len(body["data"]) == (25 if name == "a campaign" else 50), name
    # 51 messages with 3 joined rows each, 40 campaigns' counts: ~250; the queue is 1,000
    assert all(n < 500 for n, _ in reads.values()), {k: n for k, (n, _) in reads.items()}
