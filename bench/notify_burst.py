#!/usr/bin/python3
"""bench/notify_burst.py — what a burst of send-email calls costs with its approval emails
(issue 20, docs/notifications.md). Not a test: a measurement on a running stack.

  bench/notify_burst.py VAR_DIR URL BIN [N]

VAR_DIR is the stack's var/<instance> (its run/ pid files, conf/, mail/), URL its nginx,
BIN the directory of its linkcamp programs. Makes a fresh account, workspace (send-email
needs approval), approver and campaign through the CLI, waits until the first draft's
notification is done, then measures N (300) sequential send-email calls until every
notification of the workspace is done: prepared statements MariaDB executed
(Com_stmt_execute), MariaDB's, linkcamp-fcgi's and linkcamp-worker's CPU (utime + stime
from /proc/PID/stat), emails the approver received. The idle rate of each counter,
measured over 10 s before the burst, is subtracted over the burst's duration."""
import json
import os
import subprocess
import sys
import time
import uuid

import requests

VAR, URL, BIN = sys.argv[1], sys.argv[2].rstrip("/"), sys.argv[3]
N = int(sys.argv[4]) if len(sys.argv) > 4 else 300
CONF = os.path.join(VAR, "conf", "linkcamp.conf")
SOCK = os.path.join(VAR, "run", "mysql.sock")
TICK = os.sysconf("SC_CLK_TCK")


def cli(*args, stdin=None):
    p = subprocess.run([os.path.join(BIN, "linkcamp"), "-c", CONF, *args], input=stdin,
                       capture_output=True, text=True, check=True)
    return p.stdout.strip()


def sql(q):
    p = subprocess.run(["mariadb", "--no-defaults", "-S", SOCK, "-u", "root", "linkcamp", "-N",
                        "-B", "-e", q], capture_output=True, text=True, check=True)
    return [line.split("\t") for line in p.stdout.splitlines()]


def cpu(name):
    with open(os.path.join(VAR, "run", name + ".pid")) as f:
        pid = f.read().strip()
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime, seconds


def mails(addr):
    n = 0
    for sub in ("new", "cur"):
        d = os.path.join(VAR, "mail", sub)
        for name in os.listdir(d) if os.path.isdir(d) else []:
            with open(os.path.join(d, name), "rb") as f:
                if f"X-Sink-Rcpt-To: {addr}\r\n".encode() in f.read(400):
                    n += 1
    return n


def snapshot():
    return {"stmts": int(sql("SHOW GLOBAL STATUS LIKE 'Com_stmt_execute'")[0][1]),
            "mariadb_cpu": cpu("mariadb"), "fcgi_cpu": cpu("fcgi"), "worker_cpu": cpu("worker"),
            "t": time.time()}


def pending(ws_id):
    return int(sql(f"SELECT COUNT(*) FROM approval_notifications WHERE workspace_id = {ws_id} "
                   "AND status IN (0, 1)")[0][0])


tag = uuid.uuid4().hex[:8]
account = cli("account", "create", f"Burst {tag}")
ws = cli("workspace", "create", account, f"Burst {tag}")
key = cli("key", "create", account, "--workspace", ws)
cli("credits", "grant", ws, str(10 * N + 100))
approver = f"approver.{tag}@agency.example"
cli("user", "add", approver, "--workspace", ws, "--role", "approver", "--password-stdin",
    stdin="correct horse battery staple\n")
cid = cli("campaign", "create", ws, stdin=json.dumps({
    "type": "serp", "name": "burst", "targetUrl": "https://example.com/guide",
    "sender": "sam@agency.example", "template": {"subject": "Hello", "body": "Hi"},
    "prospects": [{"domain": "b.example", "contactName": "Bo Burst", "contactEmail": "bo@b.example"}]}))
s = requests.Session()
s.headers["Authorization"] = "Bearer " + key
rel = s.get(f"{URL}/v1/link-building/crm/relationship", params={"campaignId": cid}).json()["data"][0]["id"]
ws_id = int(sql(f"SELECT id FROM workspaces WHERE public_id = '{ws}'")[0][0])
while pending(ws_id):
    time.sleep(0.2)
time.sleep(2)
idle0 = snapshot()
time.sleep(10)
idle1 = snapshot()
rate = {k: (idle1[k] - idle0[k]) / (idle1["t"] - idle0["t"]) for k in idle0 if k != "t"}
before, m0 = snapshot(), mails(approver)
for i in range(N):
    r = s.post(f"{URL}/v1/link-building/campaign/{cid}/send-email",
               headers={"Content-Type": "application/json"},
               data=json.dumps({"relationshipId": rel, "subject": f"burst {i}", "body": "Hi again",
                                "scheduleAt": "now"}))
    assert r.status_code == 202, r.text
sent = time.time()
while pending(ws_id):
    time.sleep(0.2)
after = snapshot()
dt = after["t"] - before["t"]
out = {"n": N, "seconds": round(dt, 1), "sends_seconds": round(sent - before["t"], 1),
       "emails": mails(approver) - m0}
for k in rate:
    raw = after[k] - before[k]
    out[k] = round(raw, 3)
    out[k + "_net"] = round(raw - rate[k] * dt, 3)
print(json.dumps(out, indent=1))
