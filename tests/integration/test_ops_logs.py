"""Logs for log shippers (docs/metrics.md "Logs"): with [log] format = json (the stack's
setting) every line linkcamp-fcgi and linkcamp-worker write is one JSON object with ts,
level and msg, and every record written while a request is answered carries its request
id; [log] format = text writes one readable line per record instead."""
import json
import os
import re
import subprocess
import uuid

import requests

from conftest import BIN, CONFIG, LOG_DIR, URL, wait_for

TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def records(name):
    """Every line of a log of the run, each parsed as one JSON object (or a failure
    naming the line)."""
    out = []
    with open(os.path.join(LOG_DIR, name), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            assert line.endswith("\n"), f"{name}:{n} is cut"
            try:
                rec = json.loads(line)
            except ValueError as e:
                raise AssertionError(f"{name}:{n} is not JSON ({e}): {line!r}")
            assert isinstance(rec, dict), f"{name}:{n}"
            assert TS.fullmatch(rec["ts"]), f"{name}:{n}"
            assert rec["level"] in ("debug", "info", "warn", "error"), f"{name}:{n}"
            assert isinstance(rec["msg"], str), f"{name}:{n}"
            out.append(rec)
    return out


def test_every_line_of_the_logs_is_one_json_object():
    for name in ("fcgi.log", "worker.log"):
        assert records(name), f"{name} is empty"


def test_request_records_carry_the_request_id():
    rid = "ops-" + uuid.uuid4().hex
    r = requests.get(URL + "/healthz", headers={"X-Request-Id": rid}, timeout=30)
    assert r.headers["X-Request-Id"] == rid
    # a record written inside a request, not only the access line: /mcp warns about a
    # request from another origin
    rid2 = "ops-" + uuid.uuid4().hex
    r = requests.post(URL + "/mcp", headers={"X-Request-Id": rid2, "Origin": "https://evil.example",
                                             "Content-Type": "application/json"},
                      data="{}", timeout=30)
    assert r.status_code == 403
    got = wait_for(lambda: [x for x in records("fcgi.log") if x.get("requestId") in (rid, rid2)])
    access = [x for x in got if x["msg"] == "request" and x["requestId"] == rid]
    assert len(access) == 1 and access[0]["path"] == "/healthz" and access[0]["status"] == 200
    inner = [x for x in got if x["requestId"] == rid2 and x["msg"] != "request"]
    assert inner and inner[0]["level"] == "warn", got
    # records written outside any request carry none (the id does not leak to the next)
    assert all("requestId" not in x for x in records("fcgi.log")
               if x["msg"].startswith(("linkcamp-fcgi listening", "shutting down", "stopped")))


def test_text_format_and_a_bad_format():
    sock = os.path.join(LOG_DIR, "..", "run", "text-fcgi.sock")
    env = dict(os.environ, LINKCAMP_LOG_FORMAT="text", LINKCAMP_FCGI_LISTEN=sock, LINKCAMP_FCGI_THREADS="1")
    p = subprocess.Popen([os.path.join(BIN, "linkcamp-fcgi"), "-c", CONFIG], env=env,
                         stderr=subprocess.PIPE, text=True)
    try:
        line = p.stderr.readline()
    finally:
        p.terminate()
        rest = p.communicate(timeout=60)[1]
    assert p.returncode == 0, rest
    for ln in [line] + rest.splitlines():
        assert re.fullmatch(TS.pattern + r" (debug|info|warn|error) \S.*\n?", ln), ln
    assert " info linkcamp-fcgi listening on " + sock in line
    p = subprocess.run([os.path.join(BIN, "linkcamp-fcgi"), "-c", CONFIG],
                       env=dict(os.environ, LINKCAMP_LOG_FORMAT="yaml"), capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 78 and "log.format must be json or text" in p.stderr
