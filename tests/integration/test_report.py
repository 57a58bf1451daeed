"""The client's report (issue 17 item 6, docs/report.md): the report of a workspace or a
campaign over the API, its CSV, and its share links — create, list, revoke, expiry,
tenant isolation — against the real stack. Placements get their verdicts from the real
checker fetching pages of the local site server of test_link_verdicts (names under
.localhost), so the report shows what the checker recorded, not rows written by hand.

The expiry test moves the stack's test clock (LINKCAMP_TEST_CLOCK_FILE, the asan build's
--enable-test-clock) past the link's end and back."""
import csv
import hashlib
import io
import json
import os
import re
import time
import uuid

import pytest
import requests

from conftest import URL, Api, Tenant, add_prospects, assert_problem, cli, sql, wait_for
from test_link_verdicts import LINK, Site, page, place, placement

JSON = {"Content-Type": "application/json"}
TARGET = "https://target.example/guide"
SHARES = "/v1/link-building/report/shares"
LOG_DIR = os.environ.get("LINKCAMP_LOG_DIR", "")
EVIL_ANCHOR = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture(scope="module")
def site():
    s = Site()
    yield s
    s.stop()




def new_host():
    return f"r{uuid.uuid4().hex[:12]}.localhost"


def judged(api, rid, pid, pred=lambda p: p["verdict"], timeout=120):
    return wait_for(lambda: (lambda p: p if pred(p) else None)(placement(api, rid, pid)),
                    timeout=timeout)


@pytest.fixture(scope="module")
def world(site):
    """A tenant whose first workspace has two campaigns with placements of every verdict,
    and whose second workspace has one campaign with one placement of its own."""
    t = Tenant()
    w = {"t": t}
    hosts = [new_host() for _ in range(5)]
    w["c1"] = t.campaign(name="-Spring guest posts", targetUrl=TARGET,
                         template={"subject": "", "body": ""})
    w["c2"] = t.campaign(name="Résumé links", targetUrl=TARGET,
                         template={"subject": "", "body": ""})
    rels1 = add_prospects(t.api, w["c1"], [
        {"domain": h, "contactName": "Ada", "contactEmail": f"ada@{h}"} for h in hosts[:4]])
    rels2 = add_prospects(t.api, w["c2"], [
        {"domain": hosts[4], "contactName": "Bo", "contactEmail": f"bo@{hosts[4]}"}])
    r1 = [rels1[f"ada@{h}"] for h in hosts[:4]]
    r2 = rels2[f"bo@{hosts[4]}"]
    evil = f'<a rel="nofollow" href="{TARGET}">{EVIL_ANCHOR}</a>'
    lost_path = f"/p/{uuid.uuid4().hex}"
    urls = {
        "live": site.put(hosts[0], page(LINK)),
        "issues": site.put(hosts[1], page(evil)),
        "missing": site.put(hosts[2], page('<a href="https://other.example/">other</a>')),
        "unverifiable": site.put(hosts[3], "busy", status=503),
        "lost": site.put(hosts[0], page(LINK), path=lost_path),
        "c2": site.put(hosts[4], page('<a href="https://target.example/guide">Unicode ✓ anchor</a>')),
    }
    plan = {"live": (r1[0], {"guaranteeUntil": "2027-06-01T00:00:00Z",
                              "expectedAnchor": "the guide"}),
            "issues": (r1[1], {}), "missing": (r1[2], {}), "unverifiable": (r1[3], {}),
            "lost": (r1[0], {}), "c2": (r2, {"expectedRel": "sponsored"})}
    ids = {}
    for name, (rid, extra) in plan.items():
        r = place(t.api, rid, urls[name], **extra)
        assert r.status_code == 202, (name, r.text)
        ids[name] = (rid, r.json()["id"])
    for name, (rid, pid) in ids.items():
        assert judged(t.api, rid, pid), name
    # the "lost" page loses its link: two clean missing results a "day" apart
    site.put(hosts[0], page('<a href="https://other.example/">gone</a>'), path=lost_path)
    rid, pid = ids["lost"]
    assert judged(t.api, rid, pid, pred=lambda p: p["status"] == "lost", timeout=180)
    w["ids"] = ids
    w["urls"] = urls
    w["hosts"] = hosts
    return w


