"""IMAP per mailbox (issue 16, docs/imap.md) against a real IMAP server: the Dovecot that
scripts/dev starts for the stack (IMAP with STARTTLS on SMTP+3, IMAPS on SMTP+4, the
stack's test CA, passwd-file users box1..box3@mailbox.test, Maildir under ./var). Each
test watches a folder of its own, so runs on a reused stack do not see each other's mail.
Mail is appended with Python's imaplib over the socket, as another mail client would."""
import base64
import imaplib
import json
import os
import signal
import socket
import ssl
import subprocess
import threading
import time
import uuid

import pytest

from conftest import (CONFIG, Tenant, assert_problem, config_value, sink_messages, sql,
                      start_worker_process, stop_process, wait_for, worker_pid)

JSON = {"Content-Type": "application/json"}
CAMPAIGN = "/v1/link-building/campaign"
VAR = os.path.dirname(os.path.dirname(CONFIG)) if CONFIG else ""
SUB = os.path.join(VAR, "submission")
DEV = os.environ.get("LINKCAMP_DEV", "")
INSTANCE = os.environ.get("LINKCAMP_INSTANCE", "test")


SMTP_PORT = int(config_value("smtp", "port")) if CONFIG else 0
IMAP_PORT, IMAPS_PORT = SMTP_PORT + 3, SMTP_PORT + 4


def password():
    with open(os.path.join(SUB, "password")) as f:
        return f.read().strip()


def tls_context():
    ctx = ssl.create_default_context(cafile=os.path.join(SUB, "ca.pem"))
    return ctx


def client(user="box1"):
    m = imaplib.IMAP4_SSL("localhost", IMAPS_PORT, ssl_context=tls_context())
    m.login(f"{user}@mailbox.test", password())
    return m


def new_folder(user="box1"):
    name = "t-" + uuid.uuid4().hex[:10]
    m = client(user)
    typ, _ = m.create(name)
    assert typ == "OK"
    m.logout()
    return name


def append(folder, raw, user="box1"):
    m = client(user)
    typ, data = m.append(folder, None, None, raw if isinstance(raw, bytes) else raw.encode())
    assert typ == "OK", data
    m.logout()


def mail(frm, to, subject, msgid=None, in_reply_to=None, body="Sounds good!", ctype="text/plain"):
    msgid = msgid or f"<{uuid.uuid4().hex}@prospect.example>"
    lines = [f"From: Prospect <{frm}>", f"To: {to}", f"Subject: {subject}",
             "Date: Thu, 26 Nov 2026 09:00:00 +0000", f"Message-ID: {msgid}",
             "MIME-Version: 1.0", f"Content-Type: {ctype}; charset=utf-8"]
    if in_reply_to:
        lines += [f"In-Reply-To: {in_reply_to}", f"References: {in_reply_to}"]
    return "\r\n".join(lines) + "\r\n\r\n" + body + "\r\n", msgid


def imap_body(folders, user="box1", **extra):
    imap = {"host": "localhost", "port": IMAPS_PORT, "security": "tls", "folders": folders}
    imap.update(extra)
    return {"fromName": "Sam Sender", "fromAddress": f"{user}@mailbox.test",
            "smtp": {"host": "localhost", "port": SMTP_PORT + 1, "security": "starttls",
                     "username": f"{user}@mailbox.test", "password": password()},
            "imap": imap}


def create(api, body):
    r = api.post("/v1/mailboxes", headers=JSON, data=json.dumps(body))
    assert r.status_code == 201, r.text
    return r.json()


def status_of(api, mid):
    return api.get(f"/v1/mailboxes/{mid}").json()


def stored(ws_public, msgids):
    ids = ",".join("'" + i.replace("'", "") + "'" for i in msgids)
    return sql("SELECT i.message_id_header, i.match_method FROM inbound_messages i "
               "JOIN workspaces w ON w.id = i.workspace_id "
               f"WHERE w.public_id = '{ws_public}' AND i.message_id_header IN ({ids})")


def checkpoint(mid, folder):
    return sql("SELECT f.uidvalidity, f.last_uid FROM mailbox_imap_folders f "
               f"JOIN mailboxes b ON b.id = f.mailbox_id WHERE b.public_id = '{mid}' "
               f"AND f.folder = '{folder}'")


