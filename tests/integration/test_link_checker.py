"""The polite checker (issue 17, docs/placements.md): robots.txt fetched, cached and
honoured per host; one visit per host per interval; redirects followed only on the
prospect's site and only so far; gzip bodies; charsets other than UTF-8; slow pages.

Pages come from test_link_verdicts.Site, a real HTTP server on 127.0.0.1 answering for
any name under .localhost. The test stack allows one visit per host per 300 ms and
trusts a robots.txt for 2 s."""
import os
import subprocess
import uuid

import pytest

from conftest import (Tenant, sql, start_worker_process, stop_process, wait_for)
from test_link_verdicts import LINK, Site, checks, judged, new_site, page, place, setup_rel

DEV = os.environ.get("LINKCAMP_DEV", "")
INSTANCE = os.environ.get("LINKCAMP_INSTANCE", "test")
UA = "linkcamp-placement-check/"


@pytest.fixture(scope="module")
def site():
    s = Site()
    yield s
    s.stop()


def robots(site, host, text, status=200):
    site.put(host, text, status=status, headers=[("Content-Type", "text/plain")],
             path="/robots.txt")


def test_robots_txt_is_fetched_cached_and_honoured(site):
    t = Tenant()
    host = new_site()
    cid, rid = setup_rel(t, host)
    robots(site, host, "User-agent: *\nDisallow: /\n\n"
                       "User-agent: linkcamp-placement-check\nDisallow: /private\n\n"
                       "User-agent: Googlebot\nDisallow: /nosearch\n")
    urls = {"private": site.put(host, page(LINK), path="/private/post"),
            "nosearch": site.put(host, page(LINK), path="/nosearch/post"),
            "ok": site.put(host, page(LINK), path="/blog/post")}
    ids = {k: place(t.api, rid, u).json()["id"] for k, u in urls.items()}
    got = {k: judged(t.api, rid, pid) for k, pid in ids.items()}
    assert got["private"]["verdict"] == "unverifiable", got["private"]
    assert "robots.txt disallows" in got["private"]["lastError"]
    assert site.hits_of(host, "/private/post") == []  # never asked
    assert got["nosearch"]["verdict"] == "live_with_issues"
    assert got["nosearch"]["issues"] == ["robots_disallowed"]
    assert got["ok"]["verdict"] == "live" and got["ok"]["issues"] == []
    r = site.hits_of(host, "/robots.txt")
    assert r and all(h[2].startswith(UA) for h in r)
    # cached: the checks of three pages (and their re-checks) did not each fetch it
    assert wait_for(lambda: checks(t.api, rid, ids["ok"])["total"] >= 3, timeout=90)
    visits = len([h for h in site.hits_of(host) if h[1] != "/robots.txt"])
    assert len(site.hits_of(host, "/robots.txt")) < visits
    # a robots.txt that errs (5xx) stops every fetch of its site
    bad = new_site()
    cid2, rid2 = setup_rel(t, bad)
    robots(site, bad, "down", status=503)
    pid = place(t.api, rid2, site.put(bad, page(LINK), path="/post")).json()["id"]
    p = judged(t.api, rid2, pid)
    assert p["verdict"] == "unverifiable" and "robots.txt answered HTTP 503" in p["lastError"], p
    assert site.hits_of(bad, "/post") == []


def test_one_visit_per_host_per_interval(site):
    t = Tenant()
    host = new_site()
    cid, rid = setup_rel(t, host)
    robots(site, host, "User-agent: *\nAllow: /\n")
    ids = [place(t.api, rid, site.put(host, page(LINK))).json()["id"] for _ in range(5)]
    for pid in ids:
        assert judged(t.api, rid, pid)["verdict"] == "live"
    # each visit is robots.txt (when stale) then one page; the worker takes a slot 300 ms
    # after the host's last one before it sends its request. The times here are when the
    # requests arrived, so a request that a busy machine delayed after its slot makes the
    # next gap look shorter by that delay: the bounds allow 100 ms of it. Without the
    # slots the visits would arrive as fast as the checker makes them.
    times = sorted(h[3] for h in site.hits_of(host) if h[1] != "/robots.txt")
    assert len(times) >= 5
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 0.2, gaps
    assert times[-1] - times[0] >= 0.29 * (len(times) - 1) - 0.1, gaps
    rows = sql(f"SELECT COUNT(*) FROM crawl_hosts WHERE host = '{host}'")
    assert rows == [["1"]]


