#!/usr/bin/env python3
"""bench/pacing.py — "the window opens" (issue 15 item 8, docs/mailboxes.md "Pacing").

N approved messages fall due at once across M sender mailboxes (caps drawn from 20..50,
seeded), all waiting for a send window that opens at one instant T. The script measures,
from T, how fast the worker gets them to the SMTP sink (through the stack's Dovecot
submission server: STARTTLS and AUTH for every session), the worker's CPU time per
message, and proves from the database that none left before T and that no mailbox
passed its cap.

It runs against a stack that scripts/dev started (the test stack of an instance, or any
stack whose environment file it is given): it needs LINKCAMP_URL, LINKCAMP_CONFIG,
LINKCAMP_BIN (the linkcamp CLI) and the instance's var directory. Run the stack's worker
in the release variant for meaningful figures:

    scripts/dev worker-start INSTANCE release      # after worker-stop
    set -a; . var/INSTANCE/test.env; set +a
    LINKCAMP_BIN=build/release bench/pacing.py --var var/INSTANCE [--messages 10000 --mailboxes 1000]

A workspace has at most 100 mailboxes, so the mailboxes are spread over workspaces of
100, each with one campaign of (messages / workspaces) prospects naming all of its
mailboxes. The delivery ratio to the sink is a figure of this machine, not a target."""
import argparse
import json
import os
import random
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

MBX_PER_WS = 100
PROSPECTS_MAX = 1000


def config_value(config, section, key):
    current = None
    with open(config) as f:
        for line in f:
            line = line.strip()
            if line.startswith("["):
                current = line.strip("[]")
            elif current == section and line.partition("=")[0].strip() == key:
                return line.partition("=")[2].strip()
    raise SystemExit(f"no [{section}] {key} in {config}")


