"""Sender mailboxes (issue 15, docs/mailboxes.md): /v1/mailboxes, campaigns' mailboxIds,
rotation and sticky threads, delivery through a real submission server (Dovecot
submission started by scripts/dev: STARTTLS required, AUTH PLAIN/LOGIN, a test CA made at
start, relaying to the sink), the pause after an AUTH failure, the connection test, a
server whose certificate comes from another CA, and the password kept out of answers,
logs and tables."""
import json
import os
import socket
import ssl
import subprocess
import threading
import uuid
from http.server import BaseHTTPRequestHandler

import pytest

from conftest import (CONFIG, LocalHttp, Tenant, assert_problem, cli, config_value, db_socket,
                      sink_messages, sql, wait_for)

JSON = {"Content-Type": "application/json"}
CAMPAIGN = "/v1/link-building/campaign"
LOG_DIR = os.environ.get("LINKCAMP_LOG_DIR", "")
VAR = os.path.dirname(os.path.dirname(CONFIG)) if CONFIG else ""
SUB = os.path.join(VAR, "submission")


SUB_PORT = int(config_value("smtp", "port")) + 1 if CONFIG else 0


def sub_password():
    with open(os.path.join(SUB, "password")) as f:
        return f.read().strip()


def mailbox_body(user="box1", password=None, **extra):
    body = {
        "fromName": "Sam Sender",
        "fromAddress": f"{user}@mailbox.test",
        "replyTo": f"replies+{user}@mailbox.test",
        "smtp": {"host": "localhost", "port": SUB_PORT, "security": "starttls",
                 "username": f"{user}@mailbox.test",
                 "password": password if password is not None else sub_password()},
    }
    body.update(extra)
    return body


def create_mailbox(api, **kw):
    r = api.post("/v1/mailboxes", headers=JSON, data=json.dumps(mailbox_body(**kw)))
    assert r.status_code == 201, r.text
    return r.json()


def auto_policy(api):
    r = api.request("PUT", "/v1/workspace/policy", headers=JSON, data=json.dumps(
        {"approval": {"drafts": "auto", "sendEmail": "auto", "respond": "auto",
                      "autoResponses": "auto", "followUps": "auto"}}))
    assert r.status_code == 200, r.text


def new_campaign(api, mailbox_ids, prospects, **extra):
    body = {"type": "serp", "name": "mbx " + uuid.uuid4().hex[:6],
            "targetUrl": "https://example.com/guide", "sender": "relay@agency.example",
            "template": {"subject": "Hello {{contactFirstName}}", "body": "Hi there"},
            "prospects": prospects, "mailboxIds": mailbox_ids}
    body.update(extra)
    r = api.post(CAMPAIGN, headers=JSON, data=json.dumps(body))
    assert r.status_code == 201, r.text
    return r.json()


def prospects(n, tag):
    return [{"domain": f"p{i}-{tag}.example", "contactName": f"Pat {i}",
             "contactEmail": f"pat{i}-{tag}@p{i}-{tag}.example"} for i in range(n)]


def received(to):
    return [m for _, m in sink_messages() if m["To"] and to in str(m["To"])]


def message_rows(campaign_id):
    return sql("SELECT o.public_id, o.status, COALESCE(b.public_id, ''), o.to_email, "
               "COALESCE(o.last_error, '') FROM outbound_messages o "
               "JOIN campaigns c ON c.id = o.campaign_id "
               "LEFT JOIN mailboxes b ON b.id = o.mailbox_id "
               f"WHERE c.public_id = '{campaign_id}' ORDER BY o.id")


@pytest.fixture(scope="module")
def t():
    t = Tenant()
    auto_policy(t.api)
    return t


# ---- the API ----

