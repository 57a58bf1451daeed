#!/usr/bin/python3
"""bench/writecost.py — what one write costs MariaDB, per class of write.

Runs on a stack scripts/dev started (the test stack of `scripts/dev itest`, or `scripts/dev
up`'s dev stack) with its worker stopped (SIGSTOP, SIGCONT at the end: nothing but the
requests runs), and for each class sends N requests over one keep-alive connection:

  send     POST /v1/link-building/campaign/{id}/send-email
  approve  POST /v1/approvals/{id}/approve   (messages a send left awaiting approval)
  reject   POST /v1/approvals/{id}/reject
  pause    POST .../campaign/{id}/pause and .../resume, alternately (per request: their mean)
  inbound  POST /v1/link-building/inbound    (a prospect's reply, message/rfc822)
  respond  POST /v1/link-building/campaign/respond   (to the replies the inbound class posted)
  hook     POST /v1/webhooks/{id}/test

and prints per request: MariaDB's statements (Questions, Com_stmt_execute: SHOW GLOBAL
STATUS deltas, less the tool's own SHOW), the CPU of mariadbd and of linkcamp-fcgi
(/proc/PID/stat utime+stime; 10 ms ticks, hence N of 500 or more), and the answers' status
codes. --trace prints instead, for one request of each class, the statements linkcamp-fcgi
ran (MariaDB's general log, filtered to the connections that were not this tool's).

The tool makes an account of its own: a workspace and its keys through the CLI; through
the API a campaign of 20 prospects with an auto-response, whose drafts it lets the worker
send first (a reply counts, and is auto-answered, once its prospect was written to), an
empty campaign for the pause class and a webhook for the hook class. It grants the credits
the sends reserve (2 an email). What it leaves (messages, replies, events) stays in that
workspace: the demo's data, which tests read, is untouched.

  bench/writecost.py --instance writes --port 22080 --class send,approve -n 500
  bench/writecost.py --instance writes --port 22080 --trace

--statements adds, under each class, what each statement cost MariaDB: how many times a
request ran it and its mean time inside the server (performance_schema's
prepared_statements_instances, so the stack's MariaDB must run with performance_schema:
`LINKCAMP_DB_PERFORMANCE_SCHEMA=yes scripts/dev stack-start ...`, which costs MariaDB
some CPU of its own: compare classes within one such run, not with a run without it).
"""
import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLASSES = ("send", "approve", "reject", "pause", "inbound", "respond", "hook")
COUNTERS = ("Questions", "Com_stmt_execute")