def report(api, query=None):
    r = api.get("/v1/link-building/report", query=query)
    assert r.status_code == 200, r.text
    return r.json()


def share(api, **body):
    return api.post(SHARES, headers=JSON, data=json.dumps(body))


def csv_rows(text):
    assert text.startswith("\ufeff"), "a UTF-8 byte-order mark first (spreadsheets)"
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def test_the_workspace_report_shows_the_funnel_and_every_placement(world):
    t, ids, urls = world["t"], world["ids"], world["urls"]
    rep = report(t.api)
    assert rep["workspaceId"] == t.ws and rep["campaignId"] is None
    assert rep["funnel"]["campaigns"] == 2
    for k in ("drafted", "sent", "delivered", "opened", "replied", "placed"):
        assert isinstance(rep["funnel"][k], int)
    assert rep["funnel"]["placed"] >= 2  # the live link and the one of c2 count as placed
    by_id = {p["id"]: p for p in rep["placements"]}
    assert set(by_id) == {pid for _, pid in ids.values()}, "every placement, no other"
    verdict = {name: by_id[pid]["verdict"] for name, (_, pid) in ids.items()}
    assert verdict == {"live": "live", "issues": "live_with_issues", "missing": "missing",
                       "unverifiable": "unverifiable", "lost": "lost", "c2": "live_with_issues"}
    assert rep["verdicts"] == {"live": 1, "live_with_issues": 2, "missing": 1,
                               "unverifiable": 1, "lost": 1, "pending": 0}
    live = by_id[ids["live"][1]]
    assert live["anchor"] == "the guide" and live["rel"] == [] and live["linkUrl"] == urls["live"]
    assert live["guaranteeUntil"] == "2027-06-01T00:00:00Z" and live["expectedAnchor"] == "the guide"
    assert live["lastCheckedAt"].endswith("Z") and live["domain"] == world["hosts"][0]
    issues = by_id[ids["issues"][1]]
    assert issues["anchor"] == EVIL_ANCHOR and issues["rel"] == ["nofollow"]
    assert issues["issues"] == ["not_followed"]
    assert by_id[ids["missing"][1]]["anchor"] is None and by_id[ids["missing"][1]]["rel"] is None
    assert by_id[ids["c2"][1]]["expectedRel"] == "sponsored"
    assert by_id[ids["c2"][1]]["campaignName"] == "Résumé links"


def test_a_campaign_report_shows_that_campaign_only(world):
    t, ids = world["t"], world["ids"]
    rep = report(t.api, f"campaignId={world['c2']}")
    assert rep["campaignId"] == world["c2"] and rep["campaignName"] == "Résumé links"
    assert [p["id"] for p in rep["placements"]] == [ids["c2"][1]]
    assert rep["funnel"]["campaigns"] == 1
    # a campaign of another workspace, an unknown one, an empty id
    other = world["t"].campaign(ws=t.ws2)
    assert_problem(t.api.get("/v1/link-building/report", query=f"campaignId={other}"),
                   404, "campaign_not_found")
    assert_problem(t.api.get("/v1/link-building/report", query="campaignId=scmp_nope"),
                   404, "campaign_not_found")
    assert_problem(t.api.get("/v1/link-building/report", query="campaignId="),
                   400, "invalid_parameter", param="campaignId")
    assert_problem(t.api.get("/v1/link-building/report", query="campaign=x"),
                   400, "invalid_parameter", param="campaign")
    # an empty workspace: a report with nothing in it, not an error
    empty = report(t.api2)
    assert empty["placements"] == [] and empty["funnel"]["campaigns"] == 1
    assert empty["verdicts"]["live"] == 0