def test_create_get_list_patch_delete(t):
    m = create_mailbox(t.api)
    assert m["id"].startswith("mbx_")
    assert m["fromAddress"] == "box1@mailbox.test" and m["fromName"] == "Sam Sender"
    assert m["replyTo"] == "replies+box1@mailbox.test"
    assert m["smtp"] == {"host": "localhost", "port": SUB_PORT, "security": "starttls",
                         "username": "box1@mailbox.test", "passwordSet": True}
    assert m["status"] == "active" and m["pausedReason"] is None and m["dailyCap"] == 50
    assert m["sentToday"] == 0
    assert "password" not in json.dumps(m).replace("passwordSet", "")

    got = t.api.get(f"/v1/mailboxes/{m['id']}")
    assert got.status_code == 200 and got.json() == m
    listed = t.api.get("/v1/mailboxes").json()
    assert m["id"] in [x["id"] for x in listed["data"]]
    assert listed["total"] == len(listed["data"]) and listed["nextCursor"] is None

    r = t.api.request("PATCH", f"/v1/mailboxes/{m['id']}", headers=JSON,
                      data=json.dumps({"dailyCap": 7, "replyTo": None,
                                       "smtp": {"password": "another secret"}}))
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["dailyCap"] == 7 and p["replyTo"] is None and p["smtp"]["passwordSet"] is True
    assert p["smtp"]["host"] == "localhost" and p["fromAddress"] == m["fromAddress"]

    # another workspace's mailbox is a missing one
    for method in ("GET", "PATCH", "DELETE"):
        r = t.api2.request(method, f"/v1/mailboxes/{m['id']}", headers=JSON, data="{}")
        assert_problem(r, 404, "mailbox_not_found")
    assert_problem(t.api2.post(f"/v1/mailboxes/{m['id']}/test", headers=JSON, data="{}"), 404,
                   "mailbox_not_found")
    assert m["id"] not in [x["id"] for x in t.api2.get("/v1/mailboxes").json()["data"]]

    assert t.api.request("DELETE", f"/v1/mailboxes/{m['id']}").status_code == 204
    assert_problem(t.api.get(f"/v1/mailboxes/{m['id']}"), 404, "mailbox_not_found")


@pytest.mark.parametrize("change,param", [
    ({"fromAddress": "not an address"}, "fromAddress"),
    ({"fromAddress": None}, "fromAddress"),
    ({"replyTo": "nope"}, "replyTo"),
    ({"dailyCap": 0}, "dailyCap"),
    ({"color": "blue"}, "color"),
    ({"smtp": {"host": "localhost", "port": 70000, "username": "u", "password": "p"}},
     "smtp.port"),
    ({"smtp": {"host": "bad host", "username": "u", "password": "p"}}, "smtp.host"),
    ({"smtp": {"host": "localhost", "username": "u", "password": "p", "security": "ssl"}},
     "smtp.security"),
    # plain SMTP is refused unless the operator allows it ([mailboxes] allow_plain = no here)
    ({"smtp": {"host": "localhost", "username": "u", "password": "p", "security": "plain"}},
     "smtp.security"),
    ({"smtp": {"host": "localhost", "username": "u"}}, "smtp.password"),
    ({"smtp": {"host": "localhost", "username": "u", "password": "p", "pass": "x"}},
     "smtp.pass"),
])
def test_validation(t, change, param):
    body = mailbox_body()
    for k, v in change.items():
        if v is None:
            body.pop(k)
        else:
            body[k] = v
    r = t.api.post("/v1/mailboxes", headers=JSON, data=json.dumps(body))
    assert_problem(r, 422, "validation_failed", param)
    assert sub_password() not in r.text


def test_idempotency_key_replays_the_creation(t):
    h = dict(JSON, **{"Idempotency-Key": "mbx-" + uuid.uuid4().hex})
    body = json.dumps(mailbox_body(user="box2"))
    first = t.api.post("/v1/mailboxes", headers=h, data=body)
    second = t.api.post("/v1/mailboxes", headers=h, data=body)
    assert first.status_code == 201 and second.status_code == 201
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert first.content == second.content
    other = t.api.post("/v1/mailboxes", headers=h, data=json.dumps(mailbox_body(user="box3")))
    assert_problem(other, 422, "idempotency_key_reused")
    t.api.request("DELETE", f"/v1/mailboxes/{first.json()['id']}")


