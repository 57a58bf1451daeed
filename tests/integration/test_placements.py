"""Link placements (SPEC §6, docs/placements.md) against the real stack and a real page server.

The page server is Python's http.server on 127.0.0.1, answering GETs by path from a dict
the tests fill: a page with or without the link, a 500, a redirect, a huge page, a page
whose link disappears later. The test stack runs with [webhooks] allow_private and
allow_http on (the checker fetches pages under the same switches), [placements]
recheck_seconds = 2 and backoff_scale_ms = 20 (retries 50 times sooner)."""
import json
import os
import subprocess
import threading
import uuid
from http.server import BaseHTTPRequestHandler

import pytest

from conftest import (LocalHttp, Tenant, add_prospects, assert_problem, sql,
                      start_worker_process, stop_process, wait_for)
from test_webhooks import Receiver, create

DEV = os.environ.get("LINKCAMP_DEV", "")
INSTANCE = os.environ.get("LINKCAMP_INSTANCE", "test")
LOG_DIR = os.environ.get("LINKCAMP_LOG_DIR", "/tmp")
JSON = {"Content-Type": "application/json"}
TARGET = "https://target.example/guide"
LINKED = ('<html><head><title>Resources</title></head><body><table><tr><td>'
          '<p>Great tools: <a href="HTTPS://Target.example:443/guide/#intro">the guide</a>'
          '</td></tr></table></body></html>')
UNLINKED = '<html><body><p>No links here. <a href="https://other.example/">other</a></p></body></html>'


class Pages(LocalHttp):
    """Serves pages[path] = (status, headers, body bytes); records every GET path."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pages = {}
        self.hits = []
        pages = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                with pages.lock:
                    pages.hits.append((self.path, self.headers.get("User-Agent", "")))
                    status, headers, body = pages.pages.get(self.path, (404, {}, b"not here"))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the checker stops reading past its cap

            def log_message(self, *args):
                pass

        LocalHttp.__init__(self, Handler)

    def url(self, path, host="127.0.0.1"):
        """The page's URL on host: any name under .localhost reaches this server (libcurl
        resolves *.localhost to the loopback address itself)."""
        return f"http://{host}:{self.port}{path}"

    def put(self, body, status=200, headers=None):
        path = f"/p/{uuid.uuid4().hex}"
        self.set(path, body, status, headers)
        return path

    def set(self, path, body, status=200, headers=None):
        if isinstance(body, str):
            body = body.encode()
        with self.lock:
            self.pages[path] = (status, headers or {}, body)

    def hits_of(self, path):
        with self.lock:
            return [h for h in self.hits if h[0] == path]



@pytest.fixture(scope="module")
def pages():
    p = Pages()
    yield p
    p.stop()


@pytest.fixture(scope="module")
def rx():
    r = Receiver()
    yield r
    r.stop()


def new_site():
    """A fresh prospect domain whose pages this test's server serves (see Pages.url)."""
    return f"s{uuid.uuid4().hex[:12]}.localhost"


def setup_rel(t, target=TARGET, site=None):
    """A campaign and one prospect on site (a fresh one by default): (cid, rid, site)."""
    site = site or new_site()
    cid = t.campaign(targetUrl=target, template={"subject": "", "body": ""})
    rels = add_prospects(t.api, cid, [{"domain": site, "contactName": "Ada",
                                       "contactEmail": f"ada-{uuid.uuid4().hex[:6]}@{site}"}])
    return cid, list(rels.values())[0], site


def place(api, rid, url, key=None, **kw):
    headers = dict(JSON)
    if key:
        headers["Idempotency-Key"] = key
    return api.post(f"/v1/link-building/relationship/{rid}/placement", headers=headers,
                    data=json.dumps({"linkUrl": url}), **kw)


def placements(api, rid):
    r = api.get(f"/v1/link-building/relationship/{rid}/placement")
    assert r.status_code == 200, r.text
    return r.json()["data"]


