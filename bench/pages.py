#!/usr/bin/python3
"""bench/pages.py — the signed-in pages of the benchmark (issue 20, items 2 and 3).

Makes what the approval pages need on a bench stack and signs people in through the real
sign-in form, so that bench/run can measure the approval queue and the campaign page cold
and bench/mixed can drive them in its day of work:

* one approver per workspace (`linkcamp user add ... --role approver --password-stdin`),
  e-mail bench-approver-<workspace number>@bench.example; the password is made once per
  data set and kept beside it (DATA/pages.password, mode 0600) — the users live in that
  data set's database;
* at least 50 messages awaiting approval per workspace (a full queue page), made with
  POST .../send-email through the API like any client (the workspaces' policy holds them
  for approval). They go to active campaigns that bench/verify.c does not sample (its
  sample is MOD(id, N / 40) = 0, the first five of the other statuses and campaigns with
  state notes), so a data set reused by the next bench/run still verifies;
* a session per workspace: GET /app/login (the login cookie and the form's token), POST
  /app/login with the address and password, the session cookie from the 303.

  bench/pages.py prepare URL VAR DATA OUTDIR
      writes OUTDIR/pages-queue.tsv (one line per workspace) and OUTDIR/pages-campaign.tsv
      (one line per campaign of DATA/targets.tsv): "Cookie value<TAB>path", the files
      bench/rotate.lua's `page` mode reads; prints what it made. Exits 1 with the reason
      when a page does not answer 200 or the queue does not hold a page of 50.

bench/mixed imports prepare() and sign_in() from here.
"""
import json
import os
import re
import secrets
import subprocess
import sys

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUEUE_ROWS = 50          # QUEUE_PAGE in src/ui/ui_approvals.c
SESSION_COOKIE = "linkcamp_session"  # secure_cookies = no on the bench stack


class PagesError(Exception):
    pass


class Bench:
    """The stack's database and CLI, as bench/run and bench/mixed reach them."""

    def __init__(self, url, var):
        self.url = url.rstrip("/")
        self.var = var
        self.sock = os.path.join(var, "run", "mysql.sock")
        self.conf = os.path.join(var, "conf", "linkcamp.conf")

    def sql(self, q):
        out = subprocess.run(["mariadb", "--no-defaults", "-S", self.sock, "-u", "root",
                              "--default-character-set=utf8mb4", "-N", "-B", "linkcamp",
                              "-e", q], check=True, capture_output=True, text=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def lc(self, *args, stdin=None):
        r = subprocess.run([os.path.join(ROOT, "build", "release", "linkcamp"), "-c", self.conf,
                            *args], input=stdin, capture_output=True, text=True)
        if r.returncode != 0:
            raise PagesError("linkcamp %s: %s" % (" ".join(args[:2]), r.stderr.strip()))
        return r.stdout.strip()


def password_of(data):
    """The data set's approvers' password: made on first use, kept with the data set."""
    path = os.path.join(data, "pages.password")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(18) + "\n")
    with open(path) as f:
        return f.read().strip()


def workspaces(b, data):
    """[(workspace public id, internal id, an API key of it, [campaign public ids])] in
    the order of DATA/targets.tsv."""
    ws_of = {c: (w, i) for c, w, i in b.sql(
        "SELECT c.public_id, w.public_id, w.id FROM campaigns c "
        "JOIN workspaces w ON w.id = c.workspace_id")}
    out, index = [], {}
    with open(os.path.join(data, "targets.tsv")) as f:
        for row in f:
            key, cid = row.rstrip("\n").split("\t")
            if cid not in ws_of:
                raise PagesError("campaign %s of targets.tsv is not in the database" % cid)
            w, i = ws_of[cid]
            if w not in index:
                index[w] = len(out)
                out.append((w, int(i), key, []))
            out[index[w]][3].append(cid)
    return out


def email_of(ws_num):
    return "bench-approver-%d@bench.example" % ws_num


def ensure_users(b, wss, password):
    have = {e for (e,) in b.sql("SELECT email FROM users WHERE email LIKE 'bench-approver-%'")}
    made = 0
    for w, num, _key, _c in wss:
        if email_of(num) not in have:
            b.lc("user", "add", email_of(num), "--workspace", w, "--role", "approver",
                 "--password-stdin", stdin=password + "\n")
            made += 1
    return made