def test_campaign_mailbox_ids_are_this_workspaces(t):
    m = create_mailbox(t.api)
    theirs = create_mailbox(t.api2)
    c = new_campaign(t.api, [m["id"]], [])
    assert c["mailboxIds"] == [m["id"]]
    assert t.api.get(f"{CAMPAIGN}/{c['id']}").json()["mailboxIds"] == [m["id"]]

    r = t.api.post(CAMPAIGN, headers=JSON, data=json.dumps(
        {"type": "serp", "name": "x", "targetUrl": "https://example.com/", "sender": "a@b.example",
         "template": {"subject": "s", "body": "b"}, "prospects": [],
         "mailboxIds": [m["id"], theirs["id"]]}))
    assert_problem(r, 422, "validation_failed", "mailboxIds[1]")
    r = t.api.request("PATCH", f"{CAMPAIGN}/{c['id']}", headers=JSON,
                      data=json.dumps({"mailboxIds": [theirs["id"]]}))
    assert_problem(r, 422, "validation_failed", "mailboxIds[0]")
    r = t.api.request("PATCH", f"{CAMPAIGN}/{c['id']}", headers=JSON,
                      data=json.dumps({"mailboxIds": [m["id"], m["id"]]}))
    assert_problem(r, 422, "validation_failed", "mailboxIds[1]")
    assert_problem(t.api2.request("PATCH", f"{CAMPAIGN}/{c['id']}", headers=JSON,
                                  data=json.dumps({"mailboxIds": []})), 404, "campaign_not_found")

    r = t.api.request("PATCH", f"{CAMPAIGN}/{c['id']}", headers=JSON,
                      data=json.dumps({"mailboxIds": []}))
    assert r.status_code == 200 and r.json()["mailboxIds"] == []
    # deleting a mailbox takes it out of the campaigns that named it
    t.api.request("PATCH", f"{CAMPAIGN}/{c['id']}", headers=JSON,
                  data=json.dumps({"mailboxIds": [m["id"]]}))
    assert t.api.request("DELETE", f"/v1/mailboxes/{m['id']}").status_code == 204
    assert t.api.get(f"{CAMPAIGN}/{c['id']}").json()["mailboxIds"] == []
    t.api2.request("DELETE", f"/v1/mailboxes/{theirs['id']}")


# ---- delivery through the submission server ----

def test_a_mailbox_with_the_right_password_delivers_through_its_server(t):
    tag = uuid.uuid4().hex[:6]
    m = create_mailbox(t.api, user="box1")
    c = new_campaign(t.api, [m["id"]], prospects(1, tag))
    to = f"pat0-{tag}@"
    msgs = wait_for(lambda: received(to), timeout=30)
    assert len(msgs) == 1, message_rows(c["id"])
    mail = msgs[0]
    assert mail["From"].addresses[0].addr_spec == "box1@mailbox.test"
    assert mail["From"].addresses[0].display_name == "Sam Sender"
    assert str(mail["Reply-To"]) == "replies+box1@mailbox.test"
    # it went through Dovecot's submission service, authenticated over TLS
    assert "with ESMTPSA" in str(mail["Received"]), mail["Received"]
    rows = message_rows(c["id"])
    assert rows[0][1] == "3" and rows[0][2] == m["id"], rows  # sent, from that mailbox
    assert wait_for(lambda: t.api.get(f"/v1/mailboxes/{m['id']}").json()["sentToday"] == 1)