class Stack:
    def __init__(self, args):
        self.url = os.environ["LINKCAMP_URL"]
        self.config = os.environ["LINKCAMP_CONFIG"]
        self.bin = os.environ.get("LINKCAMP_BIN", "build/release")
        self.var = args.var
        self.socket = config_value(self.config, "database", "socket")
        self.sub_port = int(config_value(self.config, "smtp", "port")) + 1
        with open(os.path.join(self.var, "submission", "password")) as f:
            self.sub_password = f.read().strip()

    def cli(self, *args, stdin=None):
        p = subprocess.run([os.path.join(self.bin, "linkcamp"), "-c", self.config, *args],
                           input=stdin, capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise SystemExit(f"linkcamp {' '.join(args)}: {p.stderr}")
        return p.stdout.strip()

    def sql(self, query):
        p = subprocess.run(["mariadb", "--no-defaults", "-S", self.socket, "-u", "root",
                            "linkcamp", "-N", "-B", "-e", query],
                           capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            raise SystemExit(p.stderr)
        return [line.split("\t") for line in p.stdout.splitlines()]

    def api(self, key, method, path, body=None):
        req = urllib.request.Request(self.url + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {key}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=300) as r:
            return json.loads(r.read() or b"null")

    def worker_cpu_s(self):
        with open(os.path.join(self.var, "run", "worker.pid")) as f:
            pid = int(f.read().strip())
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--var", required=True, help="the instance's var directory (var/INSTANCE)")
    ap.add_argument("--messages", type=int, default=10000)
    ap.add_argument("--mailboxes", type=int, default=1000)
    ap.add_argument("--lead", type=int, default=120,
                    help="seconds from the start of the set-up to the window's opening (at least)")
    ap.add_argument("--timeout", type=int, default=3600)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--out", default="", help="append the figures to this file")
    args = ap.parse_args()
    if args.mailboxes % MBX_PER_WS or args.messages % (args.mailboxes // MBX_PER_WS):
        raise SystemExit("mailboxes: a multiple of 100; messages: a multiple of the workspaces")
    nws = args.mailboxes // MBX_PER_WS
    per_ws = args.messages // nws
    if per_ws > PROSPECTS_MAX:
        raise SystemExit(f"at most {PROSPECTS_MAX * nws} messages for {args.mailboxes} mailboxes")
    st = Stack(args)
    rng = random.Random(args.seed)
    tag = uuid.uuid4().hex[:6]
    opening = (datetime.now(timezone.utc) + timedelta(seconds=args.lead)).replace(
        second=0, microsecond=0) + timedelta(minutes=1)
    print(f"window opens at {opening:%H:%M}Z; {args.messages} messages, {args.mailboxes} "
          f"mailboxes in {nws} workspaces", flush=True)

    account = st.cli("account", "create", f"pacing bench {tag}")
    campaigns = []
    for w in range(nws):
        ws = st.cli("workspace", "create", account, f"bench {tag} {w}")
        key = st.cli("key", "create", account, "--workspace", ws)
        st.cli("credits", "grant", ws, str(2 * per_ws + 10))
        st.api(key, "PUT", "/v1/workspace/policy", {"approval": {
            "drafts": "auto", "sendEmail": "auto", "respond": "auto", "autoResponses": "auto",
            "followUps": "auto"}})
        ids = []
        for i in range(MBX_PER_WS):
            user = f"box{1 + i % 3}@mailbox.test"
            m = st.api(key, "POST", "/v1/mailboxes", {
                "fromAddress": user, "dailyCap": rng.randint(20, 50),
                "window": {"start": f"{opening:%H:%M}", "end": "24:00", "timeZone": "UTC"},
                "smtp": {"host": "localhost", "port": st.sub_port, "security": "starttls",
                         "username": user, "password": st.sub_password}})
            ids.append(m["id"])
        c = st.api(key, "POST", "/v1/link-building/campaign", {
            "type": "serp", "name": f"bench {tag} {w}", "targetUrl": "https://example.com/g",
            "sender": "relay@agency.example",
            "template": {"subject": "Hello {{contactFirstName}}", "body": "Hi there"},
            "prospects": [{"domain": f"d{w}-{i}-{tag}.example", "contactName": f"Pat {i}",
                           "contactEmail": f"pat{i}@d{w}-{i}-{tag}.example"}
                          for i in range(per_ws)],
            "mailboxIds": ids})
        campaigns.append(c["id"])
    in_list = ",".join(f"'{c}'" for c in campaigns)
    scope = (f"FROM outbound_messages o JOIN campaigns c ON c.id = o.campaign_id "
             f"WHERE c.public_id IN ({in_list})")

    # every message waits for the window (the worker has looked at all of them)
    while True:
        held = int(st.sql(f"SELECT COUNT(*) {scope} AND o.status = 8 AND o.held_reason = 1")[0][0])
        if held == args.messages:
            break
        if datetime.now(timezone.utc) >= opening:
            raise SystemExit(f"only {held} of {args.messages} held before the opening: "
                             "give a longer --lead")
        time.sleep(1)
    print(f"all {held} held until {opening:%H:%M}Z", flush=True)
    while datetime.now(timezone.utc) < opening:
        time.sleep(0.2)
    cpu0 = st.worker_cpu_s()
    t0 = time.time()
    deadline = t0 + args.timeout
    while True:
        sent = int(st.sql(f"SELECT COUNT(*) {scope} AND o.status = 3")[0][0])
        if sent == args.messages or time.time() > deadline:
            break
        time.sleep(2)
    cpu = st.worker_cpu_s() - cpu0
    first, last = st.sql(f"SELECT MIN(o.sent_at), MAX(o.sent_at) {scope} AND o.status = 3")[0]
    early = int(st.sql(f"SELECT COUNT(*) {scope} AND o.status = 3 AND o.sent_at < "
                       f"'{opening:%Y-%m-%d %H:%M:%S}'")[0][0])
    over = st.sql("SELECT b.public_id, b.daily_cap, COUNT(*) FROM outbound_messages o "
                  "JOIN mailboxes b ON b.id = o.mailbox_id JOIN campaigns c ON c.id = o.campaign_id "
                  f"WHERE c.public_id IN ({in_list}) AND o.status = 3 "
                  "GROUP BY b.id HAVING COUNT(*) > b.daily_cap")
    states = st.sql(f"SELECT o.status, COUNT(*) {scope} GROUP BY o.status")
    span = (datetime.fromisoformat(last) - opening.replace(tzinfo=None)).total_seconds()
    lines = [
        f"pacing bench {datetime.now(timezone.utc):%Y-%m-%d %H:%MZ}: {args.messages} messages, "
        f"{args.mailboxes} mailboxes (caps 20-50), window opening {opening:%H:%M:%S}Z",
        f"  sent {sent} of {args.messages}; statuses {dict((s, int(n)) for s, n in states)}",
        f"  first sent {first}, last sent {last}: {span:.1f} s after the opening",
        f"  {sent / span if span > 0 else 0:.1f} messages/s to the sink through Dovecot submission",
        f"  worker CPU {cpu:.1f} s: {1000 * cpu / sent if sent else 0:.2f} ms per message",
        f"  sent before the opening: {early}; mailboxes past their cap: {len(over)}",
    ]
    print("\n".join(lines), flush=True)
    if args.out:
        with open(args.out, "a") as f:
            f.write("\n".join(lines) + "\n")
    return 0 if sent == args.messages and early == 0 and not over else 1


if __name__ == "__main__":
    sys.exit(main())
