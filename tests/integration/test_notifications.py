"""Approvers are emailed a link to each item that starts waiting for them; the link only
shows the item (GET), it never decides."""
import json
import re
import uuid

import requests

from conftest import Tenant, cli, sink_messages, sql, wait_for

JSON = {"Content-Type": "application/json"}


def test_approvers_get_a_link_and_the_link_decides_nothing():
    t = Tenant()
    approver = f"approver.{uuid.uuid4().hex[:8]}@agency.example"
    viewer = f"viewer.{uuid.uuid4().hex[:8]}@agency.example"
    cli("user", "add", approver, "--workspace", t.ws, "--role", "approver", "--password-stdin",
        stdin="correct horse battery staple\n")
    cli("user", "add", viewer, "--workspace", t.ws, "--role", "viewer", "--password-stdin",
        stdin="correct horse battery staple\n")
    subject = "needs a look " + uuid.uuid4().hex[:6]
    cid = t.campaign(template={"subject": subject, "body": "Hello {{contactFirstName}}"},
                     prospects=[{"domain": "n.example", "contactName": "Nia Note", "contactEmail": "nia@n.example"}])
    out = t.api.get("/v1/approvals", query=f"campaignId={cid}").json()["data"][0]["id"]
    mails = wait_for(lambda: [m for raw, m in sink_messages() if m["X-Sink-Rcpt-To"] == approver])
    assert len(mails) == 1
    m = mails[0]
    assert m["Subject"] == "Approval needed: " + subject
    text = m.get_content()
    link = re.search(r"(http://\S+/app/w/\S+/approvals/\S+)", text).group(1)
    assert link.endswith(f"/app/w/{t.ws}/approvals/{out}")
    assert "nia@n.example" in text and "Hello Nia" in text
    # viewers are not asked: the item's one notification job is done (every approver it
    # mails has been mailed) and none of its mail went to the viewer
    assert wait_for(lambda: sql("SELECT n.status FROM approval_notifications n JOIN outbound_messages m "
                                f"ON m.id = n.message_id WHERE m.public_id = '{out}'") == [["2"]])
    assert not [1 for raw, x in sink_messages() if x["X-Sink-Rcpt-To"] == viewer]
    # following the link while signed out leads to the sign-in page and changes nothing
    r = requests.get(link, allow_redirects=False, timeout=10)
    assert r.status_code in (200, 303)
    assert t.api.get(f"/v1/approvals/{out}").json()["status"] == "awaiting_approval"


# --- issue 20: approval emails gathered per workspace (docs/notifications.md) -------------
# The test stack's [worker] notify_interval is 5 s. These tests freeze the test clock
# (LINKCAMP_TEST_CLOCK_FILE, read by the API and the worker alike) and move it past the
# interval themselves, so which items go together never depends on how fast a loaded
# machine sends them: the worker's holding of an item is seen in its row (due at the
# interval's end) before the clock moves.

import email
import email.policy
import os
import subprocess
import time
from datetime import datetime, timezone

import pytest

from conftest import Api, config_value

DEV = os.environ.get("LINKCAMP_DEV", "")
INSTANCE = os.environ.get("LINKCAMP_INSTANCE", "test")
INTERVAL_MS = 5000
LINK = re.compile(r"(http://\S+?)/app/w/([^/\s]+)/approvals/([^/\s]+)")


@pytest.fixture
def clock(clock):
    """conftest's test clock, frozen at a whole second (clock.start) for the whole test."""
    start = (int(time.time()) + 1) * 1000
    clock(start)
    clock.start = start
    return clock