def test_threads_rotate_over_mailboxes_and_stick_to_the_first(t):
    tag = uuid.uuid4().hex[:6]
    a = create_mailbox(t.api, user="box2")
    b = create_mailbox(t.api, user="box3")
    c = new_campaign(t.api, [a["id"], b["id"]], prospects(4, tag))
    assert wait_for(lambda: len([r for r in message_rows(c["id"]) if r[1] == "3"]) == 4,
                    timeout=40), message_rows(c["id"])
    first = {r[3]: r[2] for r in message_rows(c["id"])}
    assert sorted(first.values()) == sorted([a["id"], a["id"], b["id"], b["id"]]), first

    # a second email to a prospect leaves from the mailbox of its first
    rels = t.api.get("/v1/link-building/crm/relationship", query=f"campaignId={c['id']}").json()
    rel = rels["data"][0]
    r = t.api.post(f"{CAMPAIGN}/{c['id']}/send-email", headers=JSON,
                   data=json.dumps({"relationshipId": rel["id"], "subject": "Following up",
                                    "body": "Any thoughts?"}))
    assert r.status_code == 202, r.text
    assert wait_for(lambda: len([x for x in message_rows(c["id"]) if x[1] == "3"]) == 5,
                    timeout=30), message_rows(c["id"])
    rows = [x for x in message_rows(c["id"]) if x[3] == rel["contactEmail"]]
    assert len(rows) == 2 and rows[0][2] == rows[1][2] == first[rel["contactEmail"]], rows
    froms = {m["From"].addresses[0].addr_spec for m in received(rel["contactEmail"])}
    assert froms == {a["fromAddress"] if first[rel["contactEmail"]] == a["id"]
                     else b["fromAddress"]}


def test_a_workspace_without_mailboxes_keeps_the_relay(t):
    tag = uuid.uuid4().hex[:6]
    c = new_campaign(t.api, [], prospects(1, tag))
    msgs = wait_for(lambda: received(f"pat0-{tag}@"), timeout=30)
    assert len(msgs) == 1
    assert msgs[0]["From"].addresses[0].addr_spec == "relay@agency.example"
    assert "ESMTPSA" not in str(msgs[0]["Received"] or "")
    assert message_rows(c["id"])[0][2] == ""


class Receiver(LocalHttp):
    def __init__(self):
        self.hits = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                receiver.hits.append((self.path, json.loads(self.rfile.read(n))))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        LocalHttp.__init__(self, Handler)


def test_an_auth_failure_pauses_the_mailbox_and_holds_its_mail_until_resumed(t):
    rx = Receiver()
    try:
        hook = t.api.post("/v1/webhooks", headers=JSON, data=json.dumps(
            {"url": rx.url("/mbx"), "events": ["link_building.mailbox.paused"]}))
        assert hook.status_code == 201, hook.text
        tag = uuid.uuid4().hex[:6]
        wrong = "wrong-" + uuid.uuid4().hex
        m = create_mailbox(t.api, user="box1", password=wrong)
        c = new_campaign(t.api, [m["id"]], prospects(1, tag))

        paused = wait_for(lambda: (lambda x: x if x["status"] == "paused" else None)(
            t.api.get(f"/v1/mailboxes/{m['id']}").json()), timeout=30)
        assert paused, message_rows(c["id"])
        # the reason in the server's words
        assert "535" in paused["pausedReason"] and "Authentication failed" in paused["pausedReason"]
        assert paused["pausedAt"]
        rows = wait_for(lambda: [r for r in message_rows(c["id"]) if r[1] == "8"], timeout=30)
        assert rows and "Authentication failed" in rows[0][4], message_rows(c["id"])  # held
        assert t.api.get(f"{CAMPAIGN}/{c['id']}").json()["status"] == "active"
        assert not received(f"pat0-{tag}@")

        hits = wait_for(lambda: rx.hits, timeout=30)
        assert hits and hits[0][1]["type"] == "link_building.mailbox.paused"
        assert hits[0][1]["data"]["mailboxId"] == m["id"]
        assert "535" in hits[0][1]["data"]["reason"]

        # the message stays held (not failed) while the mailbox is paused
        assert message_rows(c["id"])[0][1] == "8"
        r = t.api.request("PATCH", f"/v1/mailboxes/{m['id']}", headers=JSON,
                          data=json.dumps({"smtp": {"password": sub_password()}}))
        assert r.status_code == 200 and r.json()["status"] == "paused"
        r = t.api.post(f"/v1/mailboxes/{m['id']}/resume", headers=JSON, data="{}")
        assert r.status_code == 200 and r.json()["status"] == "active", r.text
        assert_problem(t.api.post(f"/v1/mailboxes/{m['id']}/resume", headers=JSON, data="{}"),
                       409, "already_active")
        msgs = wait_for(lambda: received(f"pat0-{tag}@"), timeout=30)
        assert len(msgs) == 1 and msgs[0]["From"].addresses[0].addr_spec == "box1@mailbox.test"
        assert wait_for(lambda: message_rows(c["id"])[0][1] == "3")
    finally:
        rx.stop()


