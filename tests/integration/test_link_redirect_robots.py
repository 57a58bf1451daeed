"""A placement page that redirects is a visit to every host of its chain (issue 17,
docs/placements.md "robots.txt"): each host's robots.txt is honoured (a target that
disallows our checker stops the chain, unverifiable with the reason), each host's visit
interval applies, robots.txt of a target host is cached like any other, and the check's
evidence records the hop chain.

Pages come from test_link_verdicts.Site, a real HTTP server on 127.0.0.1 answering for
any name under .localhost; hosts under one fresh `v….localhost` are one site (one
registrable domain). The test stack allows one visit per host per 300 ms and trusts a
robots.txt for 2 s."""
from conftest import Tenant, wait_for
from test_link_checker import robots
from test_link_verdicts import LINK, Site, checks, judged, new_site, page, place, setup_rel

import pytest

TTL = 2.0  # LINKCAMP_PLACEMENT_ROBOTS_TTL_SECONDS of the test stack
INTERVAL = 0.3  # LINKCAMP_PLACEMENT_HOST_INTERVAL_MS of the test stack


@pytest.fixture(scope="module")
def site():
    s = Site()
    yield s
    s.stop()


def redirect(site, host, to, status=301):
    return site.put(host, "", status=status, headers=[("Location", to)])


def test_a_redirect_target_whose_robots_txt_disallows_is_unverifiable(site):
    t = Tenant()
    host = new_site()
    cid, rid = setup_rel(t, host)
    news = f"news.{host}"
    robots(site, host, "User-agent: *\nAllow: /\n")
    robots(site, news, "User-agent: *\nAllow: /\n\n"
                       "User-agent: linkcamp-placement-check\nDisallow: /closed/\n")
    closed = site.put(news, page(LINK), path="/closed/post")
    start = redirect(site, host, closed)
    pid = place(t.api, rid, start).json()["id"]
    p = judged(t.api, rid, pid)
    assert p["verdict"] == "unverifiable", p
    assert "robots.txt disallows" in p["lastError"] and closed in p["lastError"], p
    assert site.hits_of(news, "/closed/post") == []  # never asked
    assert site.hits_of(news, "/robots.txt")  # the target's own robots.txt was read
    ev = checks(t.api, rid, pid)["data"][0]
    assert ev["reason"] == p["lastError"]
    assert ev["hops"] == [
        {"url": start, "httpStatus": 301, "robotsDisallowed": False},
        {"url": closed, "httpStatus": None, "robotsDisallowed": True}], ev
    assert ev["finalUrl"] == closed and ev["redirects"] == 1
    assert ev["bodySha256"] is None  # nothing of the blocked page was read


def test_a_redirect_target_that_allows_is_judged_as_usual(site):
    t = Tenant()
    host = new_site()
    cid, rid = setup_rel(t, host)
    www, blog = f"www.{host}", f"blog.{host}"
    robots(site, host, "User-agent: *\nDisallow: /closed/\n")
    # the target's robots.txt allows us and forbids Googlebot: the link is there, with
    # the issue the target host's file gives
    robots(site, www, "User-agent: *\nAllow: /\n\nUser-agent: Googlebot\nDisallow: /\n")
    robots(site, blog, "User-agent: *\nAllow: /\n")
    final = site.put(www, page(LINK), path="/closed/post")  # closed only on the first host
    middle = redirect(site, blog, final, status=302)
    start = redirect(site, host, middle)
    pid = place(t.api, rid, start).json()["id"]
    p = judged(t.api, rid, pid)
    assert p["verdict"] == "live_with_issues" and p["issues"] == ["robots_disallowed"], p
    ev = checks(t.api, rid, pid)["data"][0]
    assert ev["hops"] == [
        {"url": start, "httpStatus": 301, "robotsDisallowed": False},
        {"url": middle, "httpStatus": 302, "robotsDisallowed": False},
        {"url": final, "httpStatus": 200, "robotsDisallowed": False}], ev
    assert ev["finalUrl"] == final and ev["redirects"] == 2 and ev["bodySha256"]
    # every host of the chain was a visit: its robots.txt read before its page
    for h, path in ((host, start), (blog, middle), (www, final)):
        path = path.split(str(site.port), 1)[1]
        rt = [x[3] for x in site.hits_of(h, "/robots.txt")]
        pg = [x[3] for x in site.hits_of(h, path)]
        assert rt and pg and min(rt) <= min(pg), h
    # a page without redirects has a chain of one
    direct = site.put(www, page(LINK))
    pid2 = place(t.api, rid, direct).json()["id"]
    judged(t.api, rid, pid2)
    assert checks(t.api, rid, pid2)["data"][0]["hops"] == [
        {"url": direct, "httpStatus": 200, "robotsDisallowed": False}]


def test_target_hosts_robots_txt_is_cached_and_their_visits_spaced(site):
    """Several placements on different hosts of one site all redirect to one target host:
    its robots.txt is fetched at most once per TTL, and its pages at most once per
    interval, whichever first host the chain started on."""
    t = Tenant()
    host = new_site()
    cid, rid = setup_rel(t, host)
    target = f"www.{host}"
    robots(site, target, "User-agent: *\nAllow: /\n")
    finals = [site.put(target, page(LINK)) for _ in range(6)]
    starts = []
    for i, f in enumerate(finals):
        first = f"s{i}.{host}"
        robots(site, first, "User-agent: *\nAllow: /\n")
        starts.append(redirect(site, first, f))
    ids = [place(t.api, rid, s).json()["id"] for s in starts]
    for pid in ids:
        assert judged(t.api, rid, pid)["verdict"] == "live"
    # the re-checks (every 2 s) visit the target again
    assert wait_for(lambda: all(checks(t.api, rid, pid)["total"] >= 2 for pid in ids),
                    timeout=120)
    rt = sorted(x[3] for x in site.hits_of(target, "/robots.txt"))
    pages = sorted(x[3] for x in site.hits_of(target) if x[1] != "/robots.txt")
    assert rt and len(pages) >= 12
    assert len(rt) < len(pages)
    # one fetch per TTL (the cache's time is the worker's; a little slack for the two
    # clocks' reading points)
    assert all(b - a >= TTL - 0.1 for a, b in zip(rt, rt[1:])), rt
    # one visit per host per interval, across chains started on six other hosts: a visit
    # begins with the robots.txt fetch when there is one right before its page
    starts = []
    for p in pages:
        before = [r for r in rt if r <= p and (not starts or r > starts[-1][1])]
        starts.append((before[-1] if before else p, p))
    gaps = [b[0] - a[0] for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= INTERVAL - 0.01, gaps