def test_the_csv_is_rfc4180_utf8_and_formula_safe(world):
    t, ids = world["t"], world["ids"]
    r = t.api.get("/v1/link-building/report/export")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="report.csv"' in r.headers["Content-Disposition"]
    text = r.content.decode("utf-8")
    # RFC 4180: CRLF after every record, every field quoted
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    rows = csv_rows(text)
    assert list(rows[0].keys()) == ["campaign_id", "campaign", "domain", "link_url", "verdict",
                                    "issues", "anchor", "rel", "expected_anchor",
                                    "expected_rel", "last_checked_at", "guarantee_until"]
    by_url = {row["link_url"]: row for row in rows}
    assert len(rows) == len(ids)
    live = by_url[world["urls"]["live"]]
    assert live["verdict"] == "live" and live["anchor"] == "the guide" and live["rel"] == ""
    assert live["guarantee_until"] == "2027-06-01T00:00:00Z"
    # cells a spreadsheet would run are prefixed with '
    issues = by_url[world["urls"]["issues"]]
    assert issues["anchor"] == "'" + EVIL_ANCHOR and issues["rel"] == "nofollow"
    assert live["campaign"] == "'-Spring guest posts"
    assert by_url[world["urls"]["c2"]]["campaign"] == "Résumé links"
    assert by_url[world["urls"]["c2"]]["anchor"] == "Unicode ✓ anchor"
    for row in rows:
        for v in row.values():
            assert v == "" or v[0] not in "=+-@\t\r", row


def test_share_links_are_made_listed_and_revoked(world):
    t = world["t"]
    r = share(t.api, label="Acme monthly")
    assert r.status_code == 201, r.text
    link = r.json()
    assert link["id"].startswith("rsh_") and link["scope"] == "workspace"
    assert link["campaignId"] is None and link["label"] == "Acme monthly"
    assert link["status"] == "active" and link["revokedAt"] is None
    m = re.fullmatch(re.escape(URL) + r"/r/(rsh_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43})", link["url"])
    assert m, link["url"]
    token = m.group(1)
    # 30 days by default
    made = time.mktime(time.strptime(link["createdAt"], "%Y-%m-%dT%H:%M:%SZ"))
    ends = time.mktime(time.strptime(link["expiresAt"], "%Y-%m-%dT%H:%M:%SZ"))
    assert ends - made == 30 * 86400
    # only the hash of the secret is stored
    secret = token.split(".", 1)[1]
    stored = sql(f"SELECT HEX(token_hash) FROM report_shares WHERE public_id = '{link['id']}'")
    assert stored == [[hashlib.sha256(secret.encode()).hexdigest().upper()]]
    assert sql(f"SELECT COUNT(*) FROM report_shares WHERE token_hash = '{secret}' "
               f"OR label LIKE '%{secret[:20]}%'") == [["0"]]

    # the public page and its CSV, without any credential
    pub = requests.get(link["url"], allow_redirects=False, timeout=30)
    assert pub.status_code == 200
    assert pub.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in pub.headers["X-Robots-Tag"]
    assert pub.headers["Cache-Control"] == "no-store"
    assert '<meta name="robots" content="noindex' in pub.text
    assert world["urls"]["live"] in pub.text and "Live, with issues" in pub.text
    assert "/app/w/" not in pub.text and "<form" not in pub.text, "no way into the app"
    assert 'href="/app' not in pub.text
    pcsv = requests.get(link["url"] + "/export", timeout=30)
    assert pcsv.status_code == 200 and pcsv.headers["Referrer-Policy"] == "no-referrer"
    assert len(csv_rows(pcsv.content.decode())) == len(world["ids"])

    # a campaign's link shows that campaign only
    r = share(t.api, campaignId=world["c2"], expiresInDays=1)
    assert r.status_code == 201, r.text
    c2 = r.json()
    assert c2["scope"] == "campaign" and c2["campaignId"] == world["c2"]
    page2 = requests.get(c2["url"], timeout=30)
    assert page2.status_code == 200 and world["urls"]["c2"] in page2.text
    assert world["urls"]["live"] not in page2.text

    # listed newest first, without secrets, paged
    r = t.api.get(SHARES)
    assert r.status_code == 200, r.text
    listed = r.json()
    assert [x["id"] for x in listed["data"]][:2] == [c2["id"], link["id"]]
    assert listed["total"] >= 2 and "url" not in listed["data"][0]
    assert secret not in r.text
    r = t.api.get(SHARES, query="limit=1")
    assert len(r.json()["data"]) == 1 and r.json()["nextCursor"]
    r2 = t.api.get(SHARES, query=f"limit=1&cursor={r.json()['nextCursor']}")
    assert r2.json()["data"][0]["id"] == link["id"]

    # revoked: the page shows nothing, like a link that never existed
    r = t.api.request("DELETE", f"{SHARES}/{link['id']}")
    assert r.status_code == 204, r.text
    assert t.api.request("DELETE", f"{SHARES}/{link['id']}").status_code == 204
    gone = requests.get(link["url"], timeout=30)
    never = requests.get(f"{URL}/r/rsh_{'A' * 22}.{'B' * 43}", timeout=30)
    for g in (gone, never, requests.get(link["url"] + "/export", timeout=30)):
        assert g.status_code == 404
        assert world["urls"]["live"] not in g.text and "Link report" not in g.text
        assert "noindex" in g.headers["X-Robots-Tag"]
    assert gone.text == never.text, "a revoked link and one that never existed look alike"
    listed = {x["id"]: x for x in t.api.get(SHARES).json()["data"]}
    assert listed[link["id"]]["status"] == "revoked" and listed[link["id"]]["revokedAt"]
    # the campaign's link still works
    assert requests.get(c2["url"], timeout=30).status_code == 200