# ---- the connection test ----

def steps_of(api, r):
    """The answer of POST /v1/mailboxes/{id}/test is 202 at once (no FastCGI thread waits
    on a remote server) with the test's id and Location; the client polls that."""
    assert r.status_code == 202, r.text
    started = r.json()
    assert started["status"] == "running" and started["id"].startswith("mbt_"), started
    where = r.headers["Location"]
    assert where == f"/v1/mailboxes/{started['mailboxId']}/tests/{started['id']}", where
    assert r.headers["Retry-After"] == "1"
    got = wait_for(lambda: (lambda x: x.status_code == 200 and x)(api.get(where)), timeout=60)
    assert got, api.get(where).text
    body = got.json()
    assert body["status"] == "done" and body["id"] == started["id"]
    return body, [(s["step"], s["ok"]) for s in body["steps"]], body["steps"]


def test_the_connection_test_reports_each_step(t):
    m = create_mailbox(t.api, user="box2")
    body, steps, raw = steps_of(t.api, t.api.post(f"/v1/mailboxes/{m['id']}/test", headers=JSON,
                                           data="{}"))
    assert body["ok"] is True
    assert steps == [("connect", True), ("greeting", True), ("ehlo", True), ("starttls", True),
                     ("tls", True), ("ehlo", True), ("auth", True), ("quit", True)], raw
    replies = {s["step"]: s for s in raw}
    assert replies["greeting"]["code"] == 220 and "Dovecot" in replies["greeting"]["reply"]
    assert replies["starttls"]["code"] == 220
    assert "certificate verified for localhost" in replies["tls"]["reply"]
    assert replies["auth"]["code"] == 235 and replies["quit"]["code"] == 221
    later = t.api.get(f"/v1/mailboxes/{m['id']}/tests/{body['id']}")
    assert later.status_code == 200 and later.json() == body
    # a test sends nothing and changes nothing
    assert t.api.get(f"/v1/mailboxes/{m['id']}").json()["sentToday"] == 0

    bad = create_mailbox(t.api, user="box2", password="wrong-" + uuid.uuid4().hex)
    body, steps, raw = steps_of(t.api, t.api.post(f"/v1/mailboxes/{bad['id']}/test", headers=JSON,
                                           data="{}"))
    assert body["ok"] is False
    assert steps[-2:] == [("auth", False), ("quit", True)], raw
    auth = [s for s in raw if s["step"] == "auth"][0]
    assert auth["code"] == 535 and "Authentication failed" in auth["reply"]
    # a test does not pause the mailbox: only a failed delivery does
    assert t.api.get(f"/v1/mailboxes/{bad['id']}").json()["status"] == "active"

    # implicit TLS (the port after the STARTTLS one)
    tls = create_mailbox(t.api, user="box2")
    r = t.api.request("PATCH", f"/v1/mailboxes/{tls['id']}", headers=JSON, data=json.dumps(
        {"smtp": {"security": "tls", "port": SUB_PORT + 1}}))
    assert r.status_code == 200
    body, steps, raw = steps_of(t.api, t.api.post(f"/v1/mailboxes/{tls['id']}/test", headers=JSON,
                                           data="{}"))
    assert steps == [("connect", True), ("tls", True), ("greeting", True), ("ehlo", True),
                     ("auth", True), ("quit", True)], raw