def status_of(api, rid, pid):
    return next(p for p in placements(api, rid) if p["id"] == pid)


def wait_status(api, rid, pid, want, timeout=90):
    return wait_for(lambda: (lambda p: p if p["status"] == want else None)(status_of(api, rid, pid)),
                    timeout=timeout)


def campaign(api, cid):
    r = api.get(f"/v1/link-building/campaign/{cid}")
    assert r.status_code == 200, r.text
    return r.json()


def relationship(api, rid):
    r = api.get(f"/v1/link-building/crm/relationship/{rid}")
    assert r.status_code == 200, r.text
    return r.json()


def received(rx, path, typ):
    return [json.loads(b) for p, _, b in rx.at(path) if json.loads(b)["type"] == typ]


def test_verified_link_counts_and_fires_the_webhook(pages, rx):
    t = Tenant()
    cid, rid, site = setup_rel(t)
    hook = f"/ok/{uuid.uuid4().hex}"
    assert create(t.api, rx.url(hook), ["link_building.link.placed"]).status_code == 201
    path = pages.put(LINKED)
    url = pages.url(path, site)
    r = place(t.api, rid, url)
    assert r.status_code == 202, r.text
    p = r.json()
    assert p["id"].startswith("pl_") and p["status"] == "pending"
    assert p["relationshipId"] == rid and p["campaignId"] == cid and p["linkUrl"] == url
    assert p["checkedAt"] is None and p["verifiedAt"] is None
    # a pending placement is not counted; the worker may verify it at any moment, so the
    # count is read first and holds only while the placement is still pending after it
    # (verifying sets both in one transaction)
    count_before = campaign(t.api, cid)["placedCount"]
    if status_of(t.api, rid, p["id"])["status"] == "pending":
        assert count_before == 0
    v = wait_status(t.api, rid, p["id"], "verified")
    assert v, status_of(t.api, rid, p["id"])
    assert v["checkedAt"] and v["verifiedAt"] and v["httpStatus"] == 200 and v["lastError"] is None
    assert v["nextCheckAt"]
    assert pages.hits_of(path)[0][1].startswith("linkcamp-placement-check/")
    rel = relationship(t.api, rid)
    assert rel["status"] == "link_placed" and rel["linkUrl"] == url
    assert campaign(t.api, cid)["placedCount"] == 1
    m = t.api.get(f"/v1/link-building/campaign/{cid}/metrics").json()
    assert m["summary"]["placed"] == 1, m
    assert "first_link_placed" in [e["event"] for e in m["timeline"]], m
    got = wait_for(lambda: received(rx, hook, "link_building.link.placed"), timeout=60)
    assert got, rx.at(hook)
    d = got[0]["data"]
    assert d["relationshipId"] == rid and d["campaignId"] == cid and d["linkUrl"] == url
    # re-checks keep it verified and count nothing twice
    assert wait_for(lambda: len(pages.hits_of(path)) >= 3, timeout=60)
    assert status_of(t.api, rid, p["id"])["status"] == "verified"
    assert campaign(t.api, cid)["placedCount"] == 1
    assert len(received(rx, hook, "link_building.link.placed")) == 1
    # the event log has one link_placed
    assert sql("SELECT COUNT(*) FROM events e JOIN relationships r ON r.id = e.relationship_id "
               f"WHERE r.public_id = '{rid}' AND e.type = 'link_placed'") == [["1"]]


