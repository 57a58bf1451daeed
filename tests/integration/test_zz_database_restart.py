"""The database goes away and comes back: 503 in the envelope while it is down, and the
same linkcamp-fcgi process answers again afterwards (it reconnects and re-prepares)."""
import os
import subprocess
import time

from conftest import assert_problem

DEV = os.environ.get("LINKCAMP_DEV", "")
INSTANCE = os.environ.get("LINKCAMP_INSTANCE", "test")


def dev(*args):
    subprocess.run([DEV, *args], check=True, timeout=120, capture_output=True)


def test_503_while_database_down_then_recovers(demo):
    api = demo["api"]
    path = f"/v1/link-building/campaign/{demo['campaign']}"
    # warm every thread's connection and key cache
    for _ in range(30):
        assert api.get(path).status_code == 200
    dev("db-stop", INSTANCE)
    try:
        r = demo["other"].get("/v1/link-building/campaign")
        assert_problem(r, 503, "service_unavailable")
        assert r.headers["Retry-After"] == "5"
        for _ in range(10):
            r = api.get(path)
            assert_problem(r, 503, "service_unavailable")
        r = api.get("/readyz", key=None)
        assert_problem(r, 503, "service_unavailable")
        # the MTA pipe says "try again later" (EX_TEMPFAIL) so no mail is lost
        mail = (b"From: a@b.example\r\nTo: c@d.example\r\nSubject: hi\r\n"
                b"Message-ID: <db-down@b.example>\r\n\r\nhello\r\n")
        p = subprocess.run([os.path.join(os.environ["LINKCAMP_BIN"], "linkcamp"), "-c",
                            os.environ["LINKCAMP_CONFIG"], "inbound"], input=mail,
                           capture_output=True, timeout=60)
        assert p.returncode == 75, p.stderr
        assert api.get("/healthz", key=None).status_code == 200
    finally:
        dev("db-start", INSTANCE)
    deadline = time.time() + 20
    while time.time() < deadline:
        if api.get("/readyz", key=None).status_code == 200:
            break
        time.sleep(0.2)
    for _ in range(30):
        assert api.get(path).status_code == 200
