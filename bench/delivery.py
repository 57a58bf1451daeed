#!/usr/bin/python3
"""Delivery benchmark: messages per second from "approved" to "accepted by the SMTP server",
next to the ceiling of that server measured in the same run.

The server is Postfix's smtp-sink (accepts and discards). Its ceiling is what Postfix's own
smtp-source pushes into it with as many parallel sessions as the worker has mailer threads,
one recipient per message, messages of the size linkcamp sends. linkcamp's figure is the
time linkcamp-worker takes to claim, compose, deliver and record N already-approved
messages (policy sendEmail=auto) on the local stack.

It runs in rounds (default 5 of 3,000 messages): each round queues the messages, then
measures the ceiling and linkcamp one after the other, the order alternating from round
to round; the verdict is the median of the rounds' ratios.

Usage: bench/delivery.py [--messages N] [--rounds R] [--threads T]   (scripts/dev bench runs it)
"""
import argparse
import concurrent.futures
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEV = os.path.join(ROOT, "scripts", "dev")
BIN = os.path.join(ROOT, "build", "release")
INST, PORT, SINK_PORT, RELAY_PORT = "delivery", 29080, 29025, 29125
V = os.path.join(ROOT, "var", INST)
CONF = os.path.join(V, "conf", "linkcamp.conf")
URL = f"http://127.0.0.1:{PORT}"