def test_absent_link_and_gone_page_are_not_found_errors_stay_pending(pages):
    """missing (a page without the link, a 404) runs the retries and ends not_found; an
    error page is unverifiable: retried, never not_found, never counted."""
    t = Tenant()
    cid, rid, site = setup_rel(t)
    absent = pages.put(UNLINKED)
    gone = pages.put("gone", status=404)
    broken = pages.put("oops", status=500)
    ids = {}
    for name, path in (("absent", absent), ("gone", gone), ("broken", broken)):
        r = place(t.api, rid, pages.url(path, site))
        assert r.status_code == 202, r.text
        ids[name] = r.json()["id"]
    for name in ("absent", "gone"):
        p = wait_status(t.api, rid, ids[name], "not_found")
        assert p, (name, status_of(t.api, rid, ids[name]))
        assert p["verifiedAt"] is None and p["lastError"] and p["verdict"] == "missing"
    assert len(pages.hits_of(absent)) == 4  # the first check and three retries
    assert "no link" in status_of(t.api, rid, ids["absent"])["lastError"]
    assert status_of(t.api, rid, ids["gone"])["httpStatus"] == 404
    # the 500 is retried past the four checks and stays pending
    assert wait_for(lambda: len(pages.hits_of(broken)) >= 5, timeout=60)
    b = status_of(t.api, rid, ids["broken"])
    assert b["status"] == "pending" and b["verdict"] == "unverifiable", b
    assert b["httpStatus"] == 500 and "server error" in b["lastError"], b
    assert campaign(t.api, cid)["placedCount"] == 0
    assert relationship(t.api, rid)["status"] == "prospect"
    assert sql("SELECT COUNT(*) FROM events e JOIN relationships r ON r.id = e.relationship_id "
               f"WHERE r.public_id = '{rid}' AND e.type IN ('link_placed', 'link_lost')") == [["0"]]
    # posting a not_found URL again queues it again; now the page has the link
    pages.set(absent, LINKED)
    r = place(t.api, rid, pages.url(absent, site))
    assert r.status_code == 200 and r.json()["id"] == ids["absent"], r.text
    assert r.json()["status"] == "pending"
    assert wait_status(t.api, rid, ids["absent"], "verified")
    assert campaign(t.api, cid)["placedCount"] == 1


def test_huge_pages(pages):
    t = Tenant()
    cid, rid, site = setup_rel(t)
    link = '<a href="https://target.example/guide">g</a>'
    early = pages.put("<html><body>" + link + "<p>" + "x" * (3 << 20) + "</p></body></html>")
    late = pages.put("<html><body><p>" + "y" * (3 << 20) + "</p>" + link + "</body></html>")
    e = place(t.api, rid, pages.url(early, site)).json()["id"]
    lt = place(t.api, rid, pages.url(late, site)).json()["id"]
    assert wait_status(t.api, rid, e, "verified")
    # past the 2 MiB the checker reads: not seen. No link at all in what was read: we
    # cannot tell, so unverifiable (a page with other links before the cap would be missing)
    p = wait_for(lambda: (lambda x: x if x["verdict"] else None)(status_of(t.api, rid, lt)),
                 timeout=60)
    assert p["status"] == "pending" and p["verdict"] == "unverifiable", p
    other = pages.put('<html><body><a href="/about">about</a><p>' + "z" * (3 << 20) + "</p>"
                      + link + "</body></html>")
    o = place(t.api, rid, pages.url(other, site)).json()["id"]
    p = wait_for(lambda: (lambda x: x if x["verdict"] else None)(status_of(t.api, rid, o)),
                 timeout=60)
    assert p["verdict"] == "missing" and "first 2 MiB" in p["lastError"], p


def test_removed_link_is_lost(pages, rx):
    t = Tenant()
    cid, rid, site = setup_rel(t)
    hook = f"/ok/{uuid.uuid4().hex}"
    assert create(t.api, rx.url(hook), ["link_building.link.placed",
                                        "link_building.link.lost"]).status_code == 201
    path = pages.put(LINKED)
    url = pages.url(path, site)
    pid = place(t.api, rid, url).json()["id"]
    assert wait_status(t.api, rid, pid, "verified")
    pages.set(path, UNLINKED)
    p = wait_status(t.api, rid, pid, "lost")
    assert p, status_of(t.api, rid, pid)
    assert p["lostAt"] and p["verifiedAt"]
    got = wait_for(lambda: received(rx, hook, "link_building.link.lost"), timeout=60)
    assert got, rx.at(hook)
    assert got[0]["data"]["linkUrl"] == url and got[0]["data"]["relationshipId"] == rid
    # counters keep "ever placed"; the relationship stays link_placed
    assert campaign(t.api, cid)["placedCount"] == 1
    assert relationship(t.api, rid)["status"] == "link_placed"
    # a lost placement is looked at again only after lost_recheck_seconds (an hour here)
    n = len(pages.hits_of(path))
    import time
    time.sleep(3)
    assert len(pages.hits_of(path)) == n
    assert p["verdict"] == "missing" and p["nextCheckAt"] is not None


