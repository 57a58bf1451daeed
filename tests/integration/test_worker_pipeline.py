"""The worker's pipeline: one claimer, mailer threads, one recorder.

The recorder writes outcomes down in batches (batch statements).
A batch that mixes two workspaces, three campaigns and several messages to the same
prospect must move exactly what the same messages recorded one by one would: one event
and one capture per message, sent/delivered counted once per prospect, the day's
emails_sent counted per message, each invocation completed with its own event.

To get one large batch for sure, the test holds the two workspaces' rows locked while
the mailers deliver: the recorder's first transaction waits on them, the other outcomes
queue up behind it, and the next transaction takes them all."""
import collections
import json
import os
import subprocess
import time
import uuid

from conftest import (Tenant, add_prospects, db_socket, send_without_approval, sink_messages,
                      sql, start_worker_process, stop_process, wait_for)

DEV = os.environ.get("LINKCAMP_DEV", "")
INSTANCE = os.environ.get("LINKCAMP_INSTANCE", "test")
LOG_DIR = os.environ.get("LINKCAMP_LOG_DIR", "/tmp")
JSON = {"Content-Type": "application/json"}


def prospects(api, cid, domain, n):
    """n prospects p0..p(n-1) at domain; their ids in that order."""
    ids = add_prospects(api, cid, [{"domain": domain, "contactName": f"P{i}",
                                    "contactEmail": f"p{i}@{domain}"} for i in range(n)])
    return [ids[f"p{i}@{domain}"] for i in range(n)]


def unapproved_campaign(name, prefix):
    """A new tenant whose emails go out without approval, one campaign of it with an
    empty template, a tag unique to the test and a domain of that tag for its prospects:
    (tenant, tag, campaign id, domain)."""
    t = Tenant()
    tag = uuid.uuid4().hex[:8]
    send_without_approval(t.api)
    cid = t.campaign(name=name, template={"subject": "", "body": ""})
    return t, tag, cid, f"{prefix}-{tag}.example"


def start_worker(threads, batch, log_name="pipeline-worker.log", **env_extra):
    return start_worker_process(log_name, LINKCAMP_WORKER_THREADS=str(threads),
                                LINKCAMP_WORKER_BATCH=str(batch), LINKCAMP_WORKER_POLL_MS="50",
                                LINKCAMP_LOG_LEVEL="warn", **env_extra)


def restore_worker(worker=None, holder=None):
    """Ends what a test started — the session holding workspace rows, its own worker
    (SIGTERM, as an operator would; it must exit 0) — and starts the stack's worker again."""
    if holder and holder.poll() is None:
        holder.kill()
    try:
        stop_process(worker)
    finally:
        subprocess.run([DEV, "worker-start", INSTANCE], check=True, timeout=60)


