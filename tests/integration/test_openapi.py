"""The API reference (docs/openapi.md): /v1/openapi.json is docs/openapi.yaml as built into
linkcamp-fcgi, /docs/api its rendered page, both public and revalidated by ETag; and the
checker conftest.py runs on every answer (openapi_check.py) really refuses answers the
document does not allow, a route it does not describe included."""
import base64
import hashlib
import json
import re

import yaml

import openapi_check
from conftest import SPEC_PATH, Api, assert_problem

DOC = "/v1/openapi.json"
PAGE = "/docs/api"


def spec_yaml():
    with open(SPEC_PATH, encoding="utf-8") as f:
        return yaml.safe_load(f)


def test_document_is_the_yaml_with_a_strong_etag(anon):
    r = anon.get(DOC)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == spec_yaml()
    assert r.json()["openapi"] == "3.1.0"
    assert re.fullmatch(r'"[0-9a-f]{32}"', r.headers["ETag"]), r.headers
    assert r.headers["Cache-Control"] == "public, max-age=300"
    assert r.headers["X-Request-Id"]
    # a key is not needed, and one that does not exist changes nothing
    r2 = Api("lc_live_nosuchkey").get(DOC)
    assert r2.status_code == 200 and r2.headers["ETag"] == r.headers["ETag"]


def test_revalidation_answers_304_without_the_body(anon):
    tag = anon.get(DOC).headers["ETag"]
    for inm in (tag, "W/" + tag, '"0000", ' + tag, "*"):
        r = anon.get(DOC, headers={"If-None-Match": inm})
        assert r.status_code == 304, (inm, r.status_code)
        assert r.content == b""
        assert r.headers["ETag"] == tag
    for inm in ('"0000"', tag[1:-1], tag + "x", '"' + tag):
        r = anon.get(DOC, headers={"If-None-Match": inm})
        assert r.status_code == 200, (inm, r.status_code)
        assert r.json()["openapi"] == "3.1.0"


def test_head_and_other_methods(anon, demo):
    get = anon.get(DOC)
    r = anon.request("HEAD", DOC)
    assert r.status_code == 200 and r.content == b""
    assert r.headers["ETag"] == get.headers["ETag"]
    r = anon.post(DOC, headers={"Content-Type": "application/json"}, data="{}")
    assert_problem(r, 405, "method_not_allowed")
    assert r.headers["Allow"] == "GET, HEAD"


def test_unknown_query_parameter_is_refused(anon):
    assert_problem(anon.get(DOC, query="format=yaml"), 400, "invalid_parameter", param="format")


def test_page_renders_every_operation_under_its_own_csp(anon):
    r = anon.get(PAGE)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    page = r.text
    assert page.startswith("<!doctype html>")
    doc = spec_yaml()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert f'id="op-{op["operationId"]}"' in page, (method, path)
    for name in doc["components"]["schemas"]:
        assert f'id="schema-{name}"' in page, name
    # the one <style> is what the CSP's hash allows, and nothing else may load
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert len(styles) == 1
    digest = base64.b64encode(hashlib.sha256(styles[0].encode("utf-8")).digest()).decode()
    csp = r.headers["Content-Security-Policy"]
    assert f"style-src 'sha256-{digest}'" in csp, csp
    assert "default-src 'none'" in csp
    assert "<script" not in page and 'rel="stylesheet"' not in page
    assert r.headers["X-Frame-Options"] == "DENY"
    tag = r.headers["ETag"]
    assert tag != anon.get(DOC).headers["ETag"]
    again = anon.get(PAGE, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""


def test_checker_refuses_answers_outside_the_document(demo):
    """The check every answer goes through is not a formality: a real answer changed by
    one field, given a status the operation does not have, or received on a route the
    document does not describe, is refused."""
    spec = openapi_check.Spec(SPEC_PATH)
    r = demo["api"].get("/v1/credits")
    assert r.status_code == 200, r.text
    ctype = r.headers["Content-Type"]
    spec.check("GET", "/v1/credits", 200, ctype, r.content)  # as received: allowed
    body = r.json()
    assert body["ledger"], body  # the demo workspace was granted credits
    for bad in ({k: v for k, v in body.items() if k != "available"},
                dict(body, surprise=1), dict(body, balance="12"),
                dict(body, ledger=[dict(body["ledger"][0], at="yesterday")])):
        try:
            spec.check("GET", "/v1/credits", 200, ctype, json.dumps(bad))
        except openapi_check.Mismatch:
            pass
        else:
            raise AssertionError(f"the checker allowed {bad}")
    for status in (201, 500):
        try:
            spec.check("GET", "/v1/credits", status, ctype, r.content)
        except openapi_check.Mismatch:
            pass
        else:
            raise AssertionError(f"the checker allowed status {status}")
    # a route the document does not describe: the same answer, the path gone from it
    narrowed = spec_yaml()
    del narrowed["paths"]["/v1/credits"]
    try:
        openapi_check.Spec(narrowed).check("GET", "/v1/credits", 200, ctype, r.content)
    except openapi_check.Mismatch as e:
        assert "no route of the document" in str(e), e
    else:
        raise AssertionError("the checker allowed an answer on an undescribed route")