class OtherCaServer:
    """An SMTP server on 127.0.0.1 whose certificate (for localhost) comes from a CA of its
    own, not the test CA linkcamp trusts. It offers STARTTLS and accepts any AUTH."""

    def __init__(self, tmp):
        d = str(tmp)
        run = lambda *a: subprocess.run(a, cwd=d, check=True, capture_output=True)
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            "/CN=someone else's CA", "-keyout", "ca.key", "-out", "ca.pem")
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", "srv.key", "-out", "srv.csr")
        with open(os.path.join(d, "ext"), "w") as f:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
        run("openssl", "x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "ext", "-out", "srv.pem")
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(os.path.join(d, "srv.pem"), os.path.join(d, "srv.key"))
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.auths = 0
        self.mails = 0
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.session, args=(conn,), daemon=True).start()

    def session(self, conn):
        try:
            f = conn.makefile("rwb")
            f.write(b"220 other.example ESMTP\r\n"), f.flush()
            while True:
                line = f.readline()
                if not line:
                    return
                cmd = line.strip().upper()
                if cmd.startswith(b"EHLO"):
                    f.write(b"250-other.example\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n")
                elif cmd == b"STARTTLS":
                    f.write(b"220 go ahead\r\n"), f.flush()
                    conn = self.ctx.wrap_socket(conn, server_side=True)
                    f = conn.makefile("rwb")
                    continue
                elif cmd.startswith(b"AUTH"):
                    self.auths += 1
                    f.write(b"235 ok\r\n")
                elif cmd.startswith(b"MAIL"):
                    self.mails += 1
                    f.write(b"250 ok\r\n")
                elif cmd == b"QUIT":
                    f.write(b"221 bye\r\n"), f.flush()
                    return
                else:
                    f.write(b"250 ok\r\n")
                f.flush()
        except (OSError, ssl.SSLError):
            return
        finally:
            conn.close()

    def stop(self):
        self.sock.close()


def test_a_server_whose_certificate_comes_from_another_ca_is_refused(t, tmp_path):
    srv = OtherCaServer(tmp_path)
    try:
        m = create_mailbox(t.api, user="box1")
        r = t.api.request("PATCH", f"/v1/mailboxes/{m['id']}", headers=JSON,
                          data=json.dumps({"smtp": {"port": srv.port}}))
        assert r.status_code == 200
        body, steps, raw = steps_of(t.api, t.api.post(f"/v1/mailboxes/{m['id']}/test", headers=JSON,
                                               data="{}"))
        assert body["ok"] is False
        assert ("tls", False) in steps and "auth" not in [s for s, _ in steps], raw
        tls = [s for s in raw if s["step"] == "tls"][0]
        assert "certificate refused" in tls["reply"], tls

        # delivery refuses it too: nothing reaches the server after STARTTLS
        tag = uuid.uuid4().hex[:6]
        c = new_campaign(t.api, [m["id"]], prospects(1, tag))
        row = wait_for(lambda: [r for r in message_rows(c["id"]) if r[1] == "9"], timeout=30)
        assert row and "certificate" in row[0][4], message_rows(c["id"])  # deferred
        assert srv.auths == 0 and srv.mails == 0
        t.api.request("DELETE", f"/v1/mailboxes/{m['id']}")
        cli_cancel = t.api.post(f"{CAMPAIGN}/{c['id']}/cancel", headers=JSON, data="{}")
        assert cli_cancel.status_code in (200, 202), cli_cancel.text
    finally:
        srv.stop()


# ---- the CLI ----

def test_cli_mailbox_add_list_test(t):
    added = cli("mailbox", "add", t.ws, "--from", "box3@mailbox.test", "--from-name", "Cli Box",
                "--host", "localhost", "--port", str(SUB_PORT), "--security", "starttls",
                "--username", "box3@mailbox.test", "--daily-cap", "9", "--password-stdin",
                stdin=sub_password() + "\n")
    assert added.startswith("mbx_")
    listed = cli("mailbox", "list", t.ws)
    line = [x for x in listed.splitlines() if x.startswith(added)][0]
    assert "box3@mailbox.test" in line and "starttls" in line and "cap 9" in line
    assert sub_password() not in listed
    out = cli("mailbox", "test", t.ws, added)
    assert "auth      ok   235" in out and out.endswith("the mailbox can send"), out
    bad = cli("mailbox", "add", t.ws, "--from", "x@mailbox.test", "--host", "localhost",
              "--username", "x", "--security", "plain", "--password-stdin", stdin="p\n",
              check=False)
    assert bad.returncode == 65 and "smtp.security" in bad.stderr
    assert t.api.get(f"/v1/mailboxes/{added}").json()["fromName"] == "Cli Box"


# ---- the password stays secret ----