def cli(*args, stdin=None):
    p = subprocess.run([os.path.join(BIN, "linkcamp"), "-c", CONF, *args], input=stdin,
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        sys.exit(f"linkcamp {args[0]} failed: {p.stderr}")
    return p.stdout.strip()


def sql(query):
    sock = os.path.join(V, "run", "mysql.sock")
    p = subprocess.run(["mariadb", "--no-defaults", "-S", sock, "-u", "root", "linkcamp", "-N", "-B",
                        "-e", query], capture_output=True, text=True, timeout=60)
    return p.stdout.split()


class Poller:
    """One mariadb client kept open for the progress polls: starting a client 20 times a
    second took about 6% of the machine's CPU away from the worker being measured."""

    def __init__(self):
        sock = os.path.join(V, "run", "mysql.sock")
        self.p = subprocess.Popen(["mariadb", "--no-defaults", "-S", sock, "-u", "root", "linkcamp",
                                   "-N", "-B", "--unbuffered"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, bufsize=1)

    def one(self, query):
        self.p.stdin.write(query.rstrip(";") + ";\n")
        self.p.stdin.flush()
        return self.p.stdout.readline().strip()

    def close(self):
        self.p.stdin.close()
        self.p.wait(10)


def cpu_seconds(pid):
    """User+system CPU seconds a process has used so far (all its threads)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def ceiling(messages, threads, size, sink_pid):
    """smtp-source -> smtp-sink: (msg/s, smtp-source CPU us/msg, smtp-sink CPU us/msg)."""
    body = "x" * max(size - 200, 100)
    path = os.path.join(V, "source-message.txt")
    with open(path, "w") as f:
        f.write("From: bench@linkcamp.invalid\r\nTo: sink@linkcamp.invalid\r\nSubject: ceiling\r\n"
                "MIME-Version: 1.0\r\n\r\n")
        for i in range(0, len(body), 76):
            f.write(body[i:i + 76] + "\r\n")
    source0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    sink0 = cpu_seconds(sink_pid)
    t0 = time.time()
    subprocess.run(["smtp-source", "-s", str(threads), "-m", str(messages), "-f", "bench@linkcamp.invalid",
                    "-t", "sink@linkcamp.invalid", "-F", path, f"127.0.0.1:{RELAY_PORT}"],
                   check=True, stdout=subprocess.DEVNULL, timeout=600)
    rate = messages / (time.time() - t0)
    source1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    source_cpu = (source1.ru_utime + source1.ru_stime) - (source0.ru_utime + source0.ru_stime)
    return rate, source_cpu * 1e6 / messages, (cpu_seconds(sink_pid) - sink0) * 1e6 / messages


def queue_messages(session, h, cid, rels, body, count, offset):
    """Queues count approved messages (policy sendEmail=auto) through the API."""

    def queue(i):
        return session.post(f"{URL}/v1/link-building/campaign/{cid}/send-email", headers=h,
                            data=json.dumps({"relationshipId": rels[i % len(rels)],
                                             "subject": f"A resource for you {i}", "body": body})).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(queue, range(offset, offset + count)))
    if codes.count(202) != count:
        sys.exit(f"queueing failed: {sorted(set(codes))}")


def deliver(count, threads, env, poller, ws_id, sink_pid, already):
    """Starts linkcamp-worker, waits until `count` more messages are sent, stops it.
    Returns (msg/s, {process: CPU us/msg}, sent)."""
    wenv = dict(env, LINKCAMP_SMTP_PORT=str(RELAY_PORT), LINKCAMP_WORKER_THREADS=str(threads),
                LINKCAMP_WORKER_POLL_MS="20", LINKCAMP_WORKER_BATCH="32")
    with open(os.path.join(V, "run", "mariadb.pid")) as f:
        db_pid = int(f.read().strip())
    cpu0 = {"mariadbd": cpu_seconds(db_pid), "smtp-sink": cpu_seconds(sink_pid)}
    t0 = time.time()
    worker = subprocess.Popen([os.path.join(BIN, "linkcamp-worker"), "-c", CONF], env=wenv,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            # an index range over (workspace_id, status): cheap enough to ask 20 times a second
            sent = int(poller.one("SELECT COUNT(*) FROM outbound_messages FORCE INDEX "
                                  f"(ix_outbound_ws_status) WHERE workspace_id = {ws_id} AND status = 3"))
            if sent - already >= count or time.time() - t0 > 600:
                break
            time.sleep(0.05)
        elapsed = time.time() - t0
        cpu = {"mariadbd": cpu_seconds(db_pid) - cpu0["mariadbd"],
               "linkcamp-worker": cpu_seconds(worker.pid),
               "smtp-sink": cpu_seconds(sink_pid) - cpu0["smtp-sink"]}
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)
    done = sent - already
    return done / elapsed, {k: v * 1e6 / max(done, 1) for k, v in cpu.items()}, sent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=3000, help="messages per round")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=8)
    a = ap.parse_args()
    env = dict(os.environ, LINKCAMP_LOG_LEVEL="warn", LINKCAMP_ACCESS_LOG="0")
    subprocess.run([DEV, "stack-start", INST, str(PORT), str(SINK_PORT), "release"], check=True,
                   env=env, stdout=subprocess.DEVNULL)
    subprocess.run([DEV, "worker-stop", INST, "release"], check=True, stdout=subprocess.DEVNULL)
    sink = subprocess.Popen(["smtp-sink", "-u", "postfix", f"127.0.0.1:{RELAY_PORT}", "1024"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    poller = None
    try:
        time.sleep(0.5)
        tag = str(int(time.time()))
        acct = cli("account", "create", "delivery bench " + tag)
        ws = cli("workspace", "create", acct, "bench")
        key = cli("key", "create", acct, "--workspace", ws)
        cli("credits", "grant", ws, str(a.messages * a.rounds * 2 + 10))
        h = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        requests.put(URL + "/v1/workspace/policy", headers=h,
                     data=json.dumps({"approval": {"sendEmail": "auto"}})).raise_for_status()
        cid = cli("campaign", "create", ws, stdin=json.dumps({
            "type": "custom", "name": "delivery " + tag, "targetUrl": "https://bench.example/x",
            "sender": "outreach@bench.example", "template": {"subject": "", "body": ""}}))
        prospects = [{"domain": f"p{i}.bench.example", "contactName": f"Prospect {i}",
                      "contactEmail": f"p{i}@p{i}.bench.example"} for i in range(200)]
        r = requests.post(f"{URL}/v1/link-building/campaign/{cid}/relationships", headers=h,
                          data=json.dumps({"prospects": prospects}))
        r.raise_for_status()
        rels = [x["id"] for x in r.json()["data"]]
        body = ("Hi there,\n\nI enjoyed your piece and thought our guide might be useful to your "
                "readers: https://bench.example/x\n\nBest,\nSam\n") * 6
        size = len(body) + 900  # headers of a composed message
        session = requests.Session()
        ws_id = sql(f"SELECT id FROM workspaces WHERE public_id = '{ws}'")[0]
        poller = Poller()
        sent = 0
        rounds = []
        # Rounds alternate which of the two goes first, so that a drift of the machine's
        # speed (this VM's moves 20-30% within minutes) falls on both alike.
        for n in range(a.rounds):
            queue_messages(session, h, cid, rels, body, a.messages, n * a.messages)
            if n % 2 == 0:
                ceil = ceiling(a.messages, a.threads, size, sink.pid)
                rate, cpu, sent = deliver(a.messages, a.threads, env, poller, ws_id, sink.pid, sent)
            else:
                rate, cpu, sent = deliver(a.messages, a.threads, env, poller, ws_id, sink.pid, sent)
                ceil = ceiling(a.messages, a.threads, size, sink.pid)
            rounds.append((rate, cpu, ceil))
            print(f"round {n + 1}: linkcamp {rate:,.0f} msg/s, ceiling {ceil[0]:,.0f} msg/s, "
                  f"ratio {rate / ceil[0]:.2f}; cpu/msg: "
                  + ", ".join(f"{k} {v:,.0f} us" for k, v in cpu.items())
                  + f"; smtp-source {ceil[1]:,.0f} us, its smtp-sink {ceil[2]:,.0f} us", flush=True)
        other = sql("SELECT COUNT(*) FROM outbound_messages m JOIN workspaces w ON w.id = "
                    f"m.workspace_id WHERE w.public_id = '{ws}' AND m.status <> 3")[0]
        ratios = sorted(r[0] / r[2][0] for r in rounds)
        ratio = statistics.median(ratios)
        print(f"delivery: {a.rounds} rounds of {a.messages} messages ({a.threads} mailer threads, "
              f"{size} B each), median {statistics.median(r[0] for r in rounds):,.0f} msg/s; "
              f"not sent: {other}")
        print(f"ceiling:  smtp-source -> smtp-sink, {a.threads} sessions, median "
              f"{statistics.median(r[2][0] for r in rounds):,.0f} msg/s")
        print(f"ratio:    median {ratio:.2f} (rounds {ratios[0]:.2f}-{ratios[-1]:.2f})  "
              f"(target >= 0.70: {'PASS' if ratio >= 0.70 else 'MISS'})")
    finally:
        if poller:
            poller.close()
        sink.terminate()
        sink.wait(10)
        subprocess.run([DEV, "stack-stop", INST, "release"], stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