@pytest.fixture(scope="module")
def t():
    t = Tenant()
    r = t.api.request("PUT", "/v1/workspace/policy", headers=JSON, data=json.dumps(
        {"approval": {"drafts": "auto", "sendEmail": "auto", "respond": "auto",
                      "autoResponses": "auto", "followUps": "auto"}}))
    assert r.status_code == 200, r.text
    return t


# ---- the API ----

def test_imap_settings_in_the_api(t):
    folder = new_folder()
    m = create(t.api, imap_body([folder, "Junk"]))
    assert m["imap"] == {"host": "localhost", "port": IMAPS_PORT, "security": "tls",
                         "username": None, "passwordSet": True, "ownPassword": False,
                         "folders": [folder, "Junk"]}
    assert m["imapStatus"] in ("pending", "syncing", "idle")
    assert password() not in json.dumps(m)
    # defaults: INBOX, port by security; the IMAP password sealed like the SMTP one
    r = t.api.request("PATCH", f"/v1/mailboxes/{m['id']}", headers=JSON, data=json.dumps(
        {"imap": {"security": "starttls", "username": "box1@mailbox.test",
                  "password": password()}}))
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["imap"]["port"] == 143 and p["imap"]["security"] == "starttls"
    assert p["imap"]["ownPassword"] is True and p["imap"]["folders"] == [folder, "Junk"]
    box = sql("SELECT HEX(i.password_box) FROM mailbox_imap i JOIN mailboxes b "
              f"ON b.id = i.mailbox_id WHERE b.public_id = '{m['id']}'")[0][0]
    assert password().encode().hex().upper() not in box
    listed = [x for x in t.api.get("/v1/mailboxes").json()["data"] if x["id"] == m["id"]][0]
    assert listed["imap"] == p["imap"] and listed["imapStatus"] == p["imapStatus"]
    # "imap": null removes it
    r = t.api.request("PATCH", f"/v1/mailboxes/{m['id']}", headers=JSON,
                      data=json.dumps({"imap": None}))
    assert r.status_code == 200 and r.json()["imap"] is None
    assert r.json()["imapStatus"] == "off" and r.json()["lastSyncAt"] is None
    t.api.request("DELETE", f"/v1/mailboxes/{m['id']}")


@pytest.mark.parametrize("imap,param", [
    ({"port": 993}, "imap.host"),
    ({"host": "bad host"}, "imap.host"),
    ({"host": "localhost", "security": "plain"}, "imap.security"),
    ({"host": "localhost", "port": 0}, "imap.port"),
    ({"host": "localhost", "folders": []}, "imap.folders"),
    ({"host": "localhost", "folders": ["INBOX", "INBOX"]}, "imap.folders[1]"),
    ({"host": "localhost", "folders": ["Spam*"]}, "imap.folders[0]"),
    ({"host": "localhost", "folders": ["INBOX", "Spam\u0085"]}, "imap.folders[1]"),
    ({"host": "localhost", "folders": ["é" * 101]}, "imap.folders[0]"),
    ({"host": "localhost", "folders": ["a", "b", "c", "d", "e", "f"]}, "imap.folders"),
    ({"host": "localhost", "delete": True}, "imap.delete"),
    ("localhost", "imap"),
])
def test_imap_validation(t, imap, param):
    body = imap_body(["INBOX"])
    body["imap"] = imap
    r = t.api.post("/v1/mailboxes", headers=JSON, data=json.dumps(body))
    assert_problem(r, 422, "validation_failed", param)


def test_a_mailbox_without_imap_is_off(t):
    body = imap_body(["INBOX"])
    del body["imap"]
    m = create(t.api, body)
    assert m["imap"] is None and m["imapStatus"] == "off" and m["lastError"] is None
    t.api.request("DELETE", f"/v1/mailboxes/{m['id']}")


# ---- the sync ----