def test_validation_and_not_found(pages):
    t = Tenant()
    cid, rid, site = setup_rel(t)
    for bad in ("", "not a url", "ftp://x.example/a", "https://user:pw@x.example/a",
                "https://x.example/" + "a" * 2000, "https://x.example/\u00e9", "/relative",
                "https://x.example/a b"):
        assert_problem(place(t.api, rid, bad), 422, "validation_failed", "linkUrl")
    r = t.api.post(f"/v1/link-building/relationship/{rid}/placement", headers=JSON,
                   data=json.dumps({"linkUrl": 5}))
    assert_problem(r, 422, "validation_failed", "linkUrl")
    r = t.api.post(f"/v1/link-building/relationship/{rid}/placement", headers=JSON,
                   data=json.dumps({}))
    assert_problem(r, 422, "validation_failed", "linkUrl")
    r = t.api.post(f"/v1/link-building/relationship/{rid}/placement", headers=JSON,
                   data=json.dumps({"linkUrl": pages.url("/x", site), "extra": 1}))
    assert_problem(r, 422, "validation_failed", "extra")
    # another workspace's relationship, an unknown one, a malformed id
    assert_problem(place(t.api2, rid, pages.url("/x", site)), 404, "relationship_not_found")
    assert_problem(t.api2.get(f"/v1/link-building/relationship/{rid}/placement"), 404,
                   "relationship_not_found")
    assert_problem(place(t.api, "rel_" + "A" * 22, pages.url("/x", site)), 404, "relationship_not_found")
    assert_problem(place(t.api, "nope", pages.url("/x", site)), 404, "relationship_not_found")
    assert placements(t.api, rid) == []


def test_placement_must_be_on_the_prospects_site(pages):
    """linkUrl must share the prospect's registrable domain (public suffix aware);
    subdomains count, any other host is 422 naming linkUrl."""
    t = Tenant()
    cid, rid, site = setup_rel(t)
    for host in ("127.0.0.1", "other.localhost", f"{site}.evil.localhost", "localhost",
                 "s" + site):
        r = place(t.api, rid, pages.url("/x", host))
        assert_problem(r, 422, "validation_failed", "linkUrl")
        assert "prospect's domain" in r.json()["detail"], r.text
    for host in (site, f"www.{site}", f"blog.news.{site}", site.upper(), site + "."):
        r = place(t.api, rid, pages.url(f"/{uuid.uuid4().hex}", host))
        assert r.status_code == 202, (host, r.text)
    # public suffixes: a.github.io is not b.github.io; www.shop.co.uk is shop.co.uk
    cid2 = t.campaign(targetUrl=TARGET, template={"subject": "", "body": ""})
    rels = add_prospects(t.api, cid2, [
        {"domain": "alice.github.io", "contactName": "A", "contactEmail": "a@alice.example"},
        {"domain": "shop.co.uk", "contactName": "S", "contactEmail": "s@shop.co.uk"}])
    gh, uk = rels["a@alice.example"], rels["s@shop.co.uk"]
    assert_problem(place(t.api, gh, "https://mallory.github.io/post"), 422, "validation_failed",
                   "linkUrl")
    assert place(t.api, gh, "https://alice.github.io/post").status_code == 202
    assert_problem(place(t.api, uk, "https://other.co.uk/post"), 422, "validation_failed",
                   "linkUrl")
    assert place(t.api, uk, "https://www.shop.co.uk/post").status_code == 202
    assert len(placements(t.api, rid)) == 5


