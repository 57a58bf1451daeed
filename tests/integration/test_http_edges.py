"""HTTP edges: 405 with a true Allow, JSON bodies sent the way `curl -d` sends them, the
/mcp Host check, and nginx's own errors (request id, true status, HTML for the pages).

The 502 and limit_req answers come from a private nginx started here with the repository's
own nginx/linkcamp-maps.conf and nginx/linkcamp-errors.conf in front of a socket nobody
listens on, so the shared stack's linkcamp-fcgi is never stopped."""
import json
import os
import re
import socket
import subprocess
import time

import pytest
import requests

from conftest import URL, Tenant, assert_problem

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
FAKE = "AAAAAAAAAAAAAAAAAAAAAA"
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]
NGINX_ID = re.compile(r"req_[0-9a-f]{32}")


@pytest.fixture(scope="module")
def t():
    return Tenant()


# ---- 405 and Allow ----

@pytest.mark.parametrize("path,allowed", [
    ("/v1/link-building/campaign", {"GET", "HEAD", "POST"}),
    (f"/v1/link-building/campaign/scmp_{FAKE}", {"GET", "HEAD", "PATCH"}),
    ("/v1/mailboxes", {"GET", "HEAD", "POST"}),
    (f"/v1/link-building/campaign/scmp_{FAKE}/metrics", {"GET", "HEAD"}),
    (f"/v1/link-building/campaign/scmp_{FAKE}/pause", {"POST"}),
    ("/v1/link-building/campaign/respond", {"POST"}),
    ("/v1/webhooks", {"GET", "HEAD", "POST"}),
    (f"/v1/webhooks/wh_{FAKE}", {"DELETE"}),
    (f"/v1/link-building/relationship/rel_{FAKE}/placement", {"GET", "HEAD", "POST"}),
    ("/v1/workspace/policy", {"GET", "HEAD", "PUT"}),
    ("/healthz", {"GET", "HEAD"}),
    ("/mcp", {"POST"}),
])
def test_allow_lists_exactly_the_methods_the_path_answers(t, path, allowed):
    """Every method is tried (ids that name nothing, bodies that are refused: nothing is
    changed); a 405 must list exactly the methods that were not 405."""
    answered = {}
    for m in METHODS:
        answered[m] = t.api.request(m, path)
    took = {m for m, r in answered.items() if r.status_code != 405}
    assert took == allowed, {m: r.status_code for m, r in answered.items()}
    for m in set(METHODS) - allowed:
        r = answered[m]
        if m != "HEAD":
            assert_problem(r, 405, "method_not_allowed")
        assert {x.strip() for x in r.headers["Allow"].split(",")} == allowed, (m, r.headers)


def test_get_respond_is_405_not_a_campaign_named_respond(t):
    r = t.api.get("/v1/link-building/campaign/respond")
    assert_problem(r, 405, "method_not_allowed")
    assert r.headers["Allow"] == "POST"
    r = t.api.request("DELETE", "/v1/link-building/campaign/respond")
    assert_problem(r, 405, "method_not_allowed")
    assert r.headers["Allow"] == "POST"


# ---- JSON sent as a form (curl -d without -H) ----

def test_json_object_sent_as_form_is_read_as_json(t):
    cid = t.campaign()
    r = t.api.post(f"/v1/link-building/campaign/{cid}/pause", headers=FORM,
                   data=' \r\n\t{"reason": "sent by curl -d"}')
    assert r.status_code == 200, r.text
    assert r.json()["pauseReason"] == "sent by curl -d"
    # the charset parameter does not matter either
    r = t.api.post(f"/v1/link-building/campaign/{cid}/resume",
                   headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
                   data="{}")
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("ctype,body", [
    ("application/x-www-form-urlencoded", "reason=Need+to+revisit"),
    ("application/x-www-form-urlencoded", '["reason"]'),
    ("application/x-www-form-urlencoded", '{"reason": "cut'),
    ("application/x-www-form-urlencoded", '{"a":1}{"b":2}'),
    ("application/x-www-form-urlencoded", '{"reason":"x","reason":"y"}'),
    ("text/plain", '{"reason": "x"}'),
    ("multipart/form-data; boundary=x", '{"reason": "x"}'),
    (None, '{"reason": "x"}'),
])
def test_anything_else_stays_415(t, ctype, body):
    cid = t.campaign()
    headers = {"Content-Type": ctype} if ctype else {}
    req = requests.Request("POST", f"{URL}/v1/link-building/campaign/{cid}/pause",
                           headers={"Authorization": f"Bearer {t.key}", **headers},
                           data=body.encode()).prepare()
    if ctype is None:
        req.headers.pop("Content-Type", None)
    r = requests.Session().send(req, timeout=30)
    assert_problem(r, 415, "unsupported_media_type")
    assert t.api.get(f"/v1/link-building/campaign/{cid}").json()["status"] != "paused"