@pytest.fixture(scope="module")
def sent(t):
    """A mailbox watching a folder of its own, and a campaign that sent from it."""
    folder = new_folder()
    m = create(t.api, imap_body([folder]))
    tag = uuid.uuid4().hex[:8]
    prospect = f"pat-{tag}@p-{tag}.example"
    r = t.api.post(CAMPAIGN, headers=JSON, data=json.dumps(
        {"type": "serp", "name": "imap " + tag, "targetUrl": "https://example.com/guide",
         "sender": "relay@agency.example", "mailboxIds": [m["id"]],
         "template": {"subject": "Hello {{contactFirstName}}", "body": "Hi there"},
         "prospects": [{"domain": f"p-{tag}.example", "contactName": "Pat",
                        "contactEmail": prospect}]}))
    assert r.status_code == 201, r.text
    got = wait_for(lambda: [x for _, x in sink_messages() if x["X-Sink-Rcpt-To"] == prospect])
    assert got, "the campaign's first email did not reach the sink"
    yield m, folder, prospect, got[0], r.json()["id"]
    t.api.request("DELETE", f"/v1/mailboxes/{m['id']}")  # its connection ends


def test_reply_arrives_through_idle_threads_and_stays_unread(t, sent):
    m, folder, prospect, first, cid = sent
    assert wait_for(lambda: status_of(t.api, m["id"])["imapStatus"] == "idle", 60), \
        status_of(t.api, m["id"])
    raw, msgid = mail(prospect, m["fromAddress"], "Re: " + str(first["Subject"]),
                      in_reply_to=first["Message-ID"])
    append(folder, raw)
    # IDLE wakes the sync; without it the next look is IMAP_IDLE_REFRESH_MS (5 min) away
    got = wait_for(lambda: stored(t.ws, [msgid]), 60)
    assert got and got[0][1] == "1", got  # matched by thread
    listed = t.api.get("/v1/link-building/inbound", query=f"campaignId={cid}").json()["data"]
    assert [x for x in listed if x["messageId"] == msgid and x["class"] == "reply"]
    s = status_of(t.api, m["id"])
    assert s["lastSyncAt"] and s["lastError"] is None
    # BODY.PEEK[] on an EXAMINEd folder: still unread, still there
    c = client()
    c.select(folder, readonly=True)
    typ, data = c.uid("FETCH", "1:*", "(FLAGS)")
    c.logout()
    assert typ == "OK" and data and data[0] is not None
    assert all(b"\\Seen" not in d for d in data), data


def test_uidvalidity_change_reads_again_without_duplicates(t, sent):
    m, _, prospect, _, _ = sent
    folder = new_folder()
    r = t.api.request("PATCH", f"/v1/mailboxes/{m['id']}", headers=JSON,
                      data=json.dumps({"imap": {"folders": [folder]}}))
    assert r.status_code == 200, r.text
    first = [mail(prospect, m["fromAddress"], f"note {i}") for i in range(3)]
    for raw, _ in first:
        append(folder, raw)
    ids = [i for _, i in first]
    assert wait_for(lambda: len(stored(t.ws, ids)) == 3, 60)
    before = wait_for(lambda: checkpoint(m["id"], folder), 30)
    assert before and before[0][1] == "3", before
    # the folder is made again: same name, a new UIDVALIDITY, the old mail plus one
    c = client()
    assert c.delete(folder)[0] == "OK" and c.create(folder)[0] == "OK"
    c.logout()
    extra, extra_id = mail(prospect, m["fromAddress"], "note 3")
    for raw, _ in first + [(extra, extra_id)]:
        append(folder, raw)
    assert wait_for(lambda: len(stored(t.ws, [extra_id])) == 1, 60)
    after = checkpoint(m["id"], folder)
    assert after[0][0] != before[0][0] and after[0][1] == "4", (before, after)
    assert len(stored(t.ws, ids + [extra_id])) == 4
    assert int(sql("SELECT COUNT(*) FROM inbound_messages i JOIN workspaces w ON "
                   f"w.id = i.workspace_id WHERE w.public_id = '{t.ws}' AND "
                   f"i.message_id_header IN ({','.join(repr(x) for x in ids)})")[0][0]) == 3


