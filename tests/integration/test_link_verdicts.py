"""Links you can trust (issue 17, docs/placements.md): a verdict with its evidence for
every check, against the real stack and a real HTTP server this test starts.

The site server (Python's http.server on 127.0.0.1) answers GETs by path from a dict the
tests fill: status, headers (exactly those given), body, and whether to gzip it. Pages
live on names under .localhost (libcurl resolves them to the loopback address), one
fresh site per test, so that the registrable-domain rule, redirects between sites and
per-host politeness are real. The test stack re-checks verified links every 2 s, counts a
missing result toward lost 1 s after the last one ("another day"), and lets one request
per host through every 300 ms."""
import gzip
import hashlib
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler

import pytest

from conftest import LocalHttp, Tenant, add_prospects, assert_problem, sql, wait_for
from test_webhooks import Receiver, create

JSON = {"Content-Type": "application/json"}
TARGET = "https://target.example/guide"
HTML = {"Content-Type": "text/html; charset=utf-8"}


class Site(LocalHttp):
    """pages[path] = (status, [(header, value)], body bytes, gzip?, delay seconds); records
    every GET as (host, path, user agent, time)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pages = {}
        self.hits = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                host = (self.headers.get("Host") or "").split(":")[0]
                with site.lock:
                    site.hits.append((host, self.path, self.headers.get("User-Agent", ""),
                                      time.monotonic()))
                    status, headers, body, gz, delay = site.pages.get(
                        (host, self.path), site.pages.get(("*", self.path),
                                                          (404, [], b"not here", False, 0)))
                if delay:
                    time.sleep(delay)
                if gz:
                    body = gzip.compress(body)
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                if gz:
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        LocalHttp.__init__(self, Handler)

    def put(self, host, body, status=200, headers=None, gz=False, delay=0, path=None):
        path = path or f"/p/{uuid.uuid4().hex}"
        if isinstance(body, str):
            body = body.encode()
        with self.lock:
            self.pages[(host, path)] = (status, HTML_LIST if headers is None else headers,
                                        body, gz, delay)
        return f"http://{host}:{self.port}{path}"

    def hits_of(self, host, path=None):
        with self.lock:
            return [h for h in self.hits if h[0] == host and (path is None or h[1] == path)]


HTML_LIST = [("Content-Type", "text/html; charset=utf-8")]


@pytest.fixture(scope="module")
def site():
    s = Site()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def rx():
    r = Receiver()
    yield r
    r.stop()


def new_site():
    return f"v{uuid.uuid4().hex[:12]}.localhost"


def setup_rel(t, domain):
    cid = t.campaign(targetUrl=TARGET, template={"subject": "", "body": ""})
    rels = add_prospects(t.api, cid, [{"domain": domain, "contactName": "Ada",
                                       "contactEmail": f"ada-{uuid.uuid4().hex[:6]}@{domain}"}])
    return cid, list(rels.values())[0]


def place(api, rid, url, **extra):
    body = {"linkUrl": url}
    body.update(extra)
    return api.post(f"/v1/link-building/relationship/{rid}/placement", headers=JSON,
                    data=json.dumps(body))


def placement(api, rid, pid):
    r = api.get(f"/v1/link-building/relationship/{rid}/placement")
    assert r.status_code == 200, r.text
    return next(p for p in r.json()["data"] if p["id"] == pid)


def checks(api, rid, pid, query=""):
    r = api.get(f"/v1/link-building/relationship/{rid}/placement/{pid}/checks{query}")
    assert r.status_code == 200, r.text
    return r.json()


def judged(api, rid, pid, timeout=90):
    """The placement once its first check is recorded."""
    return wait_for(lambda: (lambda p: p if p["verdict"] else None)(placement(api, rid, pid)),
                    timeout=timeout)


def page(body_links, head="", text="Some words about tools and guides for readers."):
    return (f"<html><head><title>Post</title>{head}</head><body><article><p>{text} "
            f"{body_links} and more text after the link to read.</p></article></body></html>")


LINK = '<a href="https://target.example/guide">the guide</a>'


def test_every_verdict_with_its_evidence(site):
    t = Tenant()
    host = new_site()
    cid, rid = setup_rel(t, host)
    cases = {
        # name: (url, expected placement fields, verdict, issues)
        "live": (site.put(host, page(LINK), headers=HTML_LIST + [
            ("Last-Modified", "Wed, 25 Nov 2026 10:00:00 GMT")]),
            {"expectedAnchor": "The   Guide"}, "live", []),
        "nofollow": (site.put(host, page('<a rel="nofollow sponsored" href="https://target.example/guide">x</a>')),
                     {}, "live_with_issues", ["not_followed"]),
        "sponsored_expected": (site.put(host, page('<a rel="sponsored" href="https://target.example/guide">x</a>')),
                               {"expectedRel": "sponsored"}, "live", []),
        "rel_differs": (site.put(host, page(LINK)), {"expectedRel": "sponsored"},
                        "live_with_issues", ["rel_differs"]),
        "anchor": (site.put(host, page(LINK)), {"expectedAnchor": "best guide"},
                   "live_with_issues", ["anchor_differs"]),
        "meta_noindex": (site.put(host, page(LINK, head='<meta name="robots" content="noindex, follow">')),
                         {}, "live_with_issues", ["noindex_meta"]),
        "header_noindex": (site.put(host, page(LINK), headers=HTML_LIST + [
            ("X-Robots-Tag", "googlebot: noindex")]), {}, "live_with_issues", ["noindex_header"]),
        "other_bot_noindex": (site.put(host, page(LINK), headers=HTML_LIST + [
            ("X-Robots-Tag", "otherbot: noindex")]), {}, "live", []),
        "canonical": (site.put(host, page(LINK, head='<link rel="canonical" href="/elsewhere">')),
                      {}, "live_with_issues", ["canonical_elsewhere"]),
        "missing": (site.put(host, page('<a href="https://other.example/">other</a>')), {},
                    "missing", []),
        "forbidden": (site.put(host, "<html><title>Just a moment...</title></html>", status=403),
                      {}, "unverifiable", []),
        "rate_limited": (site.put(host, "slow down", status=429), {}, "unverifiable", []),
        "server_error": (site.put(host, "oops", status=503), {}, "unverifiable", []),
        "challenge_200": (site.put(host, '<html><head><title>Just a moment...</title></head><body>'
                                         '<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1">'
                                         '</script><a href="/">home</a></body></html>'),
                          {}, "unverifiable", []),
        "script_shell": (site.put(host, '<html><head><script src="/app.js"></script></head>'
                                        '<body><div id="root"></div></body></html>'),
                         {}, "unverifiable", []),
        "no_links": (site.put(host, "<html><body><p>" + "Plain words. " * 40 + "</p></body></html>"),
                     {}, "unverifiable", []),
    }
    ids = {}
    for name, (url, extra, _, _) in cases.items():
        r = place(t.api, rid, url, **extra)
        assert r.status_code == 202, (name, r.text)
        ids[name] = r.json()["id"]
    for name, (url, extra, verdict, issues) in cases.items():
        p = judged(t.api, rid, ids[name])
        assert p, (name, placement(t.api, rid, ids[name]))
        assert p["verdict"] == verdict, (name, p)
        assert p["issues"] == issues, (name, p)
        assert p["status"] == ("verified" if verdict.startswith("live") else "pending"), (name, p)
        c = checks(t.api, rid, ids[name])
        assert c["total"] >= 1 and c["data"][0]["verdict"] == verdict, (name, c)
        assert c["data"][0]["issues"] == issues
        if verdict == "unverifiable":
            assert c["data"][0]["reason"], (name, c)
    # the evidence of the live check, field by field
    ev = checks(t.api, rid, ids["live"])["data"][-1]
    body = page(LINK).encode()
    assert ev["httpStatus"] == 200 and ev["finalUrl"] == cases["live"][0] and ev["redirects"] == 0
    assert ev["headers"] == {"contentType": "text/html; charset=utf-8", "xRobotsTag": None,
                             "lastModified": "Wed, 25 Nov 2026 10:00:00 GMT"}
    assert ev["bodySha256"] == hashlib.sha256(body).hexdigest() and ev["bodySize"] == len(body)
    assert ev["checkedAt"].endswith("Z") and ev["id"].startswith("chk_")
    assert ev["anchorsOnPage"] == 1 and ev["truncated"] is False
    assert ev["links"] == [{"href": "https://target.example/guide", "anchor": "the guide",
                            "rel": [], "context": ev["links"][0]["context"]}]
    ctx = ev["links"][0]["context"]
    assert "tools and guides for readers. the guide and more text after" in ctx, ctx
    nf = checks(t.api, rid, ids["nofollow"])["data"][0]
    assert nf["links"][0]["rel"] == ["nofollow", "sponsored"]
    assert checks(t.api, rid, ids["meta_noindex"])["data"][0]["metaRobots"] == "noindex, follow"
    hn = checks(t.api, rid, ids["header_noindex"])["data"][0]
    assert hn["headers"]["xRobotsTag"] == "googlebot: noindex"
    can = checks(t.api, rid, ids["canonical"])["data"][0]
    assert can["canonical"] == f"http://{host}:{site.port}/elsewhere"
    assert "403" in placement(t.api, rid, ids["forbidden"])["lastError"]
    assert "bot check" in placement(t.api, rid, ids["challenge_200"])["lastError"]
    assert "script-only" in placement(t.api, rid, ids["script_shell"])["lastError"]
    assert "no links" in placement(t.api, rid, ids["no_links"])["lastError"]
    # live and live_with_issues both count as placed; the relationship's link counted once
    r = t.api.get(f"/v1/link-building/campaign/{cid}")
    assert r.json()["placedCount"] == 1


def test_checks_are_paged_and_scoped(site):
    t = Tenant()
    host = new_site()
    cid, rid = setup_rel(t, host)
    pid = place(t.api, rid, site.put(host, page(LINK))).json()["id"]
    assert wait_for(lambda: checks(t.api, rid, pid)["total"] >= 3, timeout=90)
    first = checks(t.api, rid, pid, "?limit=2")
    assert len(first["data"]) == 2 and first["nextCursor"]
    second = checks(t.api, rid, pid, f"?limit=2&cursor={first['nextCursor']}")
    got = [c["id"] for c in first["data"] + second["data"]]
    assert len(set(got)) == len(got)
    assert [int(i[4:]) for i in got] == sorted((int(i[4:]) for i in got), reverse=True)
    base = f"/v1/link-building/relationship/{rid}/placement"
    assert_problem(t.api.get(f"{base}/pl_{'A' * 22}/checks"), 404, "placement_not_found")
    assert_problem(t.api.get(f"{base}/nope/checks"), 404, "placement_not_found")
    assert_problem(t.api2.get(f"{base}/{pid}/checks"), 404, "relationship_not_found")
    assert_problem(t.api.get(f"{base}/{pid}/checks?limit=0"), 400, "invalid_parameter", "limit")
    assert_problem(t.api.get(f"{base}/{pid}/checks?cursor=zzz"), 400, "invalid_parameter",
                   "cursor")
    assert_problem(t.api.get(f"{base}/{pid}/checks?other=1"), 400, "invalid_parameter", "other")
    # a placement of another relationship is not found under this one
    _, rid2 = setup_rel(t, host)
    assert_problem(t.api.get(f"/v1/link-building/relationship/{rid2}/placement/{pid}/checks"),
                   404, "placement_not_found")
    plan = sql("EXPLAIN SELECT id FROM placement_checks WHERE placement_id = 1 ORDER BY id DESC "
               "LIMIT 51")
    assert "ix_placement_checks_placement" in " ".join(" ".join(r) for r in plan), plan


def test_expectations_on_create_and_patch(site):
    t = Tenant()
    host = new_site()
    cid, rid = setup_rel(t, host)
    url = site.put(host, page(LINK))
    r = place(t.api, rid, url, expectedAnchor="the guide", expectedRel="follow",
              guaranteeUntil="2027-06-01T00:00:00Z", price=150.5)
    assert r.status_code == 202, r.text
    p = r.json()
    assert (p["expectedAnchor"], p["expectedRel"], p["guaranteeUntil"], p["price"]) == (
        "the guide", "follow", "2027-06-01T00:00:00Z", 150.5)
    pid = p["id"]
    base = f"/v1/link-building/relationship/{rid}/placement/{pid}"
    r = t.api.request("PATCH", base, headers=JSON, data=json.dumps({"expectedRel": "sponsored",
                                                         "price": None}))
    assert r.status_code == 200, r.text
    p = r.json()
    assert (p["expectedAnchor"], p["expectedRel"], p["price"]) == ("the guide", "sponsored", None)
    r = t.api.request("PATCH", base, headers=JSON, data=json.dumps({"expectedRel": None,
                                                         "expectedAnchor": None}))
    assert r.json()["expectedRel"] == "follow" and r.json()["expectedAnchor"] is None
    for body, param in (({"expectedRel": "dofollow"}, "expectedRel"),
                        ({"expectedRel": 3}, "expectedRel"),
                        ({"expectedAnchor": ""}, "expectedAnchor"),
                        ({"expectedAnchor": "x" * 501}, "expectedAnchor"),
                        ({"guaranteeUntil": "next year"}, "guaranteeUntil"),
                        ({"price": -1}, "price"), ({"price": 1.005}, "price"),
                        ({"price": "ten"}, "price"), ({"price": 1e12}, "price"),
                        ({"linkUrl": url}, "linkUrl")):
        assert_problem(t.api.request("PATCH", base, headers=JSON, data=json.dumps(body)), 422,
                       "validation_failed", param)
        if param != "linkUrl":
            assert_problem(place(t.api, rid, site.put(host, "x"), **body), 422,
                           "validation_failed", param)
    assert_problem(t.api.request("PATCH", f"/v1/link-building/relationship/{rid}/placement/pl_{'B' * 22}",
                               headers=JSON, data="{}"), 404, "placement_not_found")
    assert_problem(t.api2.request("PATCH", base, headers=JSON, data="{}"), 404, "relationship_not_found")


def test_lost_needs_clean_missing_results_on_different_days(site, rx):
    """unverifiable results (a 503, a bot check) never move a verified link toward lost;
    two clean missing results at least lost_confirm_seconds apart do. The webhooks carry
    the evidence of the check that decided them."""
    t = Tenant()
    host = new_site()
    cid, rid = setup_rel(t, host)
    hook = f"/ok/{uuid.uuid4().hex}"
    assert create(t.api, rx.url(hook), ["link_building.link.placed",
                                        "link_building.link.lost"]).status_code == 201
    path = f"/p/{uuid.uuid4().hex}"
    url = site.put(host, page(LINK), path=path)
    pid = place(t.api, rid, url).json()["id"]
    assert wait_for(lambda: placement(t.api, rid, pid)["status"] == "verified", timeout=90)
    n = len(checks(t.api, rid, pid)["data"])
    site.put(host, "unavailable", status=503, path=path)
    # unverifiable results in a row are asked again 2, 4, 8 s later (doubling)
    assert wait_for(lambda: checks(t.api, rid, pid)["total"] >= n + 3, timeout=90)
    p = placement(t.api, rid, pid)
    assert p["status"] == "verified" and p["verdict"] == "unverifiable", p
    site.put(host, "<html><title>Just a moment...</title></html>", status=403, path=path)
    assert wait_for(lambda: checks(t.api, rid, pid)["data"][0]["httpStatus"] == 403, timeout=90)
    assert placement(t.api, rid, pid)["status"] == "verified"
    site.put(host, page('<a href="https://other.example/">other</a>'), path=path)
    p = wait_for(lambda: (lambda x: x if x["status"] == "lost" else None)(
        placement(t.api, rid, pid)), timeout=90)
    assert p and p["verdict"] == "missing" and p["lostAt"], placement(t.api, rid, pid)
    missing = [c for c in checks(t.api, rid, pid, "?limit=200")["data"] if c["verdict"] == "missing"]
    assert len(missing) >= 2
    got = wait_for(lambda: [json.loads(b) for pth, _, b in rx.at(hook)], timeout=60)
    assert wait_for(lambda: len(rx.at(hook)) >= 2, timeout=60), rx.at(hook)
    by = {json.loads(b)["type"]: json.loads(b)["data"] for _, _, b in rx.at(hook)}
    placed, lost = by["link_building.link.placed"], by["link_building.link.lost"]
    # the old contract holds, the evidence is added
    assert placed["linkUrl"] == url and placed["relationshipId"] == rid
    assert placed["campaignId"] == cid and placed["placementId"] == pid
    assert placed["verdict"] == "live" and placed["evidence"]["links"][0]["anchor"] == "the guide"
    assert placed["evidence"]["httpStatus"] == 200
    assert lost["verdict"] == "missing" and lost["evidence"]["links"] == []
    assert lost["evidence"]["id"] == missing[0]["id"]
    assert got


def test_a_paid_link_lost_inside_its_guarantee_queues_a_reclaim_for_approval(site):
    t = Tenant()
    host = new_site()
    cid, rid = setup_rel(t, host)
    email = t.api.get(f"/v1/link-building/crm/relationship/{rid}").json()["contactEmail"]
    later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 30 * 86400))
    past = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 86400))
    paths = {k: f"/p/{uuid.uuid4().hex}" for k in ("guaranteed", "expired")}
    urls = {k: site.put(host, page(LINK), path=p) for k, p in paths.items()}
    ids = {"guaranteed": place(t.api, rid, urls["guaranteed"], guaranteeUntil=later,
                               price=250).json()["id"],
           "expired": place(t.api, rid, urls["expired"], guaranteeUntil=past).json()["id"]}
    for pid in ids.values():
        assert wait_for(lambda: placement(t.api, rid, pid)["status"] == "verified", timeout=90)
    for p in paths.values():
        site.put(host, page('<a href="https://other.example/">other</a>'), path=p)
    for pid in ids.values():
        assert wait_for(lambda: placement(t.api, rid, pid)["status"] == "lost", timeout=90), \
            placement(t.api, rid, pid)

    def reclaims():
        r = t.api.get("/v1/approvals", query=f"campaignId={cid}&limit=50")
        assert r.status_code == 200, r.text
        return [m for m in r.json()["data"] if m["subject"].startswith("Our link on")]

    got = wait_for(reclaims, timeout=60)
    assert len(got) == 1, got
    m = got[0]
    assert m["status"] == "awaiting_approval" and m["kind"] == "send_email", m
    assert m["to"] == email, m
    assert m["subject"] == f"Our link on {urls['guaranteed']}"
    assert urls["guaranteed"] in m["body"] and TARGET in m["body"] and "HTTP 200" in m["body"]
    assert "guaranteed until" in m["body"] and "SHA-256" in m["body"], m["body"]
    # the expired guarantee queued nothing, and nothing was sent without approval
    time.sleep(1)
    assert len(reclaims()) == 1


def test_the_demo_shows_one_placement_of_each_verdict(demo):
    api, cid = demo["api"], demo["campaign"]
    r = api.get("/v1/link-building/crm/relationship", query=f"campaignId={cid}&limit=200")
    assert r.status_code == 200, r.text
    seen = {}
    for rel in r.json()["data"]:
        for p in api.get(f"/v1/link-building/relationship/{rel['id']}/placement").json()["data"]:
            seen[p["verdict"]] = (rel["id"], p)
    assert set(seen) == {"live", "live_with_issues", "missing", "unverifiable"}, seen
    for verdict, (rid, p) in seen.items():
        c = checks(api, rid, p["id"])
        assert c["total"] == 1 and c["data"][0]["verdict"] == verdict, c
        assert p["status"] == ("verified" if verdict.startswith("live") else "pending")
    assert seen["live_with_issues"][1]["issues"] == ["not_followed"]
    assert checks(api, *[seen["live"][0], seen["live"][1]["id"]])["data"][0]["links"][0][
        "anchor"] == "the complete guide"
