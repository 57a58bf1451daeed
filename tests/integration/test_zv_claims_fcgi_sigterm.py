"""Claim (README, Deploying): linkcamp-fcgi stops cleanly on SIGTERM — requests in flight
finish — and exits 0.

The test runs linkcamp-fcgi itself (the stack's binary and configuration, on the stack's
socket) so that it can read the exit status. A request is held in flight by a row lock a
mariadb session takes on the campaign it pauses; the test sees it waiting in InnoDB, sends
SIGTERM, sees linkcamp-fcgi log the shutdown, then releases the lock: the request must
complete with 200 and the process exit 0. The stack's own linkcamp-fcgi is started again
afterwards (scripts/dev fcgi-restart). Named test_zv… to run late, with the tests that
restart things."""
import json
import os
import signal
import subprocess
import threading

import requests

from claimlib import INSTANCE, LOG_DIR, alive, config, dev, pid_of, run_dir
from conftest import BIN, CONFIG, URL, Tenant, sql, wait_for

JSON = {"Content-Type": "application/json"}


def ready():
    try:
        return requests.get(URL + "/readyz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def lock_waits():
    return int(sql("SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'")[0][0])


def log_since(path, offset):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read().decode(errors="replace")


def test_sigterm_lets_the_request_in_flight_finish_and_exits_0():
    t = Tenant()
    cid = t.campaign(name="sigterm")
    log = os.path.join(LOG_DIR, "fcgi.log")
    sock = config()["fcgi"]["listen"]

    # replace the stack's linkcamp-fcgi by one of ours
    old = pid_of("fcgi")
    os.kill(old, signal.SIGTERM)
    assert wait_for(lambda: not alive(old) and not os.path.exists(sock), timeout=30)
    offset = os.path.getsize(log)
    with open(log, "ab") as out:
        fcgi = subprocess.Popen([os.path.join(BIN, "linkcamp-fcgi"), "-c", CONFIG],
                                stdout=out, stderr=out)
    with open(os.path.join(run_dir(), "fcgi.pid"), "w") as f:
        f.write(f"{fcgi.pid}\n")  # so scripts/dev stops it whatever happens here
    holder = None
    try:
        assert wait_for(ready, timeout=30), log_since(log, offset)
        holder = subprocess.Popen(
            ["mariadb", "--no-defaults", "-S", config()["database"]["socket"], "-u", "root",
             "-N", "-B", "--unbuffered", "linkcamp"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        holder.stdin.write(f"BEGIN; SELECT id FROM campaigns WHERE public_id = '{cid}' FOR UPDATE;\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip().isdigit()

        result = {}

        def pause():
            result["r"] = t.api.post(f"/v1/link-building/campaign/{cid}/pause", headers=JSON,
                                     data=json.dumps({"reason": "sigterm test"}))

        th = threading.Thread(target=pause)
        th.start()
        # the request is in flight: linkcamp-fcgi's transaction waits for our lock
        assert wait_for(lambda: lock_waits() >= 1, timeout=30)

        fcgi.send_signal(signal.SIGTERM)
        assert wait_for(lambda: "shutting down on signal 15" in log_since(log, offset), timeout=30)
        # it has taken the signal, and the request is still waiting, unanswered
        assert lock_waits() >= 1 and th.is_alive() and fcgi.poll() is None

        holder.stdin.write("ROLLBACK;\n")
        holder.stdin.flush()
        th.join(timeout=60)
        assert not th.is_alive()
        r = result["r"]
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "paused" and r.json()["pauseReason"] == "sigterm test"
        assert fcgi.wait(timeout=60) == 0
        assert '"stopped"' in log_since(log, offset)
        assert not os.path.exists(sock)  # it removed its socket
        # the pause it finished is really in the database
        assert sql(f"SELECT pause_reason FROM campaigns WHERE public_id = '{cid}'") == [["sigterm test"]]
    finally:
        if holder:
            holder.stdin.close()
            holder.wait(timeout=30)
        if fcgi.poll() is None:
            fcgi.kill()
            fcgi.wait()
        dev("fcgi-restart", INSTANCE)
        assert wait_for(ready, timeout=30)