def test_a_40_mb_message_is_refused_from_its_size(t, sent):
    m, _, prospect, _, _ = sent
    folder = new_folder()
    r = t.api.request("PATCH", f"/v1/mailboxes/{m['id']}", headers=JSON,
                      data=json.dumps({"imap": {"folders": [folder]}}))
    assert r.status_code == 200, r.text
    big, big_id = mail(prospect, m["fromAddress"], "huge", body=("x" * 998 + "\r\n") * 42000)
    small, small_id = mail(prospect, m["fromAddress"], "after the huge one")
    append(folder, big)
    # the round that meets it says so in lastError, until the next round (which would
    # clear it: the refusal is a remark, not a failure), so it is read before more mail
    s = wait_for(lambda: (lambda x: x if "over the 10485760-byte limit: not fetched"
                          in (x["lastError"] or "") else None)(status_of(t.api, m["id"])), 120)
    assert s, status_of(t.api, m["id"])
    append(folder, small)
    assert wait_for(lambda: stored(t.ws, [small_id]), 120)
    assert stored(t.ws, [big_id]) == []
    assert checkpoint(m["id"], folder)[0][1] == "2"


def test_wrong_password_pauses_only_that_mailbox(t, sent):
    m, _, prospect, _, _ = sent
    folder = new_folder("box2")
    bad = create(t.api, imap_body([folder], user="box2", password="not the password"))
    assert wait_for(lambda: status_of(t.api, bad["id"])["imapStatus"] == "auth_failed", 60), \
        status_of(t.api, bad["id"])
    s = status_of(t.api, bad["id"])
    assert "login refused" in s["lastError"] and "not the password" not in json.dumps(s)
    # the other mailbox goes on
    good_folder = new_folder()
    r = t.api.request("PATCH", f"/v1/mailboxes/{m['id']}", headers=JSON,
                      data=json.dumps({"imap": {"folders": [good_folder]}}))
    assert r.status_code == 200
    raw, msgid = mail(prospect, m["fromAddress"], "still read")
    append(good_folder, raw)
    assert wait_for(lambda: stored(t.ws, [msgid]), 60)
    assert status_of(t.api, bad["id"])["imapStatus"] == "auth_failed"
    # the right password resumes it
    raw, msgid = mail(prospect, bad["fromAddress"], "to box2")
    append(folder, raw, user="box2")
    r = t.api.request("PATCH", f"/v1/mailboxes/{bad['id']}", headers=JSON,
                      data=json.dumps({"imap": {"password": password()}}))
    assert r.status_code == 200, r.text
    assert wait_for(lambda: stored(t.ws, [msgid]), 60)
    assert wait_for(lambda: status_of(t.api, bad["id"])["imapStatus"] == "idle", 30)
    t.api.request("DELETE", f"/v1/mailboxes/{bad['id']}")


def test_starttls_sync(t, sent):
    _, _, prospect, _, _ = sent
    folder = new_folder("box3")
    m = create(t.api, imap_body([folder], user="box3", port=IMAP_PORT, security="starttls"))
    raw, msgid = mail(prospect, m["fromAddress"], "over starttls")
    append(folder, raw, user="box3")
    assert wait_for(lambda: stored(t.ws, [msgid]), 60), status_of(t.api, m["id"])
    assert wait_for(lambda: status_of(t.api, m["id"])["imapStatus"] == "idle", 30)
    t.api.request("DELETE", f"/v1/mailboxes/{m['id']}")


def mutf7(name):
    """RFC 3501's modified UTF-7, written here on its own (from Python's UTF-16 and base64),
    so that the folder this test makes is named the way the RFC says, not the way
    linkcamp's encoder does."""
    out, run = [], []

    def close():
        if run:
            b = base64.b64encode("".join(run).encode("utf-16-be")).decode()
            out.append("&" + b.rstrip("=").replace("/", ",") + "-")
            run.clear()
    for ch in name:
        if 0x20 <= ord(ch) <= 0x7e:
            close()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    close()
    return "".join(out)


def test_a_folder_named_as_people_see_it_is_read(t, sent):
    """A folder whose name is outside ASCII, with an "&" and a character outside the BMP,
    given to the API as a mail client shows it: the sync says it to Dovecot in modified
    UTF-7 and reads what arrives there; the answer and the checkpoint keep the name as
    given."""
    _, _, prospect, _, _ = sent
    tag = uuid.uuid4().hex[:6]
    name = f"Courrier indésirable & suivis {tag} 日本 \U0001F4EC"
    c = client()
    assert c.create('"' + mutf7(name) + '"')[0] == "OK"
    c.logout()
    m = create(t.api, imap_body([name]))
    assert m["imap"]["folders"] == [name], m["imap"]
    raw, msgid = mail(prospect, m["fromAddress"], "in a folder named in UTF-8")
    append('"' + mutf7(name) + '"', raw)
    assert wait_for(lambda: stored(t.ws, [msgid]), 60), status_of(t.api, m["id"])
    s = status_of(t.api, m["id"])
    assert s["lastError"] is None and s["imap"]["folders"] == [name], s
    hexname = name.encode().hex()
    got = sql("SELECT f.last_uid FROM mailbox_imap_folders f JOIN mailboxes b ON "
              f"b.id = f.mailbox_id WHERE b.public_id = '{m['id']}' "
              f"AND f.folder = CONVERT(UNHEX('{hexname}') USING utf8mb4)")
    assert got == [["1"]], got
    t.api.request("DELETE", f"/v1/mailboxes/{m['id']}")


