"""Idempotency keys survive a crash of linkcamp-fcgi: POSTs with Idempotency-Key run under
load while linkcamp-fcgi is killed with SIGKILL at random moments and restarted. Then every
key is retried with its request: a key whose request never committed is free again at once
(no 409 idempotency_key_in_use left behind), a key whose request committed answers its
stored result, and each key's effect (one outbound message) exists exactly once.

The seed is printed on failure; LINKCAMP_IDEM_SEED replays a run."""
import json
import os
import random
import signal
import subprocess
import threading
import time
import uuid

import requests

from conftest import URL, Tenant, add_prospects, sql

DEV = os.environ.get("LINKCAMP_DEV", "")
INSTANCE = os.environ.get("LINKCAMP_INSTANCE", "test")
SEED = int(os.environ.get("LINKCAMP_IDEM_SEED", "20261206"))
KEYS = 160
THREADS = 4
KILLS = 5
JSON = {"Content-Type": "application/json"}


def fcgi_pid():
    root = os.path.dirname(os.path.dirname(os.path.abspath(DEV)))
    with open(os.path.join(root, "var", INSTANCE, "run", "fcgi.pid")) as f:
        return int(f.read().strip())


def fcgi_restart():
    subprocess.run([DEV, "fcgi-restart", INSTANCE, "asan"], check=True, timeout=120,
                   capture_output=True)


def post(t, cid, key, body, timeout=10):
    return requests.post(f"{URL}/v1/link-building/campaign/{cid}/send-email", data=body,
                         headers={**JSON, "Authorization": f"Bearer {t.key}",
                                  "Idempotency-Key": key}, timeout=timeout)


def test_keys_of_killed_requests_are_released_and_no_effect_happens_twice():
    rng = random.Random(SEED)
    where = f"(seed {SEED}; LINKCAMP_IDEM_SEED={SEED} replays it)"
    t = Tenant()
    tag = uuid.uuid4().hex[:8]
    cid = t.campaign(name="idem crash", template={"subject": "", "body": ""})
    rel = add_prospects(t.api, cid, [{"domain": "idem.example", "contactName": "I D",
                                      "contactEmail": f"idem.{tag}@idem.example"}])
    rel = next(iter(rel.values()))
    keys = [f"crash-{tag}-{i}" for i in range(KEYS)]
    bodies = {k: json.dumps({"relationshipId": rel, "subject": f"idem {k}", "body": "b"}) for k in keys}
    first = {}  # key -> (status, body) of the first answer that reached us
    lock = threading.Lock()
    todo = list(keys)

    def load():
        while True:
            with lock:
                if not todo:
                    return
                k = todo.pop()
            try:
                r = post(t, cid, k, bodies[k])
            except requests.RequestException:
                continue
            if r.status_code == 202:
                with lock:
                    first[k] = r.text

    threads = [threading.Thread(target=load) for _ in range(THREADS)]
    for th in threads:
        th.start()
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.05, 0.5))  # a random moment of the load, not a measurement
            os.kill(fcgi_pid(), signal.SIGKILL)
            fcgi_restart()
    finally:
        for th in threads:
            th.join()
        fcgi_restart()
    assert len(first) < KEYS, f"no request was cut by a kill {where}"

    # Every key again: it is free (never committed) or answers what it stored.
    final = {}
    deadline = time.time() + 60
    pending = list(keys)
    while pending and time.time() < deadline:
        again = []
        for k in pending:
            try:
                r = post(t, cid, k, bodies[k])
            except requests.RequestException:
                again.append(k)
                continue
            if r.status_code == 202:
                final[k] = r
            elif r.status_code in (409, 502, 503, 504):
                again.append(k)
            else:
                raise AssertionError(f"{k}: {r.status_code} {r.text} {where}")
        pending = again
        if pending:
            time.sleep(0.2)
    stuck = [k for k in pending]
    assert not stuck, f"{len(stuck)} keys still answer 409/5xx, e.g. {stuck[:3]} {where}"
    for k, body in first.items():
        r = final[k]
        assert r.headers.get("Idempotent-Replayed") == "true", (k, where)
        assert r.text == body, (k, where)

    # exactly one effect per key
    ws = f"(SELECT id FROM workspaces WHERE public_id = '{t.ws}')"
    rows = sql(f"SELECT subject, COUNT(*) FROM outbound_messages WHERE workspace_id = {ws} "
               f"AND subject LIKE 'idem crash-{tag}-%' GROUP BY subject")
    counts = {s: int(n) for s, n in rows}
    twice = {s: n for s, n in counts.items() if n != 1}
    assert not twice, f"keys with more than one effect: {twice} {where}"
    assert sorted(counts) == sorted(f"idem {k}" for k in keys), where
    reserved = sql(f"SELECT credits_reserved FROM workspaces WHERE id = {ws}")[0][0]
    assert int(reserved) == 2 * KEYS, where
