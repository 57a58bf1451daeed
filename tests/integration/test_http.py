"""HTTP conventions every route shares: health, request ids, routing errors, limits."""
import re

from conftest import URL, assert_problem


def test_healthz_needs_no_database_or_key(anon):
    r = anon.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    assert r.headers["Content-Type"] == "application/json"


def test_readyz_checks_the_database(anon):
    r = anon.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ready"}


def test_request_id_is_generated_when_absent(anon):
    a = anon.get("/healthz").headers["X-Request-Id"]
    b = anon.get("/healthz").headers["X-Request-Id"]
    assert re.fullmatch(r"req_[A-Za-z0-9_-]{16}", a)
    assert a != b


def test_sane_request_id_is_echoed(anon):
    r = anon.get("/healthz", headers={"X-Request-Id": "abc-123.DEF_4"})
    assert r.headers["X-Request-Id"] == "abc-123.DEF_4"


def test_odd_request_id_is_replaced(anon):
    for bad in ["a b", "x" * 65, "<script>", "é"]:
        r = anon.get("/healthz", headers={"X-Request-Id": bad.encode("utf-8")})
        assert r.status_code == 200
        assert r.headers["X-Request-Id"] != bad
        assert r.headers["X-Request-Id"].startswith("req_")


def test_unknown_route_is_a_problem(demo):
    r = demo["api"].get("/v1/nothing-here")
    assert_problem(r, 404, "route_not_found")
    r = demo["api"].get("/")
    assert_problem(r, 404, "route_not_found")


def test_wrong_method_is_405_with_allow(demo):
    r = demo["api"].request("DELETE", "/v1/link-building/campaign")
    body = assert_problem(r, 405, "method_not_allowed")
    assert "GET" in r.headers["Allow"]
    assert body["status"] == 405


def test_trailing_slash_and_double_slash_are_not_routes(demo):
    assert_problem(demo["api"].get("/v1/link-building/campaign/"), 404, "route_not_found")
    assert_problem(demo["api"].get("/v1//link-building/campaign"), 404, "route_not_found")


def test_head_is_answered_like_get_without_body(anon):
    r = anon.request("HEAD", "/healthz")
    assert r.status_code == 200
    assert r.content == b""


def test_huge_body_gets_json_413_from_nginx(demo):
    r = demo["api"].post("/v1/link-building/campaign", data=b"x" * (3 * 1024 * 1024),
                         headers={"Content-Type": "application/json"})
    assert_problem(r, 413, "payload_too_large", from_app=False)


def test_huge_uri_gets_json_error(demo):
    r = demo["api"].get("/v1/link-building/campaign", query="q=" + "a" * 70000)
    assert r.status_code in (400, 414)
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert r.json()["code"] == "invalid_parameter"


def test_responses_are_not_cached_and_not_sniffed(demo):
    r = demo["api"].get("/v1/link-building/campaign")
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def raw_request(raw):
    import socket

    host, port = URL.split("//")[1].split(":")
    s = socket.create_connection((host, int(port)), timeout=10)
    s.sendall(raw)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), head, body


def test_bad_percent_escapes_are_400(demo):
    key = demo["api"].key
    for query in [b"q=%zz", b"q=%4", b"q=%", b"%=1", b"limit=%G0"]:
        status, head, body = raw_request(
            b"GET /v1/link-building/campaign?" + query + b" HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer " + key.encode() + b"\r\nConnection: close\r\n\r\n")
        assert status == 400, (query, head, body)
        assert b"application/problem+json" in head
        assert b'"code":"invalid_parameter"' in body


def test_raw_garbage_request_line_never_5xx():
    import socket

    host, port = URL.split("//")[1].split(":")
    for raw in [b"GET /\x00\xff HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET /v1/link-building/campaign?%%%%% HTTP/1.1\r\nHost: x\r\n\r\n",
                b"BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n"]:
        s = socket.create_connection((host, int(port)), timeout=10)
        s.sendall(raw)
        data = s.recv(65536)
        s.close()
        status = int(data.split(b" ", 2)[1])
        assert status < 500, data[:200]