# ---- a hostile server ----

class HostileImap:
    """An IMAP server over TLS (the stack's test certificate for localhost) on an ephemeral
    port of 127.0.0.1 that serves three messages and misbehaves on the FETCH of the second
    as self.mode says: "drop" (the connection ends mid-literal), "garbage" (bytes that are
    not IMAP), "huge" (a literal announced as 99,999,999,999 bytes that never comes whole),
    "flood" (a literal far longer than the RFC822.SIZE announced), "trickle" (the literal
    comes a byte a second, so that no single wait times out), "ok" (behaves)."""

    def __init__(self, msgs):
        self.msgs = msgs  # [(uid, raw bytes)]
        self.mode = "drop"
        self.fetched = []
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(os.path.join(SUB, "server.pem"), os.path.join(SUB, "server.key"))
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stop = False
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.session, args=(conn,), daemon=True).start()

    def session(self, conn):
        try:
            s = self.ctx.wrap_socket(conn, server_side=True)
            f = s.makefile("rb")
            s.sendall(b"* OK [CAPABILITY IMAP4rev1 IDLE] hostile ready\r\n")
            while True:
                line = f.readline()
                if not line:
                    return
                tag, _, rest = line.decode(errors="replace").strip().partition(" ")
                cmd = rest.upper()
                if cmd.startswith("CAPABILITY"):
                    s.sendall(b"* CAPABILITY IMAP4rev1 IDLE\r\n" + tag.encode() + b" OK done\r\n")
                elif cmd.startswith("LOGIN"):
                    s.sendall(tag.encode() + b" OK logged in\r\n")
                elif cmd.startswith("EXAMINE"):
                    s.sendall(b"* %d EXISTS\r\n* OK [UIDVALIDITY 77] ok\r\n* OK [UIDNEXT %d] ok\r\n"
                              % (len(self.msgs), self.msgs[-1][0] + 1) +
                              tag.encode() + b" OK [READ-ONLY] examined\r\n")
                elif cmd.startswith("UID FETCH") and "RFC822.SIZE" in cmd:
                    start = int(cmd.split()[2].split(":")[0])
                    out = b""
                    for i, (uid, raw) in enumerate(self.msgs):
                        if uid >= start:
                            out += b"* %d FETCH (UID %d RFC822.SIZE %d)\r\n" % (i + 1, uid, len(raw))
                    s.sendall(out + tag.encode() + b" OK fetched\r\n")
                elif cmd.startswith("UID FETCH"):
                    uid = int(cmd.split()[2])
                    i, raw = [(i, r) for i, (u, r) in enumerate(self.msgs) if u == uid][0]
                    self.fetched.append(uid)
                    head = b"* %d FETCH (UID %d BODY[] " % (i + 1, uid)
                    if uid == self.msgs[1][0] and self.mode != "ok":
                        if self.mode == "drop":
                            s.sendall(head + b"{%d}\r\n" % len(raw) + raw[:len(raw) // 2])
                        elif self.mode == "garbage":
                            s.sendall(b"\x00\xff)))(((* * *\r\n" * 50)
                        elif self.mode == "huge":
                            s.sendall(head + b"{99999999999}\r\n" + b"y" * 100000)
                        elif self.mode == "trickle":
                            s.sendall(head + b"{%d}\r\n" % len(raw))
                            for i in range(300):  # a byte a second: each wait succeeds
                                s.sendall(raw[i:i + 1] or b"x")
                                time.sleep(1)
                        elif self.mode == "flood":
                            s.sendall(head + b"{%d}\r\n" % (len(raw) * 1000))
                            for _ in range(200):
                                s.sendall(b"z" * len(raw) * 5)
                        s.close()
                        return
                    s.sendall(head + b"{%d}\r\n" % len(raw) + raw + b")\r\n" +
                              tag.encode() + b" OK fetched\r\n")
                elif cmd.startswith("IDLE"):
                    s.sendall(b"+ idling\r\n")
                    f.readline()  # DONE
                    s.sendall(tag.encode() + b" OK idle done\r\n")
                elif cmd.startswith("LOGOUT"):
                    s.sendall(b"* BYE\r\n" + tag.encode() + b" OK bye\r\n")
                    return
                else:
                    s.sendall(tag.encode() + b" BAD what\r\n")
        except (OSError, ssl.SSLError, IndexError, ValueError):
            return
        finally:
            conn.close()

    def close(self):
        self.stop = True
        self.sock.close()


@pytest.mark.parametrize("mode", ["drop", "garbage", "huge", "flood", "trickle"])
def test_a_hostile_server_fails_the_round_and_nothing_else(t, sent, mode):
    _, _, prospect, _, _ = sent
    tag = uuid.uuid4().hex[:6]
    msgs = [(10 + i, mail(prospect, "box1@mailbox.test", f"hostile {tag} {i}",
                          msgid=f"<h{i}-{tag}@prospect.example>")[0].encode()) for i in range(3)]
    ids = [f"<h{i}-{tag}@prospect.example>" for i in range(3)]
    server = HostileImap(msgs)
    server.mode = mode
    pid = worker_pid()
    try:
        m = create(t.api, imap_body(["INBOX"], port=server.port))
        # trickle: the command's deadline (a minute, plus a second per 32 KiB announced)
        assert wait_for(lambda: status_of(t.api, m["id"])["imapStatus"] == "error", 180), \
            status_of(t.api, m["id"])
        s = status_of(t.api, m["id"])
        assert s["lastError"], s
        # the message before the bad one was stored and checkpointed; the bad one was not
        assert [r[0] for r in stored(t.ws, ids)] == [ids[0]]
        assert checkpoint(m["id"], "INBOX")[0] == ["77", "10"]
        os.kill(pid, 0)  # the worker lives on
        # the server mends: the retry (with backoff) reads the rest, each message once
        server.mode = "ok"
        assert wait_for(lambda: len(stored(t.ws, ids)) == 3, 120), status_of(t.api, m["id"])
        assert wait_for(lambda: status_of(t.api, m["id"])["imapStatus"] == "idle", 60)
        assert server.fetched.count(10) == 1 and server.fetched.count(12) == 1
        assert worker_pid() == pid
        os.kill(pid, 0)
        t.api.request("DELETE", f"/v1/mailboxes/{m['id']}")
    finally:
        server.close()


# ---- a worker killed mid-sync ----

def read_uids(log_name, mailbox_row_id, folder):
    """The UIDs a worker's debug log says it read from folder, in order."""
    path = os.path.join(os.environ.get("LINKCAMP_LOG_DIR", "/tmp"), log_name)
    needle = f"imap: mailbox {mailbox_row_id}: {folder} UID "
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            if needle in line:
                out.append(int(line.split(needle)[1].split()[0]))
    return out


def test_worker_killed_mid_sync_reads_each_message_once(t, sent):
    _, _, prospect, _, _ = sent
    n = 500
    tag = uuid.uuid4().hex[:8]
    logs = [f"imap-kill-{tag}-{i}.log" for i in range(2)]
    subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=60)
    workers = []
    try:
        workers.append(start_worker_process(logs[0], LINKCAMP_LOG_LEVEL="debug"))
        folder = new_folder("box3")
        m = create(t.api, imap_body([folder], user="box3"))
        row_id = sql(f"SELECT id FROM mailboxes WHERE public_id = '{m['id']}'")[0][0]
        assert wait_for(lambda: status_of(t.api, m["id"])["imapStatus"] == "idle", 60)
        ids = [f"<k{i}-{tag}@prospect.example>" for i in range(n)]
        c = client("box3")
        for i in range(n):
            raw, _ = mail(prospect, m["fromAddress"], f"bulk {i}", msgid=ids[i])
            assert c.append(folder, None, None, raw.encode())[0] == "OK"
        c.logout()
        # killed in the middle of reading them
        assert wait_for(lambda: len(stored(t.ws, ids)) >= 50, 120)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(30)
        at_kill = len(stored(t.ws, ids))
        assert 0 < at_kill < n, f"the sync was not caught mid-way ({at_kill})"
        # another worker takes the mailbox over when the dead one's lease ends
        workers.append(start_worker_process(logs[1], LINKCAMP_LOG_LEVEL="debug"))
        assert wait_for(lambda: len(stored(t.ws, ids)) == n, 240), len(stored(t.ws, ids))
        assert checkpoint(m["id"], folder)[0][1] == str(n)
        first, second = read_uids(logs[0], row_id, folder), read_uids(logs[1], row_id, folder)
        assert sorted(set(first) | set(second)) == list(range(1, n + 1))
        # the second worker starts after the last checkpoint: at most the one message the
        # kill caught between being stored and being checkpointed is read again
        assert len(set(first) & set(second)) <= 1, sorted(set(first) & set(second))
        assert len(first) == len(set(first)) and len(second) == len(set(second))
        assert int(sql("SELECT COUNT(*) FROM inbound_messages i JOIN workspaces w ON "
                       f"w.id = i.workspace_id WHERE w.public_id = '{t.ws}' AND "
                       f"i.message_id_header LIKE '%-{tag}@prospect.example>'")[0][0]) == n
        t.api.request("DELETE", f"/v1/mailboxes/{m['id']}")
    finally:
        try:
            for w in workers[1:]:
                stop_process(w)
        finally:
            subprocess.run([DEV, "worker-start", INSTANCE], check=True, timeout=60)


def test_cli_mailbox_add_with_imap(t, sent):
    from conftest import cli
    _, _, prospect, _, _ = sent
    folder = new_folder("box2")
    added = cli("mailbox", "add", t.ws, "--from", "box2@mailbox.test", "--host", "localhost",
                "--port", str(SMTP_PORT + 1), "--username", "box2@mailbox.test",
                "--imap-host", "localhost", "--imap-port", str(IMAP_PORT),
                "--imap-security", "starttls", "--imap-folder", folder,
                "--password-stdin", "--imap-password-stdin",
                stdin=password() + "\n" + password() + "\n")
    assert added.startswith("mbx_")
    got = status_of(t.api, added)
    assert got["imap"]["ownPassword"] is True and got["imap"]["folders"] == [folder]
    raw, msgid = mail(prospect, "box2@mailbox.test", "via the cli's mailbox")
    append(folder, raw, user="box2")
    assert wait_for(lambda: stored(t.ws, [msgid]), 60), status_of(t.api, added)
    line = wait_for(lambda: [x for x in cli("mailbox", "list", t.ws).splitlines()
                             if x.startswith(added) and "imap idle" in x], 30)
    assert line and password() not in line[0]
    t.api.request("DELETE", f"/v1/mailboxes/{added}")


def test_the_mailboxes_page_shows_the_imap_state(t):
    import html
    from conftest import URL, cli, sign_in

    folder = new_folder("box2")
    bad = create(t.api, imap_body([folder], user="box2", password="page-" + uuid.uuid4().hex))
    good = create(t.api, imap_body([new_folder()]))
    assert wait_for(lambda: status_of(t.api, bad["id"])["imapStatus"] == "auth_failed", 60)
    assert wait_for(lambda: status_of(t.api, good["id"])["imapStatus"] == "idle", 60)
    pw = "correct horse battery staple"
    email = f"imap.{uuid.uuid4().hex[:8]}@agency.example"
    cli("user", "add", email, "--workspace", t.ws, "--role", "approver", "--password-stdin",
        stdin=pw + "\n")
    s = sign_in(email, pw)
    r = s.get(f"{URL}/app/w/{t.ws}/mailboxes", timeout=30)
    assert r.status_code == 200, r.text
    text = html.unescape(r.text)
    rows = {m: text[text.index(m):] for m in (bad["id"], good["id"])}
    assert "auth_failed" in rows[bad["id"]].split("</tr>")[0]
    assert "login refused" in rows[bad["id"]].split("</tr>")[0]
    assert "idle" in rows[good["id"]].split("</tr>")[0]
    assert "last sync" in rows[good["id"]].split("</tr>")[0]
    assert "page-" not in r.text and password() not in r.text
    for m in (bad, good):
        t.api.request("DELETE", f"/v1/mailboxes/{m['id']}")


def test_the_demo_script_threads_a_reply_read_over_imap():
    """scripts/dev up runs scripts/demo-imap.py on the demo account; here it runs on a
    tenant of its own (the test stack's demo account is counted by other tests)."""
    from conftest import MAILDIR, URL
    t = Tenant()
    folder = new_folder("box2")
    p = subprocess.run([os.path.join(os.path.dirname(DEV), "demo-imap.py"), URL, t.key,
                        t.approver_key, SUB, str(SMTP_PORT), MAILDIR, folder],
                       capture_output=True, text=True, timeout=400)
    assert p.returncode == 0, p.stderr
    env = dict(line.split("=", 1) for line in p.stdout.split())
    mbx = status_of(t.api, env["LINKCAMP_DEMO_IMAP_MAILBOX_ID"])
    assert mbx["imap"]["folders"] == [folder] and mbx["lastSyncAt"]
    reply = t.api.get(f"/v1/link-building/inbound/{env['LINKCAMP_DEMO_IMAP_REPLY_ID']}").json()
    assert reply["class"] == "reply" and reply["matchedBy"] == "thread"
    assert reply["campaignId"] == env["LINKCAMP_DEMO_IMAP_CAMPAIGN_ID"]
    assert password() not in p.stdout + p.stderr


# ---- the sync's threads under helgrind ----

def test_imap_threads_are_clean_under_helgrind(t, sent):
    """The watcher, the fetchers and libetpan under Valgrind's helgrind (the release build,
    as test_worker_helgrind): two mailboxes read at once, one through IDLE, a SIGTERM while
    idling; no data race, no lock-order problem."""
    import re
    _, _, prospect, _, _ = sent
    here = os.path.dirname(os.path.abspath(__file__))
    release = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(DEV))), "build",
                           "release", "linkcamp-worker")
    log = os.path.join(os.environ.get("LINKCAMP_LOG_DIR", "/tmp"),
                       f"helgrind-imap-{uuid.uuid4().hex[:6]}.log")
    folders = [new_folder("box1"), new_folder("box3")]
    out = open(log + ".out", "ab")
    subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=60)
    worker, boxes = None, []
    try:
        worker = subprocess.Popen(["valgrind", "--tool=helgrind", f"--log-file={log}",
                                   f"--suppressions={here}/helgrind.supp", release, "-c", CONFIG],
                                  env=dict(os.environ, LINKCAMP_LOG_LEVEL="info", G_SLICE="always-malloc"),
                                  stdout=out, stderr=out)
        # helgrind starts slowly on a loaded machine: wait for the worker's first line
        assert wait_for(lambda: os.path.getsize(log + ".out") > 0, 900)
        boxes = [create(t.api, imap_body([folders[0]], user="box1")),
                 create(t.api, imap_body([folders[1]], user="box3", port=IMAP_PORT,
                                         security="starttls"))]
        ids = []
        for (folder, user) in zip(folders, ("box1", "box3")):
            for i in range(3):
                # one HTML-only mail each: the fetchers run libxml2's parser side by side
                raw, msgid = mail(prospect, f"{user}@mailbox.test", f"hg {i}",
                                  **({"body": "<p>Sounds <b>good</b>!</p>", "ctype": "text/html"}
                                     if i == 1 else {}))
                append(folder, raw, user=user)
                ids.append(msgid)
        assert wait_for(lambda: len(stored(t.ws, ids)) == len(ids), 600), \
            [status_of(t.api, b["id"]) for b in boxes]
        assert wait_for(lambda: all(status_of(t.api, b["id"])["imapStatus"] == "idle"
                                    for b in boxes), 300)
        stop_process(worker, timeout=300)
    finally:
        if worker and worker.poll() is None:
            worker.kill()
        out.close()
        subprocess.run([DEV, "worker-start", INSTANCE], check=True, timeout=60)
        for b in boxes:
            t.api.request("DELETE", f"/v1/mailboxes/{b['id']}")
    with open(log) as f:
        report = f.read()
    summary = re.findall(r"ERROR SUMMARY: (\d+) errors", report)
    assert summary and summary[-1] == "0", report[-6000:]
