"""`linkcamp counts` (docs/architecture.md, "Kept counts repaired"): the counts linkcamp keeps
instead of counting rows on every request, and the credits beside their ledger, are compared
with their rows, each one that differs is named, and --repair sets it to what the rows say —
moving the workspace's data version, so that no cached answer keeps the wrong number — while
the programs keep writing. The doctor says so too."""
import json
import os
import subprocess
import threading
import time
import uuid

from conftest import BIN, CONFIG, Tenant, add_prospects, db_socket, sql

JSON = {"Content-Type": "application/json"}


def counts(*args):
    p = subprocess.run([os.path.join(BIN, "linkcamp"), "-c", CONFIG, "counts", *args],
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def send(api, cid, rel):
    r = api.post(f"/v1/link-building/campaign/{cid}/send-email", headers=JSON, data=json.dumps(
        {"relationshipId": rel, "subject": "s " + uuid.uuid4().hex, "body": "Hello"}))
    assert r.status_code == 202 and r.json()["invocation"]["status"] == "awaiting_approval", r.text


def prospects(t, cid, n):
    return list(add_prospects(t.api, cid, [
        {"domain": f"d{i}-{uuid.uuid4().hex[:6]}.example", "contactName": "Ann",
         "contactEmail": f"ann{i}@d{i}-{uuid.uuid4().hex[:6]}.example"} for i in range(n)]).values())


def campaign_answer(t, cid):
    r = t.api.get(f"/v1/link-building/campaign/{cid}")
    assert r.status_code == 200, r.text
    return r.json()


def test_a_workspace_the_programs_wrote_agrees_with_its_rows():
    t = Tenant()
    cid = t.campaign(template={"subject": "", "body": ""})
    for rel in prospects(t, cid, 2):
        send(t.api, cid, rel)
    rc, out, err = counts(t.ws)
    assert (rc, err) == (0, ""), out + err
    assert out == "counts: 1 workspace, every kept count agrees with its rows\n"


def test_each_count_gone_wrong_is_named_and_the_repair_reaches_the_answers():
    t = Tenant()
    cid = t.campaign(template={"subject": "", "body": ""})
    for rel in prospects(t, cid, 2):
        send(t.api, cid, rel)
    before = campaign_answer(t, cid)
    assert (before["sentCount"], before["pendingApprovals"]) == (0, 2), before
    ws_id = sql(f"SELECT id FROM workspaces WHERE public_id = '{t.ws}'")[0][0]
    c_id = sql(f"SELECT id FROM campaigns WHERE public_id = '{cid}'")[0][0]
    # what an old program or a hand-made fix could leave; the data version moves as a
    # write's would, so the answers show the wrong numbers until the repair
    sql(f"UPDATE campaigns SET sent_count = sent_count + 3, pending_approvals = "
        f"pending_approvals + 4 WHERE id = {c_id}")
    sql(f"UPDATE approval_waiting SET n = n + 5 WHERE campaign_id = {c_id}")
    sql(f"UPDATE workspace_campaign_counts SET n = n + 1 WHERE workspace_id = {ws_id}")
    sql(f"UPDATE workspaces SET relationships_count = relationships_count + 2, "
        f"contacted_count = contacted_count + 1, data_version = data_version + 1 "
        f"WHERE id = {ws_id}")
    wrong = campaign_answer(t, cid)
    assert (wrong["sentCount"], wrong["pendingApprovals"]) == (3, 6), wrong

    rc, out, err = counts(t.ws)
    assert rc == 1 and err == "", out + err
    lines = out.splitlines()
    assert f"{t.ws} {cid} sent_count: kept 3, the rows say 0" in lines, out
    assert f"{t.ws} {cid} pending_approvals: kept 6, the rows say 2" in lines, out
    assert f"{t.ws} {cid} awaiting approval (send_email): kept 7, the rows say 2" in lines, out
    assert f"{t.ws} relationships_count: kept 4, the rows say 2" in lines, out
    assert f"{t.ws} contacted_count: kept 1, the rows say 0" in lines, out
    assert [x for x in lines if x.startswith(f"{t.ws} campaigns serp/") and "kept 2" in x], out
    assert lines[-1] == ("counts: 6 kept counts differ from the rows (1 workspace read); "
                         "`linkcamp counts --repair` sets them"), out
    doctor = subprocess.run([os.path.join(BIN, "linkcamp"), "-c", CONFIG, "doctor"],
                            capture_output=True, text=True, timeout=120)
    assert doctor.returncode == 1, doctor.stdout
    assert [x for x in doctor.stdout.splitlines() if x.startswith("FAIL  counts    ")], doctor.stdout
    assert "`linkcamp counts --repair` sets them" in doctor.stdout

    version = int(sql(f"SELECT data_version FROM workspaces WHERE id = {ws_id}")[0][0])
    rc, out, err = counts("--repair", t.ws)
    assert (rc, err) == (0, ""), out + err
    assert f"{t.ws} {cid} sent_count: kept 3, the rows say 0 (set)" in out.splitlines(), out
    assert out.splitlines()[-1] == ("counts: 6 kept counts set to what the rows say "
                                    "(1 workspace read)"), out
    assert int(sql(f"SELECT data_version FROM workspaces WHERE id = {ws_id}")[0][0]) > version
    assert counts(t.ws)[0] == 0
    after = campaign_answer(t, cid)
    assert (after["sentCount"], after["pendingApprovals"]) == (0, 2), after
    assert int(sql(f"SELECT n FROM approval_waiting WHERE campaign_id = {c_id}")[0][0]) == 2
    assert counts(t.ws2)[0] == 0  # the other workspace was never touched


def test_inbound_counts_gone_wrong_are_named_and_set_back():
    """The inbound list's counts (inbound_counts, sql/190): one spoiled, one missing, one
    for mail that is not there; the list's total follows the repair."""
    t = Tenant()
    tag = uuid.uuid4().hex[:8]
    who = f"ann.{tag}@replies.example"
    cid = t.campaign(prospects=[{"domain": "replies.example", "contactName": "Ann",
                                 "contactEmail": who}])
    mail = {"Content-Type": "message/rfc822"}
    for frm in (who, f"stranger.{tag}@elsewhere.example"):
        raw = (f"From: <{frm}>\r\nTo: sam@agency.example\r\nSubject: hello\r\n"
               f"Message-ID: <{uuid.uuid4().hex}@p.example>\r\n\r\nHello.\r\n")
        assert t.api.post("/v1/link-building/inbound", data=raw.encode(), headers=mail).status_code == 201
    ws_id = sql(f"SELECT id FROM workspaces WHERE public_id = '{t.ws}'")[0][0]
    c_id = sql(f"SELECT id FROM campaigns WHERE public_id = '{cid}'")[0][0]
    assert counts(t.ws)[0] == 0
    assert t.api.get("/v1/link-building/inbound", query=f"campaignId={cid}").json()["total"] == 1
    sql(f"UPDATE inbound_counts SET n = n + 4 WHERE workspace_id = {ws_id} AND campaign_id = {c_id}")
    sql(f"DELETE FROM inbound_counts WHERE workspace_id = {ws_id} AND campaign_id = 0")
    sql(f"INSERT INTO inbound_counts VALUES ({ws_id}, {c_id}, 2, 1, 3)")  # bounces never received
    assert t.api.get("/v1/link-building/inbound", query=f"campaignId={cid}").json()["total"] == 8
    rc, out, err = counts(t.ws)
    assert rc == 1 and err == "", out + err
    lines = out.splitlines()
    assert f"{t.ws} {cid} inbound mail (reply, matched): kept 5, the rows say 1" in lines, out
    assert f"{t.ws} (no campaign) inbound mail (reply, unmatched): kept 0, the rows say 1" in lines, out
    assert f"{t.ws} {cid} inbound mail (bounce, matched): kept 3, the rows say 0" in lines, out
    rc, out, err = counts("--repair", t.ws)
    assert (rc, err) == (0, ""), out + err
    assert counts(t.ws)[0] == 0
    assert t.api.get("/v1/link-building/inbound", query=f"campaignId={cid}").json()["total"] == 1
    assert t.api.get("/v1/link-building/inbound", query="matched=false").json()["total"] == 1


def test_credits_that_disagree_with_the_ledger_are_named_and_set_to_it():
    """The ledger is what the money is (sql/002: its sums are the balance and the
    reservations, always); a balance written beside it is found and set back."""
    t = Tenant()
    cid = t.campaign(template={"subject": "", "body": ""})
    send(t.api, cid, prospects(t, cid, 1)[0])  # 2 credits reserved
    before = t.api.get("/v1/credits").json()
    assert (before["balance"], before["reserved"]) == (1000, 2), before
    sql("UPDATE workspaces SET credits_balance = credits_balance + 5, credits_reserved = 0, "
        f"data_version = data_version + 1 WHERE public_id = '{t.ws}'")
    assert t.api.get("/v1/credits").json()["available"] == 1005
    rc, out, _ = counts(t.ws)
    assert rc == 1, out
    assert f"{t.ws} credits_balance: kept 1005, the rows say 1000" in out.splitlines(), out
    assert f"{t.ws} credits_reserved: kept 0, the rows say 2" in out.splitlines(), out
    rc, out, _ = counts("--repair", t.ws)
    assert rc == 0 and "counts: 2 kept counts set to what the rows say" in out, out
    after = t.api.get("/v1/credits").json()
    assert (after["balance"], after["reserved"], after["available"]) == (1000, 2, 998), after


def test_a_repair_while_sends_arrive_loses_no_count():
    """Senders move the counts while repairs run: each repair locks the counts first, so a
    send waits for it and moves the repaired value; none is lost or counted twice."""
    t = Tenant()
    cid = t.campaign(template={"subject": "", "body": ""})
    rels = prospects(t, cid, 40)
    c_id = sql(f"SELECT id FROM campaigns WHERE public_id = '{cid}'")[0][0]
    sql(f"UPDATE campaigns SET pending_approvals = pending_approvals + 9 WHERE id = {c_id}")
    failures = []

    def sender(part):
        try:
            for rel in part:
                send(t.api, cid, rel)
        except AssertionError as e:
            failures.append(e)

    threads = [threading.Thread(target=sender, args=(rels[i::4],)) for i in range(4)]
    for th in threads:
        th.start()
    repairs = []
    while any(th.is_alive() for th in threads):
        repairs.append(counts("--repair", t.ws))
    for th in threads:
        th.join()
    assert failures == [], failures
    assert all(rc == 0 for rc, _, _ in repairs), repairs
    repairs.append(counts("--repair", t.ws))  # the drift set above, if no repair saw it
    rc, out, _ = counts(t.ws)
    assert rc == 0, out
    answer = campaign_answer(t, cid)
    assert answer["pendingApprovals"] == 40, answer
    assert int(sql(f"SELECT SUM(n) FROM approval_waiting WHERE campaign_id = {c_id}")[0][0]) == 40
    assert any("pending_approvals: kept" in out for _, out, _ in repairs), repairs


def test_a_repair_waits_for_a_writer_in_flight_and_keeps_its_move():
    """A writer has moved a message out of the queue and its counts, and not committed yet,
    while a repair runs over a count gone wrong: the repair must wait for it and count
    after it. Read without locks, the repair would count the rows as they were before the
    writer and then write that over the writer's move (a pending approval counted twice)."""
    t = Tenant()
    cid = t.campaign(template={"subject": "", "body": ""})
    for rel in prospects(t, cid, 3):
        send(t.api, cid, rel)
    c_id = sql(f"SELECT id FROM campaigns WHERE public_id = '{cid}'")[0][0]
    m_id, kind = sql(f"SELECT id, kind FROM outbound_messages WHERE campaign_id = {c_id} "
                     "AND status = 0 ORDER BY id LIMIT 1")[0]
    sql(f"UPDATE campaigns SET sent_count = sent_count + 2 WHERE id = {c_id}")  # to repair
    # the writer: a cancellation's moves (status 7, MS_CANCELLED), held open for 3 seconds
    writer = subprocess.Popen(
        ["mariadb", "--no-defaults", "-S", db_socket(), "-u", "root", "linkcamp", "-N", "-e",
         f"START TRANSACTION; UPDATE outbound_messages SET status = 7 WHERE id = {m_id}; "
         f"UPDATE approval_waiting SET n = n - 1 WHERE campaign_id = {c_id} AND kind = {kind}; "
         f"UPDATE campaigns SET pending_approvals = pending_approvals - 1 WHERE id = {c_id}; "
         "SELECT SLEEP(3); COMMIT;"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1)
    rc, out, err = counts("--repair", t.ws)
    _, werr = writer.communicate(timeout=30)
    assert writer.returncode == 0, werr
    assert (rc, err) == (0, ""), out + err
    assert out.splitlines() == [f"{t.ws} {cid} sent_count: kept 2, the rows say 0 (set)",
                                "counts: 1 kept count set to what the rows say "
                                "(1 workspace read)"], out
    rc, out, _ = counts(t.ws)
    assert rc == 0, out
    assert campaign_answer(t, cid)["pendingApprovals"] == 2


def test_the_command_refuses_what_it_cannot_read():
    rc, out, err = counts("--repair", "--repair")
    assert rc == 64 and "usage: linkcamp counts [--repair] [WS_ID]" in err
    rc, out, err = counts("ws_" + "A" * 22)
    assert rc == 65 and err.startswith("linkcamp: counts: ") and "no workspace ws_AAAA" in err
    rc, out, err = counts("ws_x", "ws_y")
    assert rc == 64, out + err