def test_one_batch_of_many_workspaces_campaigns_and_repeats():
    t = Tenant()
    tag = uuid.uuid4().hex[:8]
    for api in (t.api, t.api2):
        send_without_approval(api)
    c1 = t.campaign(name="batch one", template={"subject": "", "body": ""})
    c2 = t.campaign(name="batch two", template={"subject": "", "body": ""})
    c3 = t.campaign(ws=t.ws2, name="batch three", template={"subject": "", "body": ""})
    r1 = prospects(t.api, c1, f"one-{tag}.example", 3)
    r2 = prospects(t.api, c2, f"two-{tag}.example", 2)
    r3 = prospects(t.api2, c3, f"three-{tag}.example", 2)
    # (api, campaign, relationship) per message: repeats of one prospect in one batch
    plan = [(t.api, c1, r1[0])] * 3 + [(t.api, c1, r1[1]), (t.api, c1, r1[2])] + \
           [(t.api, c2, r2[0])] * 2 + [(t.api, c2, r2[1])] + \
           [(t.api2, c3, r3[0])] * 2 + [(t.api2, c3, r3[1])]

    subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=60)
    holder = worker = None
    try:
        invs = []
        for i, (api, cid, rid) in enumerate(plan):
            r = api.post(f"/v1/link-building/campaign/{cid}/send-email", headers=JSON,
                         data=json.dumps({"relationshipId": rid, "subject": f"batch {tag} {i}",
                                          "body": f"message {i}\n"}))
            assert r.status_code == 202, r.text
            invs.append((api, r.json()["invocation"]["id"]))

        holder = hold_workspaces(t.ws, t.ws2)

        worker = start_worker(4, 4)

        def delivered():
            return [m for raw, m in sink_messages()
                    if m["Subject"] and m["Subject"].startswith(f"batch {tag} ")]
        assert len(wait_for(lambda: len(delivered()) == len(plan) and delivered(), 30)) == len(plan)
        time.sleep(0.5)  # every outcome is now queued behind the waiting transaction
        release(holder)

        def statuses():
            return [api.get(f"/v1/invocations/{inv}").json()["invocation"]["status"]
                    for api, inv in invs]
        assert wait_for(lambda: all(s == "completed" for s in statuses()), 30), statuses()
    finally:
        restore_worker(worker, holder)

    # The big batch happened: the events of one record transaction share its time. The
    # first transaction took what was queued when it began (about one outcome per mailer);
    # the one after it took the rest: both workspaces, three campaigns, repeated prospects.
    rows = sql("SELECT e.public_id, e.occurred_at, w.public_id, c.public_id, r.public_id "
               "FROM events e JOIN campaigns c ON c.id = e.campaign_id "
               "JOIN relationships r ON r.id = e.relationship_id "
               "JOIN workspaces w ON w.id = e.workspace_id "
               f"WHERE c.public_id IN ('{c1}', '{c2}', '{c3}') AND e.type = 'email_sent'")
    assert len(rows) == len(plan)
    at, size = collections.Counter(r[1] for r in rows).most_common(1)[0]
    big = [r for r in rows if r[1] == at]
    assert size >= 6, collections.Counter(r[1] for r in rows)
    assert {r[2] for r in big} == {t.ws, t.ws2}
    assert len({r[3] for r in big}) == 3
    assert len({r[4] for r in big}) < len(big)
    assert collections.Counter(r[3] for r in rows) == {c1: 5, c2: 3, c3: 3}

    # each invocation completed with its own event, of its own message, charged 2
    seen = set()
    for api, inv in invs:
        done = api.get(f"/v1/invocations/{inv}").json()
        assert done["invocation"]["creditsCharged"] == 2
        assert done["invocation"]["message"]["status"] == "sent"
        ev = done["event"]
        assert ev["type"] == "email_sent" and ev["messageId"] == done["invocation"]["message"]["id"]
        assert ev["id"] not in seen
        seen.add(ev["id"])
    assert seen == {r[0] for r in rows}

    # sent and delivered count prospects; the day's emails_sent counts messages
    for api, cid, distinct, messages in ((t.api, c1, 3, 5), (t.api, c2, 2, 3), (t.api2, c3, 2, 3)):
        m = api.get(f"/v1/link-building/campaign/{cid}/metrics").json()
        assert m["summary"]["sent"] == distinct and m["summary"]["delivered"] == distinct, m
        sent = [e for e in m["timeline"] if e["event"] == "emails_sent"]
        assert [e["count"] for e in sent] == [messages], m["timeline"]
    for api, rels in ((t.api, r1 + r2), (t.api2, r3)):
        for rid in rels:
            rel = api.get(f"/v1/link-building/crm/relationship/{rid}").json()
            assert rel["status"] == "sent" and rel["lastContactedAt"], rel

    # one capture per message, and each workspace's ledger sums to its balance
    for ws, n in ((t.ws, 8), (t.ws2, 3)):
        (balance, reserved, sum_b, sum_r, captures, distinct_msgs), = [tuple(map(int, r)) for r in sql(
            "SELECT w.credits_balance, w.credits_reserved, SUM(l.delta_balance), "
            "SUM(l.delta_reserved), SUM(l.kind = 2), COUNT(DISTINCT IF(l.kind = 2, l.message_id, NULL)) "
            f"FROM workspaces w JOIN credit_ledger l ON l.workspace_id = w.id WHERE w.public_id = '{ws}' "
            "GROUP BY w.id")]
        assert (balance, reserved) == (sum_b, sum_r) == (1000 - 2 * n, 0)
        assert captures == distinct_msgs == n
        (kept, actual), = [tuple(map(int, r)) for r in sql(
            "SELECT w.contacted_count, (SELECT COUNT(*) FROM relationships r WHERE "
            "r.workspace_id = w.id AND r.status IN (3, 4)) FROM workspaces w "
            f"WHERE w.public_id = '{ws}'")]
        assert kept == actual == (5 if ws == t.ws else 2)


