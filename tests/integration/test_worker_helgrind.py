"""linkcamp-worker's threads (claimer, mailers, recorder, reaper, placement checker, webhook
sender) under Valgrind's helgrind: 48 deliveries (six batches of eight), each DKIM-signed, two
link checks (libcurl and libxml2 in the placement checker while the mailers run), their 48
email.sent webhooks (batches of eight posted on the sender thread's kept libcurl handle and
recorded together) and a SIGTERM must show no data
race and no lock-order problem (tests/integration/helgrind.supp names the one false report
it may give, from inside glibc's timed condition wait). The release build is used (helgrind cannot run an
ASan binary); scripts/dev test builds it before the integration tests."""
import json
import os
import re
import subprocess
import uuid

from conftest import (CONFIG, Tenant, add_prospects, send_without_approval, sink_messages, sql,
                      stop_process, wait_for)
from test_placements import LINKED, TARGET, Pages, place, status_of
from test_webhooks import Receiver

DEV = os.environ.get("LINKCAMP_DEV", "")
INSTANCE = os.environ.get("LINKCAMP_INSTANCE", "test")
LOG_DIR = os.environ.get("LINKCAMP_LOG_DIR", "/tmp")
HERE = os.path.dirname(os.path.abspath(__file__))
RELEASE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(DEV))), "build", "release")
JSON = {"Content-Type": "application/json"}
SENDS = 48


def unsent(ws):
    """what the messages not yet sent say of themselves: the failure's explanation"""
    return sql("SELECT m.status, m.attempts, m.last_error, m.due_at FROM outbound_messages m "
               f"JOIN workspaces w ON w.id = m.workspace_id WHERE w.public_id = '{ws}' "
               "AND m.status <> 3 LIMIT 10")


def test_worker_threads_are_clean_under_helgrind():
    t = Tenant()
    tag = uuid.uuid4().hex[:8]
    send_without_approval(t.api)
    # the mailers sign every one of them (DKIM, libopendkim's shared library handle)
    r = t.api.post("/v1/domains", headers=JSON, data=json.dumps({"domain": "agency.example"}))
    assert r.status_code == 201, r.text
    domain_id = r.json()["id"]
    cid = t.campaign(name="helgrind", targetUrl=TARGET, template={"subject": "", "body": ""})
    domain = f"hg-{tag}.localhost"
    rels = list(add_prospects(t.api, cid, [
        {"domain": domain, "contactName": f"P{i}", "contactEmail": f"p{i}@{domain}"}
        for i in range(20)]).values())

    pages = Pages()
    rx = Receiver()
    hook_path = f"/ok/helgrind-{tag}"
    r = t.api.post("/v1/webhooks", headers=JSON, data=json.dumps(
        {"url": rx.url(hook_path), "events": ["link_building.email.sent"]}))
    assert r.status_code == 201, r.text
    subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=60)
    worker = None
    log = os.path.join(LOG_DIR, "helgrind-worker.log")
    try:
        checks = [place(t.api, rels[i], pages.url(pages.put(LINKED), domain)).json()["id"]
                  for i in range(2)]
        for i in range(SENDS):
            r = t.api.post(f"/v1/link-building/campaign/{cid}/send-email", headers=JSON,
                           data=json.dumps({"relationshipId": rels[i % len(rels)],
                                            "subject": f"hg {tag} {i}", "body": f"message {i}\n"}))
            assert r.status_code == 202, r.text
        # the stack's 3 s SMTP timeout and 20 s lease suit a worker at full speed; under
        # helgrind a TLS handshake or a batch of eight RSA signatures can outlast them, and
        # a message that times out or loses its lease waits a minute or more for its retry
        env = dict(os.environ, LINKCAMP_WORKER_THREADS="4", LINKCAMP_WORKER_BATCH="8",
                   LINKCAMP_WORKER_POLL_MS="50", LINKCAMP_LOG_LEVEL="warn",
                   LINKCAMP_SMTP_TIMEOUT_MS="120000", LINKCAMP_WORKER_LEASE_SECONDS="900")
        worker = subprocess.Popen(["valgrind", "--tool=helgrind", f"--log-file={log}",
                                   f"--suppressions={HERE}/helgrind.supp",
                                   os.path.join(RELEASE, "linkcamp-worker"), "-c", CONFIG],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def sent():
            return int(sql("SELECT COUNT(*) FROM outbound_messages m JOIN workspaces w ON "
                           f"w.id = m.workspace_id WHERE w.public_id = '{t.ws}' AND m.status = 3")[0][0])
        # a bound against a hang, not a speed: under helgrind the worker runs 50-100 times
        # slower, and every one of these messages is DKIM-signed (RSA) before it leaves
        assert wait_for(lambda: sent() == SENDS, 900), (sent(), unsent(t.ws))
        signed = [raw for raw, m in sink_messages() if f"hg {tag} " in str(m["Subject"] or "")]
        assert len(signed) == SENDS and all(b"\r\nDKIM-Signature: " in b"\r\n" + raw
                                            for raw in signed)
        # both signatures: rsa-sha256 (libopendkim) and ed25519-sha256 (our own signer)
        assert all(b"a=rsa-sha256" in raw and b"a=ed25519-sha256" in raw for raw in signed)
        for i, pid in enumerate(checks):
            assert wait_for(lambda: status_of(t.api, rels[i], pid)["status"] == "verified", 600)
        assert wait_for(lambda: len(rx.at(hook_path)) >= SENDS, 600), len(rx.at(hook_path))
        assert wait_for(lambda: sql(
            "SELECT COUNT(*) FROM webhook_outbox o JOIN workspaces w ON w.id = o.workspace_id "
            f"WHERE w.public_id = '{t.ws}' AND o.state = 2")[0][0] == str(SENDS), 600)
        stop_process(worker)
    finally:
        if worker and worker.poll() is None:
            worker.kill()
        subprocess.run([DEV, "worker-start", INSTANCE], check=True, timeout=60)
        pages.stop()
        rx.stop()
        # its DNS is published nowhere: leave no domain for `linkcamp doctor` to fail on
        t.api.request("DELETE", f"/v1/domains/{domain_id}")
    with open(log) as f:
        report = f.read()
    summary = re.findall(r"ERROR SUMMARY: (\d+) errors", report)
    assert summary and summary[-1] == "0", report[-4000:]
