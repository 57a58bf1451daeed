"""Prometheus metrics (docs/metrics.md "Operating linkcamp"): /metrics of linkcamp-fcgi
through nginx and the worker's own loopback listener, scraped and read with a strict
parser of the text format (promparse.py); their access rule; numbers that move with the
requests, messages and deliveries that happen."""
import configparser
import json
import os
import re
import socket
import subprocess
import uuid

import requests

from conftest import (CONFIG, LOG_DIR, URL, Tenant, assert_problem, send_without_approval,
                      sink_messages, wait_for)
import promparse

DEV = os.environ.get("LINKCAMP_DEV", "")
INSTANCE = os.environ.get("LINKCAMP_INSTANCE", "test")
JSON = {"Content-Type": "application/json"}
CAMPAIGN = "/v1/link-building/campaign"


def token():
    c = configparser.ConfigParser(interpolation=None)
    c.read(CONFIG)
    t = c["metrics"]["token"]
    assert len(t) >= 16
    return t


def scrape(tok=None):
    r = requests.get(URL + "/metrics", headers={"Authorization": f"Bearer {tok or token()}"},
                     timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return promparse.parse(r.text)


def worker_port():
    """The port of the stack's worker's listener: the last "metrics listening" record of
    its log (it asked the kernel for a port)."""
    port = None
    with open(os.path.join(LOG_DIR, "worker.log")) as f:
        for line in f:
            rec = json.loads(line)
            if rec.get("msg") == "metrics listening":
                port = rec["port"]
    assert port, "the worker logged no metrics listener"
    return port


def worker_http(raw):
    """Sends raw bytes to the worker's listener and returns (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", worker_port()), timeout=30) as s:
        s.sendall(raw)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    assert int(headers["content-length"]) == len(body)
    return status, headers, body.decode()


def worker_scrape():
    status, headers, body = worker_http(
        f"GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token()}\r\n\r\n".encode())
    assert status == 200, body
    assert headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return promparse.parse(body)


def dev(*args, **env):
    subprocess.run([DEV, *args], check=True, timeout=120, env=dict(os.environ, **env),
                   capture_output=True)


def test_metrics_need_the_token():
    r = requests.get(URL + "/metrics", timeout=30)
    body = assert_problem(r, 401, "unauthorized")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert "linkcamp_" not in r.text and body["detail"]
    for bad in ["Bearer " + token()[:-1], "Bearer " + token() + "x", "Basic " + token(), token(), "Bearer"]:
        r = requests.get(URL + "/metrics", headers={"Authorization": bad}, timeout=30)
        assert_problem(r, 401, "unauthorized")
    # a workspace API key is not the scrape token
    r = requests.get(URL + "/metrics", headers={"Authorization": "Bearer " + os.environ["LINKCAMP_API_KEY"]}, timeout=30)
    assert_problem(r, 401, "unauthorized")
    r = requests.get(URL + "/metrics?x=1", headers={"Authorization": f"Bearer {token()}"}, timeout=30)
    assert_problem(r, 400, "invalid_parameter", param="x")


def test_requests_are_counted_by_route_pattern_with_latency(demo):
    api = demo["api"]
    route = "/v1/link-building/campaign/{id}"
    before = scrape()
    n = 3
    for _ in range(n):
        assert api.get(f"{CAMPAIGN}/{demo['campaign']}").status_code == 200
    probe = "/no/such/" + uuid.uuid4().hex
    assert api.get(probe).status_code == 404
    r = api.get(f"{CAMPAIGN}/cmp_doesnotexist")
    assert r.status_code == 404
    after = scrape()
    v = lambda f, **l: promparse.value(f, "linkcamp_http_requests_total", **l)
    assert v(after, route=route, method="GET", code="200") - v(before, route=route, method="GET", code="200") == n
    assert v(after, route=route, method="GET", code="404") - v(before, route=route, method="GET", code="404") == 1
    assert v(after, route="unmatched", method="GET", code="404") - v(before, route="unmatched", method="GET", code="404") == 1
    h = lambda f: promparse.value(f, "linkcamp_http_request_duration_seconds_count", route=route, method="GET")
    assert h(after) - h(before) == n + 1
    # the path a client sent never becomes a label: the series stay bounded
    text = requests.get(URL + "/metrics", headers={"Authorization": f"Bearer {token()}"}, timeout=30).text
    assert probe not in text and "cmp_doesnotexist" not in text
    assert promparse.value(after, "linkcamp_build_info", program="linkcamp-fcgi",
                           version=re.search(r'version="([^"]+)"', text).group(1)) == 1
    assert promparse.value(after, "linkcamp_database_up") == 1
    # a hostile method lands under "other", not as a new label value
    requests.request("BREW", URL + "/healthz", timeout=30)
    assert "BREW" not in requests.get(URL + "/metrics", headers={"Authorization": f"Bearer {token()}"}, timeout=30).text


def test_backlog_and_deliveries_move():
    t = Tenant()
    prospects = [{"domain": f"m{i}-{uuid.uuid4().hex[:6]}.example", "contactName": "Ana Lee",
                  "contactEmail": f"ana{i}@m{i}.example"} for i in range(3)]
    before = scrape()
    cid = t.campaign(prospects=prospects)
    mid = scrape()
    waiting = lambda f: promparse.value(f, "linkcamp_messages", state="awaiting_approval")
    assert waiting(mid) - waiting(before) == 3
    # a sent email is one more delivery of the worker, counted as sent
    send_without_approval(t.api)
    rel = t.api.get("/v1/link-building/crm/relationship", query=f"campaignId={cid}").json()["data"][0]["id"]
    wb = worker_scrape()
    subject = "metrics " + uuid.uuid4().hex
    r = t.api.post(f"{CAMPAIGN}/{cid}/send-email", headers=JSON, data=json.dumps(
        {"relationshipId": rel, "subject": subject, "body": "Hello", "scheduleAt": "now"}))
    assert r.status_code == 202, r.text
    assert wait_for(lambda: [m for _, m in sink_messages() if m["Subject"] == subject])
    sent = lambda f: promparse.value(f, "linkcamp_worker_deliveries_total", outcome="sent")
    # the sink has it before the worker's counter moves only by a hair: wait for it
    assert wait_for(lambda: sent(worker_scrape()) > sent(wb))
    wa = worker_scrape()
    assert promparse.value(wa, "linkcamp_worker_delivery_duration_seconds_count") > \
        promparse.value(wb, "linkcamp_worker_delivery_duration_seconds_count")
    for fam in ("linkcamp_webhook_backlog", "linkcamp_placement_backlog",
                "linkcamp_messages_oldest_due_age_seconds"):
        assert scrape()[fam]["type"] == "gauge"


def test_worker_listener_rules():
    status, headers, body = worker_http(b"GET /metrics HTTP/1.0\r\n\r\n")
    assert status == 401 and headers["www-authenticate"].startswith("Bearer")
    status, _, _ = worker_http(f"GET /other HTTP/1.0\r\nAuthorization: Bearer {token()}\r\n\r\n".encode())
    assert status == 404
    status, _, _ = worker_http(b"POST /metrics HTTP/1.0\r\n\r\n")
    assert status == 405
    status, _, _ = worker_http(b"GET /metrics HTTP/1.0\r\n" + b"X: " + b"a" * 9000 + b"\r\n\r\n")
    assert status == 431
    status, _, _ = worker_http(b"GET /metrics HTTP/1.0\r\nAuthorization: Bearer nope-nope-nope-nope\r\n\r\n")
    assert status == 401
    fams = worker_scrape()
    assert fams["linkcamp_worker_deliveries_total"]["type"] == "counter"
    assert fams["linkcamp_worker_delivery_duration_seconds"]["type"] == "histogram"


def test_allow_list_and_off_by_default():
    try:
        # an allow list that does not hold nginx's address (127.0.0.1): 403, token or not
        dev("fcgi-restart", INSTANCE, LINKCAMP_METRICS_ALLOW="192.0.2.0/24, 2001:db8::/32")
        r = requests.get(URL + "/metrics", headers={"Authorization": f"Bearer {token()}"}, timeout=30)
        assert_problem(r, 403, "forbidden")
        # one that holds it: the token is still needed, and enough
        dev("fcgi-restart", INSTANCE, LINKCAMP_METRICS_ALLOW="192.0.2.1 127.0.0.0/8")
        assert_problem(requests.get(URL + "/metrics", timeout=30), 401, "unauthorized")
        scrape()
        # an allow list alone
        dev("fcgi-restart", INSTANCE, LINKCAMP_METRICS_ALLOW="127.0.0.1", LINKCAMP_METRICS_TOKEN="")
        assert "linkcamp_http_requests_total" in requests.get(URL + "/metrics", timeout=30).text
        # neither: the route does not exist
        dev("fcgi-restart", INSTANCE, LINKCAMP_METRICS_ALLOW="", LINKCAMP_METRICS_TOKEN="")
        assert_problem(requests.get(URL + "/metrics", headers={"Authorization": f"Bearer {token()}"}, timeout=30),
                       404, "route_not_found")
        # a bad allow list or a short token stops the start with a message naming the key
        for env, key in [({"LINKCAMP_METRICS_ALLOW": "10.0.0.0/33"}, "metrics.allow"),
                         ({"LINKCAMP_METRICS_ALLOW": "not-an-address"}, "metrics.allow"),
                         ({"LINKCAMP_METRICS_TOKEN": "short"}, "metrics.token")]:
            p = subprocess.run([os.path.join(os.environ["LINKCAMP_BIN"], "linkcamp-fcgi"), "-c", CONFIG],
                               env=dict(os.environ, **env, LINKCAMP_FCGI_LISTEN="/nonexistent/x.sock"),
                               capture_output=True, text=True, timeout=60)
            assert p.returncode == 78 and key in p.stderr, (p.returncode, p.stderr)
    finally:
        dev("fcgi-restart", INSTANCE)
    scrape()


def test_grafana_dashboard_uses_only_exposed_metrics():
    """docs/grafana-dashboard.json must not go stale: every metric its expressions name is
    one linkcamp-fcgi or linkcamp-worker exposes."""
    path = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "grafana-dashboard.json")
    with open(path) as f:
        dash = json.load(f)
    exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
    assert exprs
    exposed = set()
    for fams in (scrape(), worker_scrape()):
        for fam, f in fams.items():
            exposed.add(fam)
            if f["type"] == "histogram":
                exposed.update(fam + s for s in ("_bucket", "_sum", "_count"))
    for e in exprs:
        for name in re.findall(r"\b(linkcamp_[a-z_]+)", e):
            assert name in exposed, (name, e)


def test_response_cache_lookups_are_counted(tenant):
    """The response cache's hits and misses (issue 20: the mixed benchmark's hit rate):
    a first read of a URL misses, the same read again hits, and a write to the workspace
    makes the next read miss again."""
    api = tenant.api
    path = f"{CAMPAIGN}?limit=5"
    hits = lambda f: promparse.value(f, "linkcamp_response_cache_lookups_total", result="hit")
    misses = lambda f: promparse.value(f, "linkcamp_response_cache_lookups_total", result="miss")
    before = scrape()
    assert api.get(path).status_code == 200
    first = scrape()
    assert misses(first) - misses(before) == 1
    assert api.get(path).status_code == 200
    after = scrape()
    assert hits(after) - hits(first) == 1 and misses(after) == misses(first)
    assert promparse.value(after, "linkcamp_response_cache_entries") >= 1
    assert promparse.value(after, "linkcamp_response_cache_bytes") > 0
    tag = uuid.uuid4().hex[:8]
    r = api.post(CAMPAIGN, headers=JSON, data=json.dumps({
        "type": "serp", "name": "cache " + tag, "targetUrl": "https://ours.example/guide",
        "sender": f"outreach.{tag}@agency.example",
        "template": {"subject": "A guide for {{domain}}", "body": "Hi {{contactFirstName}}."},
        "prospects": [{"domain": "prospect.example", "contactName": "Ann",
                       "contactEmail": f"ann.{tag}@prospect.example"}]}))
    assert r.status_code == 201, r.text
    listed = api.get(path)
    assert listed.status_code == 200 and listed.json()["data"][0]["id"] == r.json()["id"]
    assert misses(scrape()) - misses(after) == 1