def hold_workspaces(*public_ids):
    """A session holding the workspaces' rows locked: the recorder's next transaction
    waits on it, and the outcomes that arrive meanwhile queue up for one batch."""
    holder = subprocess.Popen(["mariadb", "--no-defaults", "-S", db_socket(), "-u", "root",
                               "linkcamp", "-N", "-B", "--unbuffered"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    ids = ", ".join(f"'{p}'" for p in public_ids)
    holder.stdin.write(f"BEGIN; SELECT COUNT(*) FROM workspaces WHERE public_id IN ({ids}) FOR UPDATE;\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == str(len(public_ids))
    return holder


def release(holder):
    holder.stdin.write("COMMIT;\n")
    holder.stdin.close()
    holder.wait(10)


def test_an_outcome_that_cannot_be_recorded_never_takes_its_batch_with_it():
    """One sent message whose row refuses to become `sent` (a trigger stands in for
    whatever could make one outcome unrecordable) is delivered in the same batch as five
    others: the batch fails, is recorded again one outcome at a time, the five end sent
    and charged, and the refused one ends `unknown` when its lease runs out — uncharged,
    never sent again."""
    t, tag, cid, domain = unapproved_campaign("poison", "poison")
    rids = prospects(t.api, cid, domain, 6)
    trigger = f"lc_test_refuse_{tag}"
    log_name = f"poison-worker-{tag}.log"
    subprocess.run(["mariadb", "--no-defaults", "-S", db_socket(), "-u", "root", "linkcamp"],
                   input="DELIMITER //\n"
                         f"CREATE TRIGGER {trigger} BEFORE UPDATE ON outbound_messages FOR EACH ROW "
                         f"IF NEW.status = 3 AND NEW.subject = 'poison {tag}' THEN "
                         "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'; END IF //\n",
                   text=True, check=True, timeout=60)
    subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=60)
    holder = worker = None
    try:
        outs = []
        for i, rid in enumerate(rids):
            subject = f"poison {tag}" if i == 5 else f"split {tag} {i}"
            r = t.api.post(f"/v1/link-building/campaign/{cid}/send-email", headers=JSON,
                           data=json.dumps({"relationshipId": rid, "subject": subject,
                                            "body": f"message {i}\n"}))
            assert r.status_code == 202, r.text
            outs.append(r.json()["invocation"]["message"]["id"])
            time.sleep(0.01)  # the refused one is queued, claimed and delivered last
        holder = hold_workspaces(t.ws)
        worker = start_worker(2, 8, log_name, LINKCAMP_WORKER_LEASE_SECONDS="8")

        def delivered():
            return [m for raw, m in sink_messages()
                    if m["Subject"] and tag in m["Subject"]]
        assert wait_for(lambda: len(delivered()) == 6, 30)
        time.sleep(0.5)  # the last outcomes are queued behind the waiting transaction
        release(holder)

        def status(out):
            return int(sql(f"SELECT status FROM outbound_messages WHERE public_id = '{out}'")[0][0])
        assert wait_for(lambda: [status(o) for o in outs] == [3] * 5 + [5], 40), \
            [status(o) for o in outs]
    finally:
        sql(f"DROP TRIGGER IF EXISTS {trigger}")
        restore_worker(worker, holder)

    with open(os.path.join(LOG_DIR, log_name)) as f:
        msgs = [json.loads(line)["msg"] for line in f if "recording" in line]
    # the batch that held the refused outcome held others too, and it was split; the
    # refused one alone was tried three times (RECORD_TRIES_OTHER), then given up
    split = [m for m in msgs if m.endswith("; recording them one by one")]
    assert split and all(int(m.split()[1]) > 1 for m in split), msgs
    assert sum(m.startswith("recording 1 outcome(s) failed") and m.endswith("; retrying")
               for m in msgs) == 2, msgs
    assert sum(m.startswith("gave up recording 1 outcome(s)") for m in msgs) == 1, msgs
    assert collections.Counter(m["Subject"] for m in delivered()) == \
        collections.Counter([f"split {tag} {i}" for i in range(5)] + [f"poison {tag}"])
    (balance, reserved, sum_b, sum_r, captures), = [tuple(map(int, r)) for r in sql(
        "SELECT w.credits_balance, w.credits_reserved, SUM(l.delta_balance), "
        "SUM(l.delta_reserved), SUM(l.kind = 2) FROM workspaces w "
        f"JOIN credit_ledger l ON l.workspace_id = w.id WHERE w.public_id = '{t.ws}' GROUP BY w.id")]
    assert (balance, reserved) == (sum_b, sum_r) == (1000 - 2 * 5, 0)
    assert captures == 5
    m = t.api.get(f"/v1/link-building/campaign/{cid}/metrics").json()
    assert m["summary"]["sent"] == 5, m["summary"]


def test_a_mailer_whose_lease_ran_out_before_data_sends_nothing():
    """A relay slow to answer RCPT keeps a mailer past its lease: the reaper returns the
    message, another mailer delivers it, and when the first one's RCPT is finally
    answered its fenced DATA mark fails. It must then drop the connection before any of
    the message — not end DATA with an empty body, which would deliver a blank mail."""
    t, tag, cid, domain = unapproved_campaign("slow relay", "slow")
    rcpt = f"slowrcpt-{tag}@{domain}"
    rid = add_prospects(t.api, cid, [{"domain": domain, "contactName": "Slow",
                                      "contactEmail": rcpt}])[rcpt]
    log_name = f"slow-worker-{tag}.log"
    subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=60)
    worker = None
    try:
        r = t.api.post(f"/v1/link-building/campaign/{cid}/send-email", headers=JSON,
                       data=json.dumps({"relationshipId": rid, "subject": f"slow {tag}",
                                        "body": "only once\n"}))
        assert r.status_code == 202, r.text
        out = r.json()["invocation"]["message"]["id"]
        worker = start_worker(2, 1, log_name, LINKCAMP_WORKER_LEASE_SECONDS="5",
                              LINKCAMP_SMTP_TIMEOUT_MS="20000")

        def refused():
            with open(os.path.join(LOG_DIR, log_name)) as f:
                return any(f"not sending {out}" in line for line in f)
        assert wait_for(refused, 30), "the first mailer never reached DATA"

        def state():
            return sql(f"SELECT status, last_error FROM outbound_messages WHERE public_id = '{out}'")[0]
        assert wait_for(lambda: state()[0] == "3", 15), state()
        time.sleep(0.5)  # a blank mail, had one gone out, would be stored by now
    finally:
        restore_worker(worker)
    got = [(raw, m) for raw, m in sink_messages() if rcpt in m.get("X-Sink-Rcpt-To", "")]
    assert [m["Subject"] for raw, m in got] == [f"slow {tag}"], [raw[:300] for raw, m in got]
    assert b"only once" in got[0][0]


def test_a_job_that_waited_out_its_lease_in_the_queue_is_returned_not_started():
    """One mailer is held 8 s by a relay slow to answer RCPT while three claimed messages
    wait behind it with 5 s leases. When the mailer is free their leases are over: each
    goes back to the queue unstarted (no SMTP transaction begun and dropped at the
    fenced DATA mark), is claimed again, and every message reaches the sink once."""
    t, tag, cid, domain = unapproved_campaign("late queue", "late")
    slow = f"slowrcpt-{tag}@{domain}"
    emails = [slow] + [f"late{i}-{tag}@{domain}" for i in range(3)]
    by_email = add_prospects(t.api, cid, [{"domain": domain, "contactName": f"P{i}",
                                           "contactEmail": e} for i, e in enumerate(emails)])
    log_name = f"late-worker-{tag}.log"
    subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=60)
    worker = None
    try:
        outs = []
        for i, e in enumerate(emails):
            r = t.api.post(f"/v1/link-building/campaign/{cid}/send-email", headers=JSON,
                           data=json.dumps({"relationshipId": by_email[e],
                                            "subject": f"late {tag} {i}", "body": f"m {i}\n"}))
            assert r.status_code == 202, r.text
            outs.append(r.json()["invocation"]["message"]["id"])
            time.sleep(0.01)  # claimed in this order: the slow one first
        worker = start_worker(1, 4, log_name, LINKCAMP_WORKER_LEASE_SECONDS="5",
                              LINKCAMP_SMTP_TIMEOUT_MS="20000")

        def delivered():
            return [m["Subject"] for raw, m in sink_messages()
                    if m["Subject"] and m["Subject"].startswith(f"late {tag} ")]
        assert wait_for(lambda: len(delivered()) == 4, 40), delivered()
        time.sleep(0.5)  # a second copy, had one gone out, would be stored by now
    finally:
        restore_worker(worker)
    assert sorted(delivered()) == [f"late {tag} {i}" for i in range(4)]
    with open(os.path.join(LOG_DIR, log_name)) as f:
        log = [json.loads(line)["msg"] for line in f if line.startswith("{")]
    for o in outs[1:]:
        assert any(m.startswith(f"not starting {o}:") for m in log), log
        assert not any(m.startswith(f"not sending {o}:") for m in log), log