def test_redirects_followed_only_on_the_site(site):
    t = Tenant()
    host = new_site()
    cid, rid = setup_rel(t, host)
    final = site.put(f"www.{host}", page(LINK))
    hop2 = site.put(host, "", status=301, headers=[("Location", final)])
    hop1 = site.put(f"blog.{host}", "", status=302, headers=[("Location", hop2)])
    offsite_target = site.put("elsewhere.localhost", page(LINK))
    offsite = site.put(host, "", status=301, headers=[("Location", offsite_target)])
    # a chain of six hops on the site, and a loop
    chain = site.put(host, page(LINK))
    for _ in range(6):
        chain = site.put(host, "", status=307, headers=[("Location", chain)])
    loop_path = f"/loop/{uuid.uuid4().hex}"
    loop = site.put(host, "", status=302, headers=[("Location", loop_path)], path=loop_path)
    same_host = site.put(host, page(LINK))
    relative = site.put(host, "", status=301,
                        headers=[("Location", same_host.split(str(site.port))[1])])
    ids = {k: place(t.api, rid, u).json()["id"] for k, u in
           (("hops", hop1), ("offsite", offsite), ("chain", chain), ("loop", loop),
            ("relative", relative))}
    p = judged(t.api, rid, ids["hops"])
    assert p["verdict"] == "live", (p, checks(t.api, rid, ids["hops"]))
    ev = checks(t.api, rid, ids["hops"])["data"][0]
    assert ev["finalUrl"] == final and ev["redirects"] == 2
    p = judged(t.api, rid, ids["offsite"])
    assert p["verdict"] == "unverifiable" and "off the prospect's site" in p["lastError"], p
    assert site.hits_of("elsewhere.localhost") == []
    for k in ("chain", "loop"):
        p = judged(t.api, rid, ids[k])
        assert p["verdict"] == "unverifiable" and "more than 5 redirects" in p["lastError"], (k, p)
    p = judged(t.api, rid, ids["relative"])
    assert p["verdict"] == "live", p
    assert checks(t.api, rid, ids["relative"])["data"][0]["finalUrl"] == same_host


def test_gzip_bodies_and_other_charsets(site):
    t = Tenant()
    host = new_site()
    cid, rid = setup_rel(t, host)
    zipped = page(LINK).encode()
    latin = ('<html><body><p>Un caf\u00e9 tr\u00e8s bon: <a href="https://target.example/guide">'
             'le caf\u00e9 guide</a> \u00e0 lire.</p></body></html>').encode("iso-8859-1")
    sjis = ('<html><head><meta charset="Shift_JIS"></head><body><p>\u65e5\u672c\u8a9e\u306e'
            '<a href="https://target.example/guide">\u30ac\u30a4\u30c9</a>\u3067\u3059\u3002</p>'
            '</body></html>').encode("shift_jis")
    ids = {
        "gzip": place(t.api, rid, site.put(host, zipped, gz=True)).json()["id"],
        "latin1": place(t.api, rid, site.put(host, latin, headers=[
            ("Content-Type", "text/html; charset=ISO-8859-1")])).json()["id"],
        "sjis": place(t.api, rid, site.put(host, sjis, headers=[
            ("Content-Type", "text/html")])).json()["id"],
        "bogus_charset": place(t.api, rid, site.put(host, zipped, headers=[
            ("Content-Type", "text/html; charset=x-no-such-thing")])).json()["id"],
    }
    for k, pid in ids.items():
        p = judged(t.api, rid, pid)
        assert p["verdict"] == "live", (k, p)
    ev = checks(t.api, rid, ids["gzip"])["data"][0]
    assert ev["bodySize"] == len(zipped)  # decoded bytes
    ev = checks(t.api, rid, ids["latin1"])["data"][0]
    assert ev["links"][0]["anchor"] == "le caf\u00e9 guide"
    assert "Un caf\u00e9 tr\u00e8s bon" in ev["links"][0]["context"]
    ev = checks(t.api, rid, ids["sjis"])["data"][0]
    assert ev["links"][0]["anchor"] == "\u30ac\u30a4\u30c9"