def test_bad_share_requests_get_the_problem_envelope(world):
    t = world["t"]
    for days in (0, 91, -1, "30", 1.5, None):
        r = share(t.api, expiresInDays=days) if days is not None else \
            t.api.post(SHARES, headers=JSON, data='{"expiresInDays": null}')
        assert_problem(r, 422, "validation_failed", param="expiresInDays")
    assert_problem(share(t.api, label="x" * 201), 422, "validation_failed", param="label")
    assert_problem(share(t.api, label="two\nlines"), 422, "validation_failed", param="label")
    assert_problem(share(t.api, label=""), 422, "validation_failed", param="label")
    assert_problem(share(t.api, other=1), 422, "validation_failed", param="other")
    assert_problem(share(t.api, campaignId="scmp_unknown"), 404, "campaign_not_found")
    assert_problem(share(t.api, campaignId=7), 422, "validation_failed", param="campaignId")
    r = t.api.post(SHARES, headers=JSON, data="[1]")
    assert r.status_code in (400, 422) and r.headers["Content-Type"] == "application/problem+json"
    assert_problem(t.api.request("DELETE", f"{SHARES}/rsh_unknown_unknown_unk"), 404,
                   "share_not_found")
    assert_problem(t.api.request("DELETE", f"{SHARES}/rsh_%3Cscript%3E"), 404, "share_not_found")
    assert share(t.api, expiresInDays=90).status_code == 201
    # the answer holds the secret: no idempotency record may keep it
    before = sql("SELECT COUNT(*) FROM report_shares")[0][0]
    r = t.api.post(SHARES, headers={**JSON, "Idempotency-Key": "k-" + uuid.uuid4().hex}, data="{}")
    assert_problem(r, 400, "invalid_parameter", param="Idempotency-Key")
    assert sql("SELECT COUNT(*) FROM report_shares")[0][0] == before
    # hostile tokens: each one the same 404 page, never a 500
    for tok in ("x", "rsh_.", "." * 80, "rsh_" + "A" * 22 + "." + "B" * 42, "%00", "a" * 400,
                "rsh_" + "A" * 22 + ".." + "B" * 42, "rsh_" + "A" * 22 + "." + "%C3%A9" * 43):
        g = requests.get(f"{URL}/r/{tok}", timeout=30)
        assert g.status_code in (400, 404, 414) and "Link report" not in g.text, tok