def test_a_stopping_worker_returns_what_it_claimed_and_never_started():
    """SIGTERM while one mailer is stuck after DATA and five claimed messages wait behind
    it: the stuck one ends unknown, the five go back to the queue at once (not when their
    leases expire), and the next worker delivers each of them exactly once."""
    t, tag, cid, domain = unapproved_campaign("stopping", "stop")
    by_email = add_prospects(t.api, cid, [
        {"domain": domain, "contactName": "Stuck", "contactEmail": f"hang-{tag}@{domain}"},
        {"domain": domain, "contactName": "Fine", "contactEmail": f"fine-{tag}@{domain}"}])
    stuck, fine = by_email[f"hang-{tag}@{domain}"], by_email[f"fine-{tag}@{domain}"]

    subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=60)
    worker = None
    try:
        outs = []
        for i, rid in enumerate([stuck] + [fine] * 5):
            r = t.api.post(f"/v1/link-building/campaign/{cid}/send-email", headers=JSON,
                           data=json.dumps({"relationshipId": rid, "subject": f"stop {tag} {i}",
                                            "body": f"message {i}\n"}))
            assert r.status_code == 202, r.text
            outs.append(r.json()["invocation"]["message"]["id"])
            time.sleep(0.01)  # queued in this order, claimed in this order

        def status(out):
            return int(sql(f"SELECT status FROM outbound_messages WHERE public_id = '{out}'")[0][0])
        worker = start_worker(1, 32)
        # the one mailer is inside the stuck transaction; the claimer took all six
        assert wait_for(lambda: sql("SELECT smtp_phase FROM outbound_messages WHERE "
                                    f"public_id = '{outs[0]}'")[0][0] == "1", 10)
        assert [status(o) for o in outs] == [2] * 6
        t0 = time.time()
        stop_process(worker, 30)
        assert time.time() - t0 < 10
        rows = {o: (status(o), err) for o in outs for (err,) in
                sql(f"SELECT last_error FROM outbound_messages WHERE public_id = '{o}'")}
        assert rows[outs[0]][0] == 5, rows  # no reply after the final dot: unknown
        for o in outs[1:]:
            assert rows[o] == (1, "returned unsent when its worker stopped"), rows
        assert not [m for raw, m in sink_messages() if m["Subject"] and
                    m["Subject"].startswith(f"stop {tag} ") and m["Subject"] != f"stop {tag} 0"]
    finally:
        restore_worker(worker)

    def delivered():
        return collections.Counter(m["Subject"] for raw, m in sink_messages()
                                   if m["Subject"] and m["Subject"].startswith(f"stop {tag} "))
    assert wait_for(lambda: all(status(o) == 3 for o in outs[1:]), 30), [status(o) for o in outs]
    got = delivered()
    assert all(got[f"stop {tag} {i}"] == 1 for i in range(1, 6)), got