class Stack:
    def __init__(self, inst, port):
        self.var = os.path.join(ROOT, "var", inst)
        self.port = port
        self.sock = os.path.join(self.var, "run", "mysql.sock")
        if not os.path.exists(os.path.join(self.var, "run", "variant")):
            sys.exit("bench/writecost.py: instance %s is not running (no %s/run/variant)"
                     % (inst, self.var))
        with open(os.path.join(self.var, "run", "variant")) as f:
            self.variant = f.read().strip()
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def sql(self, q):
        out = subprocess.run(["mariadb", "--no-defaults", "-S", self.sock, "-u", "root",
                              "-N", "-B", "linkcamp", "-e", q],
                             check=True, capture_output=True, text=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def lc(self, *args):
        return subprocess.run([os.path.join(ROOT, "build", self.variant, "linkcamp"), "-c",
                               os.path.join(self.var, "conf", "linkcamp.conf"), *args],
                              check=True, capture_output=True, text=True).stdout.strip()

    def pid(self, name):
        with open(os.path.join(self.var, "run", name + ".pid")) as f:
            return int(f.read().strip())

    def request(self, method, path, key, body=None, ctype="application/json"):
        headers = {"Authorization": "Bearer " + key}
        if body is not None:
            headers["Content-Type"] = ctype
        self.conn.request(method, path, body, headers)
        r = self.conn.getresponse()
        data = r.read()
        return r.status, data

    def status(self):
        got = dict(self.sql("SHOW GLOBAL STATUS WHERE Variable_name IN (%s)"
                            % ", ".join("'%s'" % n for n in COUNTERS)))
        return {n: int(got[n]) for n in COUNTERS}


def ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


class Plan:
    """The requests of each class, made (and their preconditions met) before measuring."""

    def __init__(self, st, n):
        self.st, self.n = st, n
        # an account of its own, made through the CLI: the demo's data (which tests read)
        # stays as it was
        tag = uuid.uuid4().hex[:8]
        acct = st.lc("account", "create", "writecost " + tag)
        self.ws = st.lc("workspace", "create", acct, "writecost " + tag)
        self.key = st.lc("key", "create", acct, "--workspace", self.ws, "--name", "writecost")
        self.approver = st.lc("key", "create", acct, "--workspace", self.ws, "--approve",
                              "--name", "writecost approver")
        body = {"type": "serp", "name": "writecost " + tag, "targetUrl": "https://example.com/guide",
                "sender": "sam@agency.example",
                "template": {"subject": "Hello {{contactFirstName}}", "body": "Hi there"},
                "prospects": [{"domain": "example.org", "contactName": "Contact %d" % i,
                               "contactEmail": "p%d.%s@example.org" % (i, tag)}
                              for i in range(20)]}
        self.credits(200)
        # the prospects are sent their drafts first (the worker still runs): a reply counts,
        # and is answered with the campaign's auto-response, once its prospect was written to
        self.policy({"drafts": "auto"})
        self.campaign = self.create_campaign(dict(body, autoResponse={
            "body": "Thanks, we will get back to you.", "delayMinutes": 60}))
        self.other = self.create_campaign(dict(body, name="writecost pause " + tag, prospects=[]))
        deadline = time.time() + 120
        while st.sql("SELECT COUNT(*) FROM relationships r JOIN campaigns c ON c.id = "
                     "r.campaign_id WHERE c.public_id = '%s' AND r.first_sent_at IS NULL"
                     % self.campaign)[0][0] != "0":
            if time.time() > deadline:
                sys.exit("bench/writecost.py: the worker did not send the drafts in 120 s")
            time.sleep(0.5)
        self.policy({})  # the defaults: every email waits for approval
        # made while the worker runs: stopped in the middle of a transaction, it could hold
        # the locks the webhook's creation waits for; its deliveries go to the stack's
        # nginx, which answers 404 (the events of the other classes are not subscribed)
        code, data = st.request("POST", "/v1/webhooks", self.key, json.dumps(
            {"url": "http://127.0.0.1:%d/writecost-hook" % st.port,
             "events": ["link_building.email.sent"], "description": "bench/writecost.py"}))
        if code != 201:
            sys.exit("bench/writecost.py: POST /v1/webhooks answered %d: %s" % (code, data[:300]))
        self.hook = json.loads(data)["id"]
        rows = st.sql("SELECT r.public_id, r.contact_email, c.sender FROM relationships r "
                      "JOIN campaigns c ON c.id = r.campaign_id WHERE c.public_id = '%s' "
                      "ORDER BY r.id" % self.campaign)
        if not rows:
            sys.exit("bench/writecost.py: campaign %s has no relationships" % self.campaign)
        self.rels = rows

    def policy(self, approval):
        code, data = self.st.request("PUT", "/v1/workspace/policy", self.key,
                                     json.dumps({"approval": approval}))
        if code != 200:
            sys.exit("bench/writecost.py: PUT /v1/workspace/policy answered %d: %s"
                     % (code, data[:300]))

    def create_campaign(self, body):
        code, data = self.st.request("POST", "/v1/link-building/campaign", self.key,
                                     json.dumps(body))
        if code != 201:
            sys.exit("bench/writecost.py: POST /v1/link-building/campaign answered %d: %s"
                     % (code, data[:300]))
        return json.loads(data)["id"]

    def credits(self, need):
        bal, res = self.st.sql("SELECT credits_balance, credits_reserved FROM workspaces "
                               "WHERE public_id = '%s'" % self.ws)[0]
        if int(bal) - int(res) < need:
            self.st.lc("credits", "grant", self.ws, str(need + 1000))

    def sends(self, n):
        self.credits(2 * n)
        out = []
        for i in range(n):
            rel = self.rels[i % len(self.rels)][0]
            out.append(("POST", "/v1/link-building/campaign/%s/send-email" % self.campaign,
                        self.key, json.dumps({"relationshipId": rel, "subject": "Hello",
                                              "body": "Hi there", "scheduleAt": "now"}),
                        "application/json"))
        return out

    def ids(self, q, n, make, what):
        """The public ids of n rows query q finds, the missing made first with make(k)
        (requests not measured)."""
        have = self.st.sql(q)
        if len(have) < n:
            run(self.st, make(n - len(have)))
            have = self.st.sql(q)
        if len(have) < n:
            sys.exit("bench/writecost.py: could not make %d %s" % (n, what))
        return [m for (m,) in have]

    def pending(self, n):
        """n messages awaiting approval, made with sends when missing."""
        return self.ids("SELECT m.public_id FROM outbound_messages m JOIN workspaces w "
                        "ON w.id = m.workspace_id WHERE w.public_id = '%s' AND m.status = 0 "
                        "ORDER BY m.id DESC LIMIT %d" % (self.ws, n), n, self.sends,
                        "messages awaiting approval (is approve_send_email off?)")

    def inbound(self, n):
        out = []
        for i in range(n):
            _, email, sender = self.rels[i % len(self.rels)]
            raw = ("From: Prospect <%s>\r\nTo: %s\r\nSubject: Re: your guide\r\n"
                   "Date: Mon, 07 Dec 2026 09:00:00 +0000\r\nMessage-ID: <%s@prospect.example>\r\n"
                   "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                   "Thanks, sounds good.\r\n" % (email, sender, uuid.uuid4().hex))
            out.append(("POST", "/v1/link-building/inbound", self.key, raw, "message/rfc822"))
        return out

    def make(self, klass):
        n = self.n
        if klass == "send":
            return self.sends(n)
        if klass in ("approve", "reject"):
            body = "{}" if klass == "approve" else json.dumps({"reason": "Not this one."})
            return [("POST", "/v1/approvals/%s/%s" % (m, klass), self.approver, body,
                     "application/json") for m in self.pending(n)]
        if klass == "pause":
            # a pause holds the campaign's scheduled messages and a resume releases them:
            # a campaign without any, so the class measures the request, not the queue
            c = self.other
            self.st.request("POST", "/v1/link-building/campaign/%s/resume" % c, self.key, "{}")
            return [("POST", "/v1/link-building/campaign/%s/%s" % (c, a), self.key,
                     json.dumps({"reason": "writecost"}) if a == "pause" else "{}",
                     "application/json")
                    for i in range(n) for a in (("pause", "resume")[i % 2],)]
        if klass == "inbound":
            return self.inbound(n)
        if klass == "respond":
            self.credits(2 * n)
            replies = self.ids("SELECT i.public_id FROM inbound_messages i JOIN workspaces w "
                               "ON w.id = i.workspace_id WHERE w.public_id = '%s' AND "
                               "i.relationship_id IS NOT NULL ORDER BY i.id DESC LIMIT %d"
                               % (self.ws, n), n, self.inbound, "matched replies")
            return [("POST", "/v1/link-building/campaign/respond", self.key,
                     json.dumps({"inboundMessageId": m, "body": "Thank you!"}),
                     "application/json") for m in replies]
        if klass == "hook":
            return [("POST", "/v1/webhooks/%s/test" % self.hook, self.key, "{}",
                     "application/json")] * n
        raise ValueError(klass)

    def cleanup(self):
        if self.hook:
            self.st.request("DELETE", "/v1/webhooks/" + self.hook, self.key)


def run(st, reqs):
    codes = {}
    for method, path, key, body, ctype in reqs:
        code, _ = st.request(method, path, key, body, ctype)
        codes[code] = codes.get(code, 0) + 1
    return codes


def statement_times(st):
    """{statement: (executions, picoseconds)} of the prepared statements MariaDB holds, summed
    over its connections (performance_schema.prepared_statements_instances)."""
    rows = st.sql("SELECT SQL_TEXT, SUM(COUNT_EXECUTE), SUM(SUM_TIMER_EXECUTE) "
                  "FROM performance_schema.prepared_statements_instances GROUP BY SQL_TEXT")
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}


def statement_costs(before, after, n):
    """The statements a run executed, costliest first: (per request, µs each, SQL)."""
    out = []
    for text, (count, ps) in after.items():
        c0, p0 = before.get(text, (0, 0))
        if count > c0:
            out.append(((count - c0) / n, (ps - p0) / (count - c0) / 1e6, text))
    return sorted(out, key=lambda x: -x[0] * x[1])


def measure(st, klass, reqs, statements=False):
    db, app = st.pid("mariadb"), st.pid("fcgi")
    t0 = statement_times(st) if statements else None
    s0, d0, a0 = st.status(), ticks(db), ticks(app)
    codes = run(st, reqs)
    time.sleep(1)  # what MariaDB does after the last COMMIT (its purge) belongs to the run
    d1, a1, s1 = ticks(db), ticks(app), st.status()
    if statements:
        for per, us, text in statement_costs(t0, statement_times(st), len(reqs)):
            print("  %5.2f x %6.0f us  %s" % (per, us, text[:150]))
    n, hz = len(reqs), os.sysconf("SC_CLK_TCK")
    # the second SHOW counts itself (and the first's statement is in s0 already)
    q = (s1["Questions"] - s0["Questions"] - 1) / n
    x = (s1["Com_stmt_execute"] - s0["Com_stmt_execute"]) / n
    return {"class": klass, "n": n, "codes": codes, "questions": round(q, 2),
            "stmt_execute": round(x, 2),
            "mariadb_us": round((d1 - d0) / hz / n * 1e6), "fcgi_us": round((a1 - a0) / hz / n * 1e6)}


LOG_LINE = re.compile(r"^(?:\d{6}\s+[\d:]+\s+)?\s*(\d+)\s+(Query|Execute|Prepare|Connect|Quit|Close stmt|Init DB)\t?(.*)$")


def trace(st, klass, reqs):
    """The statements of one request: the general log, without this tool's connections."""
    path = os.path.join(st.var, "log", "writecost-general.log")
    if os.path.exists(path):
        os.unlink(path)
    st.sql("SET GLOBAL general_log_file = '%s'; SET GLOBAL log_output = 'FILE'; "
           "SET GLOBAL general_log = 1" % path)
    try:
        codes = run(st, reqs[:1])
    finally:
        st.sql("SET GLOBAL general_log = 0")
    mine, lines = set(), []
    with open(path, errors="replace") as f:
        for raw in f:
            m = LOG_LINE.match(raw.rstrip("\n"))
            if not m:
                continue
            tid, cmd, text = m.groups()
            if "general_log" in text or "writecost" in text and cmd == "Connect":
                mine.add(tid)
            if cmd in ("Query", "Execute"):
                lines.append((tid, cmd, text))
    stmts = [(t, c, s) for t, c, s in lines if t not in mine]
    return codes, stmts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--instance", default=os.environ.get("LINKCAMP_TEST_INSTANCE", "dev"))
    ap.add_argument("--port", type=int, default=int(os.environ.get("LINKCAMP_TEST_PORT", "8080")))
    ap.add_argument("--class", dest="classes", default=",".join(CLASSES),
                    help="comma-separated, of " + ", ".join(CLASSES))
    ap.add_argument("-n", type=int, default=500, help="requests per class (500)")
    ap.add_argument("--trace", action="store_true",
                    help="print the statements of one request of each class instead")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--statements", action="store_true",
                    help="also print, per class, each statement's executions a request and "
                         "MariaDB's time for one (performance_schema: start the stack with "
                         "LINKCAMP_DB_PERFORMANCE_SCHEMA=yes)")
    a = ap.parse_args()
    classes = [c for c in a.classes.split(",") if c]
    for c in classes:
        if c not in CLASSES:
            ap.error("unknown class %r" % c)
    st = Stack(a.instance, a.port)
    if a.statements and st.sql("SELECT @@performance_schema")[0][0] != "1":
        sys.exit("bench/writecost.py: --statements needs MariaDB's performance_schema: restart "
                 "the stack with LINKCAMP_DB_PERFORMANCE_SCHEMA=yes")
    plan = Plan(st, 1 if a.trace else a.n)
    worker = st.pid("worker")
    os.kill(worker, signal.SIGSTOP)
    results = []
    try:
        for c in classes:
            plan.n = 2 if a.trace and c == "pause" else plan.n  # a pause, then a resume
            reqs = plan.make(c)
            if a.trace:
                for one in reqs:
                    codes, stmts = trace(st, c, [one])
                    print("## %s %s %s: %d statements" % (c, one[1], codes, len(stmts)))
                    for t, cmd, s in stmts:
                        print("  %s" % s if cmd == "Execute" else "  [%s] %s" % (cmd, s))
                plan.n = 1
                continue
            r = measure(st, c, reqs, a.statements)
            results.append(r)
            print("%-8s n=%-4d codes=%-16s questions/req %-6.2f stmt_execute/req %-6.2f "
                  "mariadb us/req %-5d fcgi us/req %d" % (
                      c, r["n"], json.dumps(r["codes"]), r["questions"], r["stmt_execute"],
                      r["mariadb_us"], r["fcgi_us"]), flush=True)
    finally:
        os.kill(worker, signal.SIGCONT)
        plan.cleanup()
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