def test_passwords_appear_in_no_answer_log_or_table(t):
    secret = "s3cret-" + uuid.uuid4().hex
    m = create_mailbox(t.api, user="box1", password=secret)
    answers = [t.api.get(f"/v1/mailboxes/{m['id']}").text, t.api.get("/v1/mailboxes").text]
    answers.append(t.api.post(f"/v1/mailboxes/{m['id']}/test", headers=JSON, data="{}").text)
    tag = uuid.uuid4().hex[:6]
    c = new_campaign(t.api, [m["id"]], prospects(1, tag))
    assert wait_for(lambda: t.api.get(f"/v1/mailboxes/{m['id']}").json()["status"] == "paused",
                    timeout=30)
    answers.append(t.api.get(f"/v1/mailboxes/{m['id']}").text)
    answers.append(t.api.get(f"{CAMPAIGN}/{c['id']}").text)
    for a in answers:
        assert secret not in a
    good = sub_password()

    for name in os.listdir(LOG_DIR):
        path = os.path.join(LOG_DIR, name)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                data = f.read()
            assert secret.encode() not in data, name
            assert good.encode() not in data, name

    dump = subprocess.run(["mariadb-dump", "--no-defaults", "-S", db_socket(), "-u", "root",
                           "--hex-blob", "linkcamp"], capture_output=True, timeout=120)
    assert dump.returncode == 0, dump.stderr
    raw = subprocess.run(["mariadb-dump", "--no-defaults", "-S", db_socket(), "-u", "root",
                          "linkcamp"], capture_output=True, timeout=120)
    assert raw.returncode == 0, raw.stderr
    assert b"INSERT INTO `mailboxes`" in dump.stdout
    for d in (dump.stdout, raw.stdout):
        assert secret.encode() not in d
        assert good.encode() not in d
        assert secret.encode().hex().encode() not in d.lower()
    t.api.request("DELETE", f"/v1/mailboxes/{m['id']}")


def test_an_implicit_tls_mailbox_delivers_through_its_tunnel(t):
    # libesmtp 1.1 speaks STARTTLS only; an SMTPS mailbox goes through smtp_tunnel.c
    m = create_mailbox(t.api, user="box3")
    r = t.api.request("PATCH", f"/v1/mailboxes/{m['id']}", headers=JSON, data=json.dumps(
        {"smtp": {"security": "tls", "port": SUB_PORT + 1}}))
    assert r.status_code == 200 and r.json()["smtp"]["security"] == "tls"
    tag = uuid.uuid4().hex[:6]
    c = new_campaign(t.api, [m["id"]], prospects(1, tag))
    msgs = wait_for(lambda: received(f"pat0-{tag}@"), timeout=30)
    assert len(msgs) == 1, message_rows(c["id"])
    assert msgs[0]["From"].addresses[0].addr_spec == "box3@mailbox.test"
    assert "with ESMTPSA" in str(msgs[0]["Received"]), msgs[0]["Received"]
    assert wait_for(lambda: message_rows(c["id"])[0][1] == "3")
    assert t.api.get(f"/v1/mailboxes/{m['id']}").json()["status"] == "active"


def test_the_mailboxes_page_lists_them_for_approvers(t):
    from conftest import URL, sign_in

    password = "correct horse battery staple"
    email = f"mbx.{uuid.uuid4().hex[:8]}@agency.example"
    cli("user", "add", email, "--workspace", t.ws, "--role", "approver", "--password-stdin",
        stdin=password + "\n")
    m = create_mailbox(t.api, user="box2", password="page-" + uuid.uuid4().hex)
    s = sign_in(email, password)
    r = s.get(f"{URL}/app/w/{t.ws}/mailboxes", timeout=30)
    assert r.status_code == 200, r.text
    assert m["id"] in r.text and "box2@mailbox.test" in r.text and "password set" in r.text
    assert "page-" not in r.text
    other = s.get(f"{URL}/app/w/{t.ws2}/mailboxes", timeout=30)
    assert other.status_code in (403, 404) and m["id"] not in other.text
    t.api.request("DELETE", f"/v1/mailboxes/{m['id']}")