def test_real_json_body_errors_keep_their_codes(t):
    cid = t.campaign()
    r = t.api.post(f"/v1/link-building/campaign/{cid}/pause", headers=FORM,
                   data='{"reason": "x", "extra": 1}')
    assert_problem(r, 422, "validation_failed", param="extra")


def test_mcp_takes_a_json_message_sent_as_form(t):
    r = t.api.post("/mcp", headers=FORM,
                   data=json.dumps({"jsonrpc": "2.0", "id": 7, "method": "ping"}))
    assert r.status_code == 200, r.text
    assert r.json() == {"jsonrpc": "2.0", "id": 7, "result": {}}
    assert_problem(t.api.post("/mcp", headers=FORM, data="jsonrpc=2.0&method=ping"), 415,
                   "unsupported_media_type")


def test_pages_still_need_a_real_form_and_csrf(anon):
    """The cookie pages keep refusing what a cross-site page could send: a JSON body is no
    sign-in form, whatever its Content-Type says."""
    for ctype in ("application/x-www-form-urlencoded", "application/json"):
        r = anon.post("/app/login", headers={"Content-Type": ctype},
                      data=json.dumps({"email": "approver@demo.example", "password": "x"}))
        assert r.status_code in (400, 403, 415), r.status_code
        assert "linkcamp_session" not in r.headers.get("Set-Cookie", "")


# ---- MCP: Host like Origin, the reference's tool spelling ----

def test_mcp_refuses_a_foreign_host(t):
    ping = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"})
    port = URL.rsplit(":", 1)[1]
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.nip.io", "[::2]:80"):
        r = t.api.post("/mcp", headers={**JSON, "Host": host}, data=ping)
        assert_problem(r, 403, "forbidden", param="Host")
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST", f"[::1]:{port}"):
        r = t.api.post("/mcp", headers={**JSON, "Host": host}, data=ping)
        assert r.status_code == 200, (host, r.text)
    # the API itself does not care about Host
    assert t.api.get("/v1/credits", headers={"Host": "evil.example"}).status_code == 200


def test_mcp_accepts_the_references_tool_spelling(t):
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "crm.relationship.list", "arguments": {"limit": 1}}}
    r = t.api.post("/mcp", headers=JSON, data=json.dumps(body))
    res = r.json()["result"]
    assert res["isError"] is False, res
    assert res["structuredContent"] == t.api.get("/v1/link-building/crm/relationship",
                                                 query="limit=1").json()
    for name in ("relationship.list", "link_building.crm", "crm.relationship.list.x"):
        body["params"]["name"] = name
        assert t.api.post("/mcp", headers=JSON, data=json.dumps(body)).json()["error"]["code"] == -32602


# ---- nginx's own errors on the stack ----

def test_nginx_413_carries_the_request_id(anon):
    big = b"x" * (3 * 1024 * 1024)
    r = anon.post("/v1/link-building/campaign", data=big, headers=JSON)
    body = assert_problem(r, 413, "payload_too_large", from_app=False)
    assert NGINX_ID.fullmatch(r.headers["X-Request-Id"]), r.headers
    assert body["requestId"] == r.headers["X-Request-Id"]
    r = anon.post("/v1/link-building/campaign", data=big, headers={**JSON, "X-Request-Id": "mine-1"})
    assert r.headers["X-Request-Id"] == "mine-1" and r.json()["requestId"] == "mine-1"
    r = anon.post("/v1/link-building/campaign", data=big, headers={**JSON, "X-Request-Id": "no/pe"})
    assert NGINX_ID.fullmatch(r.headers["X-Request-Id"])


def test_nginx_413_on_a_page_is_html(anon):
    r = anon.post("/app/login", data=b"x" * (3 * 1024 * 1024), headers=FORM)
    assert r.status_code == 413
    assert r.headers["Content-Type"].startswith("text/html")
    assert NGINX_ID.fullmatch(r.headers["X-Request-Id"])
    assert "<!doctype html>" in r.text and "413" in r.text and r.headers["X-Request-Id"] in r.text


def test_nginx_404_carries_the_request_id(anon):
    r = anon.get("/static/no-such-file.css")
    body = assert_problem(r, 404, "route_not_found", from_app=False)
    assert body["requestId"] == r.headers["X-Request-Id"]