def test_a_link_of_one_workspace_never_shows_another(world):
    t = world["t"]
    a = share(t.api).json()
    b = share(t.api2).json()
    pa = requests.get(a["url"], timeout=30).text
    pb = requests.get(b["url"], timeout=30).text
    for name, url in world["urls"].items():
        assert url in pa, name
        assert url not in pb, name
    # workspace B's key neither lists nor revokes A's links; A's link's secret with B's id
    # (or the other way round) opens nothing
    assert a["id"] not in t.api2.get(SHARES).text
    assert_problem(t.api2.request("DELETE", f"{SHARES}/{a['id']}"), 404, "share_not_found")
    assert requests.get(a["url"], timeout=30).status_code == 200
    a_id, a_secret = a["url"].rsplit("/", 1)[1].split(".")
    b_id, b_secret = b["url"].rsplit("/", 1)[1].split(".")
    for mixed in (f"{a_id}.{b_secret}", f"{b_id}.{a_secret}"):
        assert requests.get(f"{URL}/r/{mixed}", timeout=30).status_code == 404
    # an agency key acts on the workspace it names, and only there
    agency_b = Api(t.account_key, workspace=t.ws2)
    r = share(agency_b, label="via the agency key")
    assert r.status_code == 201, r.text
    via = r.json()
    assert via["createdBy"].startswith("account-key")
    assert via["id"] in t.api2.get(SHARES).text and via["id"] not in t.api.get(SHARES).text
    assert world["urls"]["live"] not in requests.get(via["url"], timeout=30).text
    assert_problem(Api(t.account_key, workspace=t.ws).request("DELETE", f"{SHARES}/{via['id']}"),
                   404, "share_not_found")
    # a campaign of B cannot be shared through A's key
    other = t.campaign(ws=t.ws2)
    assert_problem(share(t.api, campaignId=other), 404, "campaign_not_found")


def test_an_expired_link_shows_nothing(world, clock):
    t = world["t"]
    link = share(t.api, expiresInDays=1).json()
    assert requests.get(link["url"], timeout=30).status_code == 200
    now = int(time.time() * 1000)
    clock(now + 86400 * 1000 - 60000)  # a minute before its end: still shown
    assert requests.get(link["url"], timeout=30).status_code == 200
    clock(now + 86400 * 1000 + 60000)
    g = requests.get(link["url"], timeout=30)
    assert g.status_code == 404 and world["urls"]["live"] not in g.text
    assert requests.get(link["url"] + "/export", timeout=30).status_code == 404
    listed = {x["id"]: x for x in t.api.get(SHARES).json()["data"]}
    assert listed[link["id"]]["status"] == "expired"


def test_the_token_is_in_no_log(world):
    """nginx's access log and linkcamp's own log show /r/[redacted], never the token."""
    t = world["t"]
    link = share(t.api).json()
    token = link["url"].rsplit("/", 1)[1]
    marker = uuid.uuid4().hex
    assert requests.get(link["url"], headers={"X-Request-Id": marker}, timeout=30).status_code == 200
    assert requests.get(link["url"] + "/export", timeout=30).status_code == 200
    assert LOG_DIR, "LINKCAMP_LOG_DIR is not set: run through scripts/dev"

    def logs():
        out = b""
        for name in os.listdir(LOG_DIR):
            path = os.path.join(LOG_DIR, name)
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    out += f.read()
        return out
    # the request reached the logs (positive evidence) ...
    assert wait_for(lambda: marker.encode() in logs(), timeout=30)
    text = logs()
    assert b"/r/[redacted]" in text
    # ... and the token is in none of them, nor its secret half
    assert token.encode() not in text and token.split(".")[1].encode() not in text