def ensure_pending(b, wss, want=QUEUE_ROWS):
    """Sends through the API until every workspace has `want` messages awaiting approval;
    returns how many it sent."""
    n = int(b.sql("SELECT COUNT(*) FROM campaigns")[0][0])
    every = max(n // 40, 1)  # bench/run's verify sample: MOD(id, every) = 0
    s = requests.Session()
    sent = 0
    for w, num, key, _c in wss:
        have = int(b.sql("SELECT COUNT(*) FROM outbound_messages WHERE workspace_id = %d "
                         "AND status = 0" % num)[0][0])
        if have >= want:
            continue
        left = b.sql("SELECT COALESCE(SUM(delta_balance), 0) FROM credit_ledger "
                     "WHERE workspace_id = %d" % num)[0][0]
        if float(left) < 10000:
            b.lc("credits", "grant", w, "1000000")
        # prospects never written to, of active campaigns outside verify's sample
        rels = b.sql(
            "SELECT c.public_id, r.public_id FROM campaigns c "
            "JOIN relationships r ON r.campaign_id = c.id "
            "WHERE c.workspace_id = %d AND c.status = 1 AND MOD(c.id, %d) <> 0 "
            "AND NOT EXISTS (SELECT 1 FROM campaign_state_notes n WHERE n.campaign_id = c.id) "
            "AND r.first_sent_at IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM outbound_messages m WHERE m.relationship_id = r.id) "
            "ORDER BY c.id DESC, r.id LIMIT %d" % (num, every, 4 * want))
        for cid, rid in rels:
            if have >= want:
                break
            r = s.post(b.url + "/v1/link-building/campaign/%s/send-email" % cid,
                       headers={"Authorization": "Bearer " + key,
                                "Content-Type": "application/json"},
                       data=json.dumps({"relationshipId": rid, "subject": "A guide for your readers",
                                        "body": "Hi, I wrote a guide your readers may like."}),
                       timeout=60)
            if r.status_code >= 500:
                raise PagesError("send-email answered %d: %s" % (r.status_code, r.text[:300]))
            if r.status_code == 202:
                sent += 1
                have += 1
        if have < want:
            raise PagesError("workspace %s has %d messages awaiting approval, %d needed"
                             % (w, have, want))
    return sent


def sign_in(url, email, password):
    """Signs in through the form; returns the session cookie's value."""
    s = requests.Session()
    page = s.get(url + "/app/login", timeout=30)
    m = re.search(r'name="csrf" value="([^"]+)"', page.text)
    if page.status_code != 200 or not m:
        raise PagesError("GET /app/login answered %d without a form token" % page.status_code)
    r = s.post(url + "/app/login", allow_redirects=False, timeout=60, data={
        "csrf": m.group(1), "next": "/app/", "email": email, "password": password})
    sid = r.cookies.get(SESSION_COOKIE)
    if r.status_code != 303 or not sid:
        raise PagesError("signing %s in answered %d" % (email, r.status_code))
    return sid


def check(url, cookie, path, rows=None):
    r = requests.get(url + path, headers={"Cookie": cookie}, allow_redirects=False, timeout=60)
    if r.status_code != 200:
        raise PagesError("%s answered %d" % (path, r.status_code))
    if rows is not None:
        got = len(re.findall(r'<input type="checkbox" name="id"', r.text))
        if got != rows:
            raise PagesError("%s shows %d messages, not %d" % (path, got, rows))
    return len(r.content)


def prepare(url, var, data):
    """Users, a full queue and a session per workspace. Returns (queue, campaign, info):
    lists of (cookie, path) and a line saying what was made."""
    b = Bench(url, var)
    password = password_of(data)
    wss = workspaces(b, data)
    made = ensure_users(b, wss, password)
    sent = ensure_pending(b, wss)
    queue, campaign = [], []
    for w, num, _key, cids in wss:
        cookie = "%s=%s" % (SESSION_COOKIE, sign_in(b.url, email_of(num), password))
        queue.append((cookie, "/app/w/%s/approvals" % w))
        campaign.extend((cookie, "/app/w/%s/campaigns/%s" % (w, c)) for c in cids)
    qb = check(b.url, *queue[0], rows=QUEUE_ROWS)
    cb = check(b.url, *campaign[0])
    info = ("pages: %d workspaces signed in (%d approvers made), %d messages sent to fill the "
            "queues; queue page %d B, campaign page %d B" % (len(wss), made, sent, qb, cb))
    return queue, campaign, info


def main():
    if len(sys.argv) != 6 or sys.argv[1] != "prepare":
        print(__doc__, file=sys.stderr)
        return 2
    url, var, data, out = sys.argv[2:6]
    try:
        queue, campaign, info = prepare(url, var, data)
    except (PagesError, requests.RequestException, subprocess.CalledProcessError) as e:
        print("bench/pages.py: %s" % e, file=sys.stderr)
        return 1
    for name, rows in (("queue", queue), ("campaign", campaign)):
        path = os.path.join(out, "pages-%s.tsv" % name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # session cookies
        with os.fdopen(fd, "w") as f:
            f.writelines("%s\t%s\n" % r for r in rows)
    print(info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
