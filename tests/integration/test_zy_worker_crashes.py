"""Workers killed with SIGKILL at random moments while 2,000 emails go out through three of
them: every message still ends in exactly one terminal state, no Message-ID reaches the
SMTP server twice, and the credit ledger sums to the balance."""
import collections
import concurrent.futures
import json
import os
import random
import signal
import subprocess
import time
import uuid

from conftest import Api, Tenant, sink_messages, sql, start_worker_process, stop_process

DEV = os.environ.get("LINKCAMP_DEV", "")
INSTANCE = os.environ.get("LINKCAMP_INSTANCE", "test")
LOG_DIR = os.environ.get("LINKCAMP_LOG_DIR", "/tmp")
SENDS = 2000
PROSPECTS = 50


def start_worker(n):
    return start_worker_process(f"chaos-worker-{n}.log", LINKCAMP_WORKER_LEASE_SECONDS="5",
                                LINKCAMP_WORKER_THREADS="4", LINKCAMP_WORKER_POLL_MS="50",
                                LINKCAMP_SMTP_TIMEOUT_MS="3000", LINKCAMP_LOG_LEVEL="warn")


def states(ws_public):
    rows = sql("SELECT m.status, COUNT(*) FROM outbound_messages m JOIN workspaces w "
               f"ON w.id = m.workspace_id WHERE w.public_id = '{ws_public}' AND m.kind = 1 "
               "GROUP BY m.status")
    return {int(s): int(n) for s, n in rows}


def test_kill_workers_during_2000_sends():
    subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=60)
    workers = []
    try:
        t = Tenant()
        cli_grant = __import__("conftest").cli
        cli_grant("credits", "grant", t.ws, str(SENDS * 2 + 100))
        r = t.api.request("PUT", "/v1/workspace/policy", headers={"Content-Type": "application/json"},
                          data=json.dumps({"approval": {"sendEmail": "auto"}}))
        assert r.status_code == 200
        tag = uuid.uuid4().hex[:8]
        domain = f"chaos-{tag}.example"
        cid = t.campaign(name="chaos", template={"subject": "", "body": ""})
        r = t.api.post(f"/v1/link-building/campaign/{cid}/relationships",
                       headers={"Content-Type": "application/json"},
                       data=json.dumps({"prospects": [
                           {"domain": domain, "contactName": f"P {i}", "contactEmail": f"p{i}@{domain}"}
                           for i in range(PROSPECTS)]}))
        assert r.status_code == 201, r.text
        rels = [x["id"] for x in t.api.get("/v1/link-building/crm/relationship",
                                           query=f"campaignId={cid}&limit=200").json()["data"]]
        assert len(rels) == PROSPECTS

        def fire(i):
            api = Api(t.key)
            body = json.dumps({"relationshipId": rels[i % PROSPECTS], "subject": f"chaos {tag} {i}",
                               "body": f"message {i}\n"})
            r = api.post(f"/v1/link-building/campaign/{cid}/send-email",
                         headers={"Content-Type": "application/json"}, data=body)
            return r.status_code

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(fire, range(SENDS)))
        assert codes.count(202) == SENDS, collections.Counter(codes)

        rng = random.Random(20261126)
        workers = [start_worker(i) for i in range(3)]
        kills, n = 0, 3
        deadline = time.time() + 240
        while time.time() < deadline:
            time.sleep(rng.uniform(0.05, 0.5))
            victim = rng.randrange(len(workers))
            workers[victim].send_signal(signal.SIGKILL)
            workers[victim].wait()
            kills += 1
            workers[victim] = start_worker(n)
            n += 1
            st = states(t.ws)
            if st.get(1, 0) + st.get(2, 0) + st.get(9, 0) + st.get(8, 0) == 0 or kills >= 60:
                break
        # let the survivors finish, including leases the reaper must return
        deadline = time.time() + 180
        while time.time() < deadline:
            st = states(t.ws)
            if sum(st.values()) == SENDS and all(s in (3, 4, 5) for s in st):
                break
            time.sleep(0.5)
        st = states(t.ws)
        assert kills >= 5
        # every message ended in exactly one terminal state: sent, failed or unknown
        assert sum(st.values()) == SENDS, st
        assert set(st) <= {3, 4, 5}, st
        assert st.get(3, 0) >= SENDS * 0.8, st

        received = collections.Counter(m["Message-ID"] for raw, m in sink_messages()
                                       if m["X-Sink-Rcpt-To"] and m["X-Sink-Rcpt-To"].endswith("@" + domain))
        assert received and max(received.values()) == 1, [k for k, v in received.items() if v > 1][:5]
        rows = sql("SELECT m.message_id_header, m.status FROM outbound_messages m JOIN workspaces w "
                   f"ON w.id = m.workspace_id WHERE w.public_id = '{t.ws}' AND m.kind = 1")
        sent_ids = {mid for mid, s in rows if s == "3"}
        assert sent_ids <= set(received), "a message recorded as sent never arrived"
        unknown_ids = {mid for mid, s in rows if s == "5"}
        assert set(received) <= sent_ids | unknown_ids

        (balance, reserved, sum_b, sum_r), = [tuple(map(int, r)) for r in sql(
            "SELECT w.credits_balance, w.credits_reserved, SUM(l.delta_balance), SUM(l.delta_reserved) "
            f"FROM workspaces w JOIN credit_ledger l ON l.workspace_id = w.id WHERE w.public_id = '{t.ws}' "
            "GROUP BY w.id")]
        assert (balance, reserved) == (sum_b, sum_r)
        assert reserved == 0
        assert balance == 1000 + SENDS * 2 + 100 - 2 * len(sent_ids)
        charged = sql("SELECT SUM(i.credits_charged) FROM invocations i JOIN workspaces w "
                      f"ON w.id = i.workspace_id WHERE w.public_id = '{t.ws}'")
        assert int(charged[0][0]) == 2 * len(sent_ids)
    finally:
        # the survivors (those not killed on purpose) must end cleanly on SIGTERM
        try:
            for w in workers:
                stop_process(w)
        finally:
            subprocess.run([DEV, "worker-start", INSTANCE], check=True, timeout=60)