def test_one_placement_per_url_and_idempotency(pages):
    t = Tenant()
    cid, rid, site = setup_rel(t)
    url = pages.url(pages.put(UNLINKED), site)
    key = uuid.uuid4().hex
    a = place(t.api, rid, url, key=key)
    assert a.status_code == 202, a.text
    b = place(t.api, rid, url, key=key)
    assert b.status_code == 202 and b.json() == a.json()
    c = place(t.api, rid, url)
    assert c.status_code == 200 and c.json()["id"] == a.json()["id"]
    d = place(t.api, rid, url + "?other=1")
    assert d.status_code == 202 and d.json()["id"] != a.json()["id"]
    assert len(placements(t.api, rid)) == 2
    assert sql(f"SELECT COUNT(*) FROM placements WHERE link_url = '{url}'") == [["1"]]


def test_private_addresses_are_refused_unless_allowed(pages):
    """A worker with [webhooks] allow_private off refuses to fetch a page on 127.0.0.1."""
    t = Tenant()
    cid, rid, site = setup_rel(t)
    path = pages.put(LINKED)
    subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=60)
    worker = None
    try:
        worker = start_worker_process("placement-private-worker.log", LINKCAMP_WEBHOOK_ALLOW_PRIVATE="no",
                                      LINKCAMP_WORKER_POLL_MS="50")
        pid = place(t.api, rid, pages.url(path, site)).json()["id"]
        p = wait_for(lambda: (lambda x: x if x["checkedAt"] else None)(status_of(t.api, rid, pid)),
                     timeout=60)
        assert p, status_of(t.api, rid, pid)
        assert p["status"] == "pending" and p["httpStatus"] is None
        assert p["verdict"] == "unverifiable"
        assert "refused" in p["lastError"] and "private" in p["lastError"]
        assert pages.hits_of(path) == []
        # read while only the refusing worker runs: an unverifiable check is checked again
        # (docs/placements.md), and the stack's own worker allows private addresses
        assert campaign(t.api, cid)["placedCount"] == 0
    finally:
        try:
            stop_process(worker)
        finally:
            subprocess.run([DEV, "worker-start", INSTANCE], check=True, timeout=60)


def test_links_in_a_reply_on_the_prospects_domain_become_placements(pages):
    """A human reply's links (outside the quoted part) on the prospect's domain are queued
    as placements and checked like posted ones; other links are not."""
    t = Tenant()
    cid = t.campaign(targetUrl=TARGET, template={"subject": "", "body": ""})
    email = f"pat-{uuid.uuid4().hex[:6]}@prospect.example"
    rid = list(add_prospects(t.api, cid, [{"domain": "127.0.0.1", "contactName": "Pat",
                                           "contactEmail": email}]).values())[0]
    path = pages.put(LINKED)
    url = pages.url(path)
    raw = "\r\n".join([f"From: Pat <{email}>", "To: sam@agency.example", "Subject: done",
                       "Date: Thu, 26 Nov 2026 09:00:00 +0000",
                       f"Message-ID: <{uuid.uuid4().hex}@prospect.example>", "MIME-Version: 1.0",
                       "Content-Type: text/plain; charset=utf-8"])
    raw += (f"\r\n\r\nDone! It is live at {url} - and see https://other.example/page too.\r\n\r\n"
            f"On Wed, Sam wrote:\r\n> quoted {pages.url('/p/quoted')}\r\n")
    r = t.api.post("/v1/link-building/inbound", data=raw.encode(),
                   headers={"Content-Type": "message/rfc822"})
    assert r.status_code in (200, 201, 202), r.text
    got = placements(t.api, rid)
    assert [p["linkUrl"] for p in got] == [url], got
    assert wait_status(t.api, rid, got[0]["id"], "verified")
    assert campaign(t.api, cid)["placedCount"] == 1
    assert relationship(t.api, rid)["status"] == "link_placed"