def test_unparseable_request_gets_a_request_id():
    host, port = URL.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"GARBAGE\r\n\r\n")
        raw = b""
        while b"\r\n\r\n" not in raw:
            chunk = s.recv(4096)
            if not chunk:
                break
            raw += chunk
    head = raw.split(b"\r\n\r\n")[0].decode()
    assert head.startswith("HTTP/1.1 400"), head
    assert re.search(r"(?im)^X-Request-Id: req_[0-9a-f]{32}\r?$", head), head


# ---- nginx's own 502 and limit_req, from a private nginx with the same error pages ----

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def bare_nginx(tmp_path_factory):
    d = tmp_path_factory.mktemp("nginx")
    port = free_port()
    conf = d / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
daemon off;
{"user root;" if os.geteuid() == 0 else ""}
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    fastcgi_temp_path {d}/fastcgi;
    proxy_temp_path {d}/proxy;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    include {ROOT}/nginx/linkcamp-maps.conf;
    limit_req_zone $binary_remote_addr zone=once:1m rate=1r/m;
    limit_req_zone $binary_remote_addr zone=once429:1m rate=1r/m;
    server {{
        listen 127.0.0.1:{port};
        include {ROOT}/nginx/linkcamp-errors.conf;
        location /limited/ {{
            limit_req zone=once;
            fastcgi_pass unix:{d}/nobody-listens.sock;
        }}
        location /limited429/ {{
            limit_req zone=once429;
            limit_req_status 429;
            fastcgi_pass unix:{d}/nobody-listens.sock;
        }}
        location / {{
            fastcgi_pass unix:{d}/nobody-listens.sock;
        }}
    }}
}}
""")
    p = subprocess.Popen(["nginx", "-c", str(conf), "-e", str(d / "error.log"), "-p", str(d)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            requests.get(base + "/", timeout=1)
            break
        except requests.ConnectionError:
            if p.poll() is not None:
                pytest.fail("nginx did not start: " + p.stderr.read().decode())
            time.sleep(0.05)
    yield base
    p.terminate()
    p.wait(timeout=30)


def test_nginx_502_says_502(bare_nginx):
    r = requests.get(bare_nginx + "/v1/link-building/campaign", timeout=10)
    assert r.status_code == 502
    assert r.headers["Content-Type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == 502 and body["title"] == "Bad Gateway"
    assert body["code"] == "service_unavailable" and r.headers["Retry-After"] == "5"
    assert NGINX_ID.fullmatch(r.headers["X-Request-Id"])
    assert body["requestId"] == r.headers["X-Request-Id"]


@pytest.mark.parametrize("path", ["/app/", "/app", "/app/w/ws_x/approvals?x=1", "/u/sometoken"])
def test_nginx_502_on_a_page_is_html(bare_nginx, path):
    r = requests.get(bare_nginx + path, timeout=10, headers={"X-Request-Id": "page-1"})
    assert r.status_code == 502
    assert r.headers["Content-Type"].startswith("text/html")
    assert r.headers["X-Request-Id"] == "page-1"
    assert "<!doctype html>" in r.text and "502" in r.text and "page-1" in r.text


def test_not_pages_are_json(bare_nginx):
    for path in ("/mcp", "/apps", "/application", "/v1/app/x", "/upload"):
        r = requests.get(bare_nginx + path, timeout=10)
        assert r.status_code == 502 and r.headers["Content-Type"].startswith(
            "application/problem+json"), path


def test_limit_req_answers_carry_the_request_id(bare_nginx):
    first = requests.get(bare_nginx + "/limited/x", timeout=10)
    assert first.status_code == 502  # let through, to nobody
    r = requests.get(bare_nginx + "/limited/x", timeout=10)
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == 503 and body["code"] == "service_unavailable"
    assert body["requestId"] == r.headers["X-Request-Id"]
    assert NGINX_ID.fullmatch(r.headers["X-Request-Id"])
    # the production configuration answers limit_req with 429 (nginx/linkcamp.conf)
    requests.get(bare_nginx + "/limited429/x", timeout=10)
    r = requests.get(bare_nginx + "/limited429/x", timeout=10)
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    assert r.headers["Retry-After"] == "1" and r.json()["requestId"] == r.headers["X-Request-Id"]


def test_production_config_includes_the_maps_and_errors():
    with open(os.path.join(ROOT, "nginx", "linkcamp.conf")) as f:
        prod = f.read()
    assert "include /etc/nginx/linkcamp-maps.conf;" in prod
    assert "include /etc/nginx/linkcamp-errors.conf;" in prod
    assert "limit_req_status 429;" in prod