def test_a_slow_page_is_unverifiable_not_missing(site):
    """A worker whose page timeout is 1.5 s meets a page that takes 5 s."""
    t = Tenant()
    host = new_site()
    cid, rid = setup_rel(t, host)
    robots(site, host, "User-agent: *\nAllow: /\n")
    slow = site.put(host, page(LINK), delay=5)
    subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=60)
    worker = None
    try:
        worker = start_worker_process("placement-slow-worker.log",
                                      LINKCAMP_WEBHOOK_TIMEOUT_MS="1500",
                                      LINKCAMP_WORKER_POLL_MS="50")
        pid = place(t.api, rid, slow).json()["id"]
        p = judged(t.api, rid, pid)
        assert p["verdict"] == "unverifiable" and p["status"] == "pending", p
        assert "imeout" in p["lastError"] or "timed out" in p["lastError"], p
    finally:
        try:
            stop_process(worker)
        finally:
            subprocess.run([DEV, "worker-start", INSTANCE], check=True, timeout=60)


def test_the_claim_reads_its_index():
    plan = sql("EXPLAIN SELECT id FROM placements WHERE leased = 0 AND priority IN (0, 1, 2) AND "
               "due_at <= NOW() ORDER BY priority, due_at, id LIMIT 4")
    text = " ".join(" ".join(r) for r in plan)
    assert "ix_placements_claim" in text and "filesort" not in text, plan
    plan = sql("EXPLAIN SELECT next_at FROM crawl_hosts WHERE host = 'a.localhost'")
    assert "PRIMARY" in " ".join(" ".join(r) for r in plan) or "const" in str(plan), plan


def test_the_claim_takes_never_verified_links_first(site):
    """One claim statement reads every priority (docs/placements.md, "Order"): checks due
    for never-verified links run before re-checks of verified ones, and those before lost
    ones, whatever their due times. Six placements on six hosts (no host slot waits), due
    in the opposite order, are checked by one worker thread in claim order."""
    t = Tenant()
    subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=60)
    worker = None
    try:
        ids = {}
        for prio, minutes in ((2, 300), (2, 290), (1, 200), (1, 190), (0, 2), (0, 1)):
            host = new_site()
            cid, rid = setup_rel(t, host)
            robots(site, host, "User-agent: *\nAllow: /\n")
            pid = place(t.api, rid, site.put(host, page(LINK))).json()["id"]
            sql(f"UPDATE placements SET priority = {prio}, "
                f"due_at = NOW(3) - INTERVAL {minutes} MINUTE WHERE public_id = '{pid}'")
            ids[pid] = prio
        inlist = ", ".join(f"'{p}'" for p in ids)
        worker = start_worker_process("placement-order-worker.log",
                                      LINKCAMP_WORKER_POLL_MS="50")
        first = "(SELECT MIN(c.id) FROM placement_checks c WHERE c.placement_id = p.id)"
        assert wait_for(lambda: int(sql(f"SELECT COUNT(*) FROM placements p WHERE public_id "
                                        f"IN ({inlist}) AND {first} IS NOT NULL")[0][0]) == 6,
                        timeout=90)
        order = [r[0] for r in sql(f"SELECT public_id FROM placements p WHERE public_id "
                                   f"IN ({inlist}) ORDER BY {first}")]
        assert [ids[p] for p in order] == [0, 0, 1, 1, 2, 2], order
    finally:
        try:
            stop_process(worker)
        finally:
            subprocess.run([DEV, "worker-start", INSTANCE], check=True, timeout=60)