def test_every_report_query_reads_an_index(world):
    t = world["t"]
    ws = sql(f"SELECT id FROM workspaces WHERE public_id = '{t.ws}'")[0][0]
    cid = sql(f"SELECT id FROM campaigns WHERE public_id = '{world['c2']}'")[0][0]
    # the columns of store_report_rows (a narrower list lets the optimizer drop joins)
    sel = ("SELECT p.id, p.link_url, p.verdict, r.domain, c.name, JSON_EXTRACT(k.links, "
           "'$[0].rel') FROM placements p JOIN relationships r ON r.id = p.relationship_id "
           "JOIN campaigns c ON c.id = p.campaign_id LEFT JOIN placement_checks k ON k.id = "
           "(SELECT MAX(k2.id) FROM placement_checks k2 WHERE k2.placement_id = p.id) ")
    plans = {
        "rows of a workspace": sql(f"EXPLAIN {sel} WHERE p.workspace_id = {ws} AND p.id > 0 "
                                   "ORDER BY p.id LIMIT 2001"),
        "rows of a campaign": sql(f"EXPLAIN {sel} WHERE p.workspace_id = {ws} AND "
                                  f"p.campaign_id = {cid} AND p.id > 0 ORDER BY p.id LIMIT 2001"),
        "funnel of a workspace": sql("EXPLAIN SELECT COUNT(*), SUM(sent_count) FROM campaigns "
                                     f"WHERE workspace_id = {ws}"),
        "funnel of a campaign": sql("EXPLAIN SELECT COUNT(*) FROM campaigns WHERE id = "
                                    f"{cid} AND workspace_id = {ws}"),
        "campaign": sql(f"EXPLAIN SELECT id FROM campaigns WHERE public_id = '{world['c2']}' "
                        f"AND workspace_id = {ws}"),
        "share list": sql("EXPLAIN SELECT s.id FROM report_shares s LEFT JOIN campaigns c ON "
                          f"c.id = s.campaign_id WHERE s.workspace_id = {ws} AND s.id < 99999999 "
                          "ORDER BY s.id DESC LIMIT 51"),
        "share count": sql(f"EXPLAIN SELECT COUNT(*) FROM report_shares WHERE workspace_id = {ws}"),
        "share open": sql("EXPLAIN SELECT s.token_hash FROM report_shares s JOIN workspaces w ON "
                          "w.id = s.workspace_id LEFT JOIN campaigns c ON c.id = s.campaign_id "
                          "WHERE s.public_id = 'rsh_x'"),
    }
    for name, plan in plans.items():
        for row in plan:
            # id, select_type, table, type, possible_keys, key, ...
            if row[2] in ("NULL",) or row[1] == "PRIMARY" and row[2].startswith("<"):
                continue
            assert row[3] != "ALL" and row[5] != "NULL", (name, plan)
    keys = {row[2]: row[5] for row in plans["rows of a workspace"]}
    assert keys["p"] in ("ix_placements_ws", "ix_placements_ws_campaign"), plans
    assert keys["k2"] == "ix_placement_checks_placement", plans
    keys = {row[2]: row[5] for row in plans["rows of a campaign"]}
    assert keys["p"] == "ix_placements_ws_campaign", plans