def sqltime(t_ms):
    return datetime.fromtimestamp(t_ms / 1000, timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def add_approver(ws, tag="approver"):
    addr = f"{tag}.{uuid.uuid4().hex[:8]}@agency.example"
    cli("user", "add", addr, "--workspace", ws, "--role", "approver", "--password-stdin",
        stdin="correct horse battery staple\n")
    return addr


def notices(addr):
    return [m for raw, m in sink_messages() if m["X-Sink-Rcpt-To"] == addr]


def rows(ws):
    """(out id, status, attempts, due_at, last_error) of the workspace's notifications."""
    return sql("SELECT m.public_id, n.status, n.attempts, n.due_at, COALESCE(n.last_error, '') "
               "FROM approval_notifications n JOIN outbound_messages m ON m.id = n.message_id "
               f"JOIN workspaces w ON w.id = n.workspace_id WHERE w.public_id = '{ws}' ORDER BY n.id")


def held_until(ws, out_ids, t_ms):
    """The worker looked at out_ids and holds them, pending, for the interval ending t_ms."""
    want = sqltime(t_ms)
    return wait_for(lambda: all(r[1] == "0" and r[3] == want for r in rows(ws) if r[0] in out_ids)
                    and {r[0] for r in rows(ws)} >= set(out_ids))


def ws_name(ws):
    return sql(f"SELECT name FROM workspaces WHERE public_id = '{ws}'")[0][0]


class Shop:
    """A workspace with an approver and one campaign whose first draft is the first item."""

    def __init__(self, t, ws=None, api=None, name="gathering", subject="first draft"):
        self.t, self.ws, self.api = t, ws or t.ws, api or t.api
        self.approver = add_approver(self.ws)
        self.subject = f"{subject} {uuid.uuid4().hex[:6]}"
        self.cid = t.campaign(ws=self.ws, name=name,
                              template={"subject": self.subject, "body": "Hello {{contactFirstName}}"},
                              prospects=[{"domain": "g.example", "contactName": "Gil Gather",
                                          "contactEmail": f"gil.{uuid.uuid4().hex[:6]}@g.example"}])
        self.rel = self.api.get("/v1/link-building/crm/relationship",
                                query=f"campaignId={self.cid}").json()["data"][0]["id"]
        self.first = self.api.get("/v1/approvals", query=f"campaignId={self.cid}").json()["data"][0]["id"]

    def send(self, subject=None):
        r = self.api.post(f"/v1/link-building/campaign/{self.cid}/send-email", headers=JSON,
                          data=json.dumps({"relationshipId": self.rel, "body": "Hi again",
                                           "subject": subject or "one more " + uuid.uuid4().hex[:8],
                                           "scheduleAt": "now"}))
        assert r.status_code == 202, r.text
        assert r.json()["invocation"]["message"]["status"] == "awaiting_approval"
        return r.json()["invocation"]["message"]["id"]

    def first_email(self, subject=None):
        """The first item's own email, sent at once, as before issue 20."""
        mails = wait_for(lambda: notices(self.approver))
        assert len(mails) == 1
        assert mails[0]["Subject"] == "Approval needed: " + (subject or self.subject)
        assert LINK.search(mails[0].get_content()).group(3) == self.first
        return mails[0]


def links(m):
    return [(ws, out) for base, ws, out in LINK.findall(m.get_content())]


def test_a_burst_is_one_email_at_once_then_one_gathered_email(clock):
    t = Tenant()
    s = Shop(t)
    s.first_email()
    outs = [s.send() for _ in range(5)]
    held_until(t.ws, outs, clock.start + INTERVAL_MS)
    assert len(notices(s.approver)) == 1  # held, not mailed one by one
    clock(clock.start + INTERVAL_MS)
    mails = wait_for(lambda: len(notices(s.approver)) >= 2 and notices(s.approver))
    assert len(mails) == 2
    m = mails[1]
    assert m["Subject"] == f'Approval needed: 5 messages in "{ws_name(t.ws)}"'
    assert links(m) == [(t.ws, o) for o in outs]  # oldest first, each its own page
    text = m.get_content()
    assert text.count("An email to gil.") == 5 and "more are waiting" not in text
    assert "nothing is approved or rejected until you press a button there" in text
    # every item's notification is done, in one email: nothing is left to send later
    assert wait_for(lambda: [r[1] for r in rows(t.ws)] == ["2"] * 6)
    assert len(notices(s.approver)) == 2
    # the links only show: following one decides nothing
    r = requests.get(LINK.search(text).group(0), allow_redirects=False, timeout=10)
    assert r.status_code in (200, 303)
    assert t.api.get(f"/v1/approvals/{outs[0]}").json()["status"] == "awaiting_approval"


def test_items_decided_before_the_email_are_left_out_and_an_empty_email_is_not_sent(clock):
    t = Tenant()
    approve = Api(t.approver_key)
    s = Shop(t)
    s.first_email()
    outs = [s.send() for _ in range(3)]
    held_until(t.ws, outs, clock.start + INTERVAL_MS)
    r = approve.post(f"/v1/approvals/{outs[1]}/reject", headers=JSON,
                     data=json.dumps({"reason": "not this one"}))
    assert r.status_code == 200, r.text
    clock(clock.start + INTERVAL_MS)
    mails = wait_for(lambda: len(notices(s.approver)) >= 2 and notices(s.approver))
    assert len(mails) == 2
    assert links(mails[1]) == [(t.ws, outs[0]), (t.ws, outs[2])]
    assert mails[1]["Subject"].startswith("Approval needed: 2 messages in ")
    # the decided item's notification was closed without an email
    assert wait_for(lambda: {r[0]: (r[1], r[4]) for r in rows(t.ws)}[outs[1]] == ("2", "no longer waiting"))
    # items all decided before their email: nothing is sent, and the gate stays as it was
    later = [s.send() for _ in range(2)]
    second = clock.start + INTERVAL_MS
    held_until(t.ws, later, second + INTERVAL_MS)
    for o in later:
        r = approve.post(f"/v1/approvals/{o}/reject", headers=JSON, data=json.dumps({"reason": "no"}))
        assert r.status_code == 200, r.text
    clock(second + INTERVAL_MS)
    assert wait_for(lambda: all(r[1] == "2" and r[4] == "no longer waiting"
                                for r in rows(t.ws) if r[0] in later))
    assert len(notices(s.approver)) == 2
    # the next item is mailed at once: no email went out in that interval
    one = s.send("after the empty interval " + uuid.uuid4().hex[:6])
    mails = wait_for(lambda: len(notices(s.approver)) >= 3 and notices(s.approver))
    assert len(mails) == 3 and links(mails[2]) == [(t.ws, one)]
    assert mails[2]["Subject"].startswith("Approval needed: after the empty interval ")


def test_more_than_25_items_list_25_and_count_the_rest(clock):
    t = Tenant()
    s = Shop(t)
    s.first_email()
    outs = [s.send() for _ in range(31)]
    held_until(t.ws, outs, clock.start + INTERVAL_MS)
    clock(clock.start + INTERVAL_MS)
    mails = wait_for(lambda: len(notices(s.approver)) >= 2 and notices(s.approver))
    assert len(mails) == 2
    m = mails[1]
    assert m["Subject"] == f'Approval needed: 31 messages in "{ws_name(t.ws)}"'
    assert links(m) == [(t.ws, o) for o in outs[:25]]
    base = LINK.search(m.get_content()).group(1)
    assert m.get_content().rstrip("\r\n").endswith(
        f"and 6 more are waiting: {base}/app/w/{t.ws}/approvals")
    assert wait_for(lambda: [r[1] for r in rows(t.ws)] == ["2"] * 32)
    assert len(notices(s.approver)) == 2


def test_two_workspaces_do_not_delay_each_other(clock):
    t = Tenant()
    a = Shop(t)
    a.first_email()
    a2 = a.send()
    held_until(t.ws, [a2], clock.start + INTERVAL_MS)
    # the other workspace's first item goes at once while the first one is held
    b = Shop(t, ws=t.ws2, api=t.api2)
    b.first_email()
    b2 = b.send()
    held_until(t.ws2, [b2], clock.start + INTERVAL_MS)
    clock(clock.start + INTERVAL_MS)
    ma = wait_for(lambda: len(notices(a.approver)) >= 2 and notices(a.approver))
    mb = wait_for(lambda: len(notices(b.approver)) >= 2 and notices(b.approver))
    assert links(ma[1]) == [(t.ws, a2)] and links(mb[1]) == [(t.ws2, b2)]
    assert wait_for(lambda: [r[1] for r in rows(t.ws) + rows(t.ws2)] == ["2"] * 4)
    assert len(notices(a.approver)) == 2 and len(notices(b.approver)) == 2


def test_hostile_names_and_subjects_give_well_formed_emails(clock):
    t = Tenant()
    # CR and LF never get into a name or a subject (the fronts refuse them) ...
    p = subprocess.run([os.path.join(os.environ["LINKCAMP_BIN"], "linkcamp"), "-c",
                        os.environ["LINKCAMP_CONFIG"], "workspace", "create", t.account,
                        "Evil\r\nBcc: x@evil.example"], capture_output=True, text=True)
    assert p.returncode != 0
    # ... but what they may hold still has to make one header line: a name at its limit of
    # 200 characters, 4-byte and right-to-left ones and U+2028 (a line separator to some)
    name = ("Ωmega \u2028 \u202e" + "🦊" * 100 + " Ünïcødé ").ljust(200, "é")[:200]
    ws = cli("workspace", "create", t.account, name)
    key = cli("key", "create", t.account, "--workspace", ws)
    cli("credits", "grant", ws, "1000")
    api = Api(key)
    s = Shop(t, ws=ws, api=api, name=name, subject="Ünïcødé ☕ " + "ж" * 300)
    s.first_email("Ünïcødé ☕ " + "ж" * 52 + "…")  # cut at 120 bytes, on a character
    outs = [s.send("Ωmega ✓ " + "ü" * 990), s.send("=?utf-8?q?not_encoded?=  two  spaces")]
    held_until(ws, outs, clock.start + INTERVAL_MS)
    clock(clock.start + INTERVAL_MS)
    mails = wait_for(lambda: len(notices(s.approver)) >= 2 and notices(s.approver))
    assert len(mails) == 2
    raws = [raw for raw, m in sink_messages() if m["X-Sink-Rcpt-To"] == s.approver]
    for raw in raws:
        head = raw.split(b"\r\n\r\n", 1)[0]
        assert all(len(line) <= 998 for line in head.split(b"\r\n"))
        assert max(head) < 0x80  # headers are 7-bit: the names went into encoded-words
        m = email.message_from_bytes(raw, policy=email.policy.default)
        assert not m.defects and all(not v.defects for k, v in m.items() if hasattr(v, "defects"))
        assert "\n" not in m["Subject"] and "\r" not in m["Subject"]
        assert len(m["Subject"].encode()) < 160
    m = mails[1]
    assert m["Subject"].startswith('Approval needed: 2 messages in "Ωmega ')
    assert m["Subject"].endswith('…"')
    assert links(m) == [(ws, o) for o in outs]
    text = m.get_content()
    assert "Subject: Ωmega ✓ üü" in text and "Subject: =?utf-8?q?not_encoded?=  two  spaces" in text


def dev(*args):
    subprocess.run([DEV, *args], check=True, timeout=180, capture_output=True)


def listening(port):
    """The sink answers again (its process starts before it listens)."""
    import socket
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
            return c.recv(3) == b"220"
    except OSError:
        return False


def test_a_refusing_relay_is_retried_one_email_per_gathered_batch(clock):
    t = Tenant()
    smtp_port = config_value("smtp", "port")
    dev("sink-stop", INSTANCE)
    try:
        s = Shop(t)
        # the first item's email cannot go: retried in 5 minutes, as one job
        assert wait_for(lambda: [r[1:3] for r in rows(t.ws)] == [["0", "1"]] and rows(t.ws)[0][4])
        assert rows(t.ws)[0][3] == sqltime(clock.start + 5 * 60 * 1000)
        outs = [s.send() for _ in range(2)]
        held_until(t.ws, outs, clock.start + INTERVAL_MS)
        clock(clock.start + INTERVAL_MS)
        # the gathered two fail together: one attempt each, one retry time
        retry = clock.start + INTERVAL_MS + 5 * 60 * 1000
        assert wait_for(lambda: [r[1:4] for r in rows(t.ws)][1:] == [["0", "1", sqltime(retry)]] * 2)
    finally:
        dev("sink-start", INSTANCE, smtp_port)
    assert wait_for(lambda: listening(int(smtp_port)))
    # the relay is back: each batch goes when its retry is due, still one email each
    clock(clock.start + 5 * 60 * 1000)
    mails = wait_for(lambda: notices(s.approver))
    assert len(mails) == 1 and links(mails[0]) == [(t.ws, s.first)]
    assert mails[0]["Subject"] == "Approval needed: " + s.subject
    clock(retry)
    mails = wait_for(lambda: len(notices(s.approver)) >= 2 and notices(s.approver))
    assert len(mails) == 2 and links(mails[1]) == [(t.ws, o) for o in outs]
    assert wait_for(lambda: [r[1:3] for r in rows(t.ws)] == [["2", "2"]] * 3)
    assert len(notices(s.approver)) == 2


def test_interval_0_mails_every_item_on_its_own(clock):
    from conftest import start_worker_process, stop_process

    t = Tenant()
    dev("worker-stop", INSTANCE)
    own = None
    try:
        own = start_worker_process("worker-notify-0.log", LINKCAMP_WORKER_NOTIFY_INTERVAL="0")
        s = Shop(t)
        s.first_email()
        outs = [s.send() for _ in range(3)]
        # the clock does not move: with no interval nothing waits for one
        mails = wait_for(lambda: len(notices(s.approver)) >= 4 and notices(s.approver))
        # one item each (mailer threads send side by side: in any order)
        assert sorted(links(m) for m in mails[1:]) == sorted([(t.ws, o)] for o in outs)
        assert all(m["Subject"].startswith("Approval needed: one more ") for m in mails[1:])
        assert wait_for(lambda: [r[1] for r in rows(t.ws)] == ["2"] * 4)
        assert len(notices(s.approver)) == 4
    finally:
        stop_process(own)
        dev("worker-start", INSTANCE)
