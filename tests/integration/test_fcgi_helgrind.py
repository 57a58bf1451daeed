"""linkcamp-fcgi's threads under Valgrind's helgrind: concurrent reads that hit and miss
the response cache, writes that move the data version, and a SIGTERM must show no data
race and no lock-order problem (tests/integration/helgrind.supp names the one race
libfcgi has by design). The release build is used: helgrind cannot run an ASan binary."""
import concurrent.futures
import json
import os
import re
import subprocess

from conftest import Api, Tenant

DEV = os.environ.get("LINKCAMP_DEV", "")
INSTANCE = os.environ.get("LINKCAMP_INSTANCE", "test")
LOG_DIR = os.environ.get("LINKCAMP_LOG_DIR", "/tmp")
HERE = os.path.dirname(os.path.abspath(__file__))
JSON = {"Content-Type": "application/json"}


def test_fcgi_threads_are_clean_under_helgrind():
    t = Tenant()
    cids = [t.campaign(name=f"hg {i}") for i in range(3)]
    log = os.path.join(LOG_DIR, "helgrind-fcgi.log")
    if os.path.exists(log):
        os.unlink(log)
    env = dict(os.environ, LINKCAMP_FCGI_WRAPPER=(
        f"valgrind --tool=helgrind --suppressions={HERE}/helgrind.supp --log-file={log}"))
    subprocess.run([DEV, "fcgi-restart", INSTANCE, "release"], check=True, env=env, timeout=120)
    try:
        paths = ["/v1/link-building/campaign?limit=5", "/v1/link-building/crm/relationship?limit=5",
                 "/v1/credits", "/readyz", "/healthz"]
        for cid in cids:
            paths += [f"/v1/link-building/campaign/{cid}", f"/v1/link-building/campaign/{cid}/metrics"]

        def hit(i):
            api = Api(t.key)
            p = paths[i % len(paths)]
            r = api.get(p)
            if i % 10 == 9:  # a write between the reads moves the version
                cid = cids[i % len(cids)]
                w = api.post(f"/v1/link-building/campaign/{cid}/pause", headers=JSON,
                             data=json.dumps({"reason": "helgrind"}))
                if w.status_code == 409:
                    w = api.post(f"/v1/link-building/campaign/{cid}/resume")
                return r.status_code, w.status_code
            return r.status_code, 200

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(hit, range(200)))
        assert all(a == 200 for a, _ in codes), codes
        assert all(b in (200, 409) for _, b in codes), codes
    finally:
        # back to the suite's own linkcamp-fcgi; SIGTERM ends the helgrind one
        subprocess.run([DEV, "fcgi-restart", INSTANCE], check=True, timeout=120)
    with open(log) as f:
        report = f.read()
    summary = re.findall(r"ERROR SUMMARY: (\d+) errors", report)
    assert summary and summary[-1] == "0", report[-4000:]