def test_a_page_of_long_links_stays_whole_and_says_what_it_left_to_the_csv():
    """Placements whose URLs are 2,000 characters of '&' (5 bytes each in HTML) would
    overflow a page: the page shows the rows that fit, says so, and the CSV has all."""
    t = Tenant()
    host = new_host()
    cid = t.campaign(targetUrl=TARGET, template={"subject": "", "body": ""})
    rid = list(add_prospects(t.api, cid, [{"domain": host, "contactName": "Ada",
                                           "contactEmail": f"ada@{host}"}]).values())[0]
    n = 160
    for i in range(n):
        # port 1 refuses at once: the checker's verdict is quick and "unverifiable"
        url = f"http://{host}:1/p{i:04d}?" + "&" * (1990 - len(f"http://{host}:1/p0000?"))
        r = place(t.api, rid, url)
        assert r.status_code == 202, r.text
    # signed in as an approver of the workspace
    email, password = f"ann-{uuid.uuid4().hex[:8]}@agency.example", "pw-" + uuid.uuid4().hex
    cli("user", "add", email, "--workspace", t.ws, "--role", "approver", "--password-stdin",
        stdin=password + "\n")
    s = requests.Session()
    form = s.get(f"{URL}/app/login", timeout=30)
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    r = s.post(f"{URL}/app/login", data={"email": email, "password": password, "csrf": csrf},
               allow_redirects=False, timeout=30)
    assert r.status_code == 303, r.text
    page_ = s.get(f"{URL}/app/w/{t.ws}/report", timeout=60)
    assert page_.status_code == 200, page_.text[:300]
    shown = page_.text.count('<td class="url">')
    assert 0 < shown < n, shown
    assert f"This page shows the first {shown} of these {n} placements" in page_.text
    assert page_.text.rstrip().endswith("</html>")
    try:
        csv_ = s.get(f"{URL}/app/w/{t.ws}/report/export", timeout=60)
        assert csv_.status_code == 200 and len(csv_rows(csv_.content.decode())) == n
    finally:
        # these placements exist for this page only: their next check moves a year away,
        # so that the checker does not spend the rest of the run on a refused port
        ws = sql(f"SELECT id FROM workspaces WHERE public_id = '{t.ws}'")[0][0]
        sql("UPDATE placements SET due_at = DATE_ADD(UTC_TIMESTAMP(3), INTERVAL 1 YEAR) "
            f"WHERE workspace_id = {ws} AND leased = 0")


def test_the_page_refuses_bad_share_forms_with_a_page_not_an_error():
    """Bad form values on the report page answer the page again (422) with the rule, an
    unknown campaign or link 404; only a good form makes a link."""
    t = Tenant()
    email, password = f"ben-{uuid.uuid4().hex[:8]}@agency.example", "pw-" + uuid.uuid4().hex
    cli("user", "add", email, "--workspace", t.ws, "--role", "approver", "--password-stdin",
        stdin=password + "\n")
    s = requests.Session()
    csrf = re.search(r'name="csrf" value="([^"]+)"', s.get(f"{URL}/app/login", timeout=30).text).group(1)
    assert s.post(f"{URL}/app/login", data={"email": email, "password": password, "csrf": csrf},
                  allow_redirects=False, timeout=30).status_code == 303
    page_ = s.get(f"{URL}/app/w/{t.ws}/report", timeout=30)
    assert page_.status_code == 200 and 'id="no-links"' in page_.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page_.text).group(1)
    action = f"{URL}/app/w/{t.ws}/report/shares"
    for form, status in (({"days": "abc"}, 422), ({"days": "-5"}, 422), ({"days": "91"}, 422),
                         ({"days": "1e3"}, 422), ({"label": "x" * 201}, 422),
                         ({"campaign": "../../x"}, 404), ({"campaign": "scmp_nope"}, 404)):
        r = s.post(action, data={**form, "csrf": csrf}, allow_redirects=False, timeout=30)
        assert r.status_code == status, (form, r.status_code)
        assert "new-link" not in r.text
    assert t.api.get(SHARES).json()["total"] == 0
    # no CSRF token: 403, nothing made
    assert s.post(action, data={"days": "7"}, allow_redirects=False, timeout=30).status_code == 403
    r = s.post(action, data={"days": "7", "csrf": csrf}, allow_redirects=False, timeout=30)
    assert r.status_code == 200 and 'id="new-link"' in r.text
    url = re.search(r'class="mono share-url">([^<]+)<', r.text).group(1)
    assert requests.get(url, timeout=30).status_code == 200
    assert s.post(f"{action}/rsh_nope/revoke", data={"csrf": csrf}, allow_redirects=False,
                  timeout=30).status_code == 404
    assert s.get(f"{URL}/app/w/{t.ws}/campaigns/{'x' * 3000}/report", timeout=30).status_code == 404
    # a workspace the user has no role in
    assert s.get(f"{URL}/app/w/{t.ws2}/report", timeout=30).status_code == 404
