"""A hostile relay: an SMTP server, written here on a raw socket, that answers each
recipient's transaction wrongly in its own way — replies that are not SMTP, codes out of
range, a 64 KiB reply line, NUL bytes, multi-line replies whose codes disagree, the
connection closed in the middle of a reply. Nothing a relay says is trusted: the worker
must survive all of it, end each message in the state its conversation earned (nothing
delivered is ever retried, nothing that never reached DATA is ever called "sent" or
"unknown"), and keep delivering normal mail afterwards."""
import collections
import json
import os
import socket
import subprocess
import threading

from conftest import add_prospects, sql, wait_for
from test_worker_pipeline import DEV, INSTANCE, LOG_DIR, restore_worker, start_worker, unapproved_campaign

JSON = {"Content-Type": "application/json"}
SENT, FAILED, UNKNOWN, DEFERRED = "3", "4", "5", "9"

# recipient local part -> (phase, what the relay sends instead of its normal reply) and
# the states the message may end in. Phases: "rcpt" (the RCPT reply) or "dot" (the reply
# to the final dot). None closes the connection without a reply.
SCRIPTS = {
    "garbage-rcpt": ("rcpt", b"hello there\r\n", {DEFERRED, FAILED}),
    "code999-rcpt": ("rcpt", b"999 what is this\r\n", {DEFERRED}),
    "long-rcpt": ("rcpt", b"250-" + b"x" * 65536 + b"\r\n250 OK\r\n", {SENT, DEFERRED, FAILED}),
    "nul-rcpt": ("rcpt", b"25\x000 O\x00K\r\n", {DEFERRED, FAILED}),
    "mixed-rcpt": ("rcpt", b"250-fine\r\n550 5.1.1 no such user\r\n", {DEFERRED, FAILED, SENT}),
    "close-rcpt": ("rcpt", None, {DEFERRED}),
    "garbage-dot": ("dot", b"thanks, I guess\r\n", {UNKNOWN}),
    "code354-dot": ("dot", b"354 more please\r\n", {UNKNOWN, DEFERRED, FAILED}),
    "half-dot": ("dot", b"25", {UNKNOWN}),
    "multi-dot": ("dot", b"250-queued\r\n451 4.3.0 or not\r\n", {UNKNOWN, DEFERRED, SENT}),
    "enh-dot": ("dot", b"550 9.9.9.9.9 " + b"\xff" * 300 + b"\r\n", {FAILED}),
    "bytes-dot": ("dot", b"250 2.0.0 queued \xff\xfe\x01 as \xc3\r\n", {SENT}),
    "cut-dot": ("dot", b"554 5.7.1 " + "\u00e9".encode() * 150 + b"\r\n", {FAILED}),
}


class HostileRelay:
    """A line-oriented SMTP server on 127.0.0.1 that misbehaves per recipient."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.delivered = []  # recipients whose message the relay accepted normally
        self.dots = collections.Counter()  # final dots received, by recipient
        self.stopping = False
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.session, args=(conn,), daemon=True).start()

    def session(self, conn):
        conn.settimeout(10)
        f = conn.makefile("rb")
        rcpt = ""
        try:
            conn.sendall(b"220 hostile.example ESMTP\r\n")
            while True:
                line = f.readline(4096)
                if not line:
                    return
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    conn.sendall(b"250-hostile.example\r\n250 PIPELINING\r\n" if verb == b"EHLO"
                                 else b"250 hostile.example\r\n")
                elif verb == b"MAIL":
                    conn.sendall(b"250 OK\r\n")
                elif verb == b"RCPT":
                    rcpt = line.split(b"<", 1)[-1].split(b">", 1)[0].decode(errors="replace")
                    if not self.answer(conn, rcpt, "rcpt", b"250 OK\r\n"):
                        return
                elif verb == b"DATA":
                    conn.sendall(b"354 go ahead\r\n")
                    while True:
                        body = f.readline(1 << 20)
                        if not body:
                            return
                        if body == b".\r\n":
                            self.dots[rcpt] += 1
                            break
                    if self.script(rcpt, "dot") is False:
                        self.delivered.append(rcpt)
                    if not self.answer(conn, rcpt, "dot", b"250 2.0.0 queued\r\n"):
                        return
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 OK\r\n")
        except OSError:
            return
        finally:
            conn.close()

    def answer(self, conn, rcpt, phase, normal):
        """Sends the normal reply, or the script's for rcpt in phase; False when the
        session ends here (the script closes the connection, or leaves a reply half sent)."""
        script = self.script(rcpt, phase)
        if script is None:
            return False
        conn.sendall(normal if script is False else script)
        return script is False or script.endswith(b"\r\n")

    @staticmethod
    def script(rcpt, phase):
        """What to answer instead of the normal reply: bytes, None (close) or False (normal)."""
        for name, (when, reply, _) in SCRIPTS.items():
            if rcpt.startswith(name + "-") and when == phase:
                return reply
        return False

    def close(self):
        self.stopping = True
        self.sock.close()


def test_a_hostile_relay_never_crashes_the_worker_or_misstates_an_outcome():
    t, tag, cid, domain = unapproved_campaign("hostile relay", "hostile")
    contacts = [f"{name}-{tag}@{domain}" for name in SCRIPTS] + [f"normal-{tag}-{i}@{domain}" for i in range(3)]
    rels = add_prospects(t.api, cid, [{"domain": domain, "contactName": c.split("@")[0],
                                       "contactEmail": c} for c in contacts])
    relay = HostileRelay()
    log_name = f"hostile-worker-{tag}.log"
    subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=60)
    worker = None
    try:
        sent = {}
        for c in contacts:
            r = t.api.post(f"/v1/link-building/campaign/{cid}/send-email", headers=JSON,
                           data=json.dumps({"relationshipId": rels[c], "subject": f"hostile {tag}",
                                            "body": "Hello\n"}))
            assert r.status_code == 202, r.text
            sent[c] = r.json()["invocation"]
        worker = start_worker(4, 8, log_name, LINKCAMP_SMTP_PORT=str(relay.port),
                              LINKCAMP_SMTP_TIMEOUT_MS="2000")
        ids = ",".join(f"'{inv['message']['id']}'" for inv in sent.values())

        def states():
            return dict(sql(f"SELECT public_id, status FROM outbound_messages WHERE public_id IN ({ids})"))

        def settled():
            s = states()
            return len(s) == len(sent) and all(v not in ("1", "2") for v in s.values())
        assert wait_for(settled, 60), states()
        assert worker.poll() is None, "the worker died"
        final = states()
    finally:
        relay.close()
        restore_worker(worker)
    for c, inv in sent.items():
        name = c.split("@")[0][: -len(tag) - 1] if not c.startswith("normal-") else "normal"
        allowed = SCRIPTS[name][2] if name in SCRIPTS else {SENT}
        state = final[inv["message"]["id"]]
        assert state in allowed, (c, state, allowed)
        # credits are charged for what the relay accepted, and only for that
        got = t.api.get(f"/v1/invocations/{inv['id']}").json()["invocation"]
        assert got["creditsCharged"] == (inv["creditsReserved"] if state == SENT else 0), (c, got)
    # a transaction that reached the final dot is never tried again
    assert all(n == 1 for n in relay.dots.values()), relay.dots
    assert sorted(c for c in relay.delivered if c.startswith("normal-")) == \
        sorted(c for c in contacts if c.startswith("normal-"))
    with open(os.path.join(LOG_DIR, log_name), encoding="utf-8", errors="replace") as f:
        log = f.read()
    assert "AddressSanitizer" not in log and "runtime error" not in log, log[-3000:]
