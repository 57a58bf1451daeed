"""(e, continued) A relay that offers STARTTLS with a certificate nobody trusts (the
unrelated CA of tests/prod/make-ca, for the name the worker reaches it at, localhost):
under starttls = required the worker checks it, quits after the handshake and sends no
MAIL FROM, and the message is deferred with OpenSSL's reason. The relay is aiosmtpd with
a TLS context, started here; the worker is restarted to use it."""
import json
import os
import socket
import ssl
import subprocess
import threading
import uuid

import pytest
from aiosmtpd.controller import Controller

from conftest import DEV, INSTANCE, JSON, TLS, it

CAMPAIGN = "/v1/link-building/campaign"


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.mail_from = []

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self.lock:
            self.mail_from.append(address)
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


@pytest.fixture(scope="module")
def tls_relay():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(TLS, "other.pem"), os.path.join(TLS, "other.key"))
    rec = Recorder()
    with socket.socket() as probe:  # a free port (Controller checks its own with a connect)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ctl = Controller(rec, hostname="127.0.0.1", port=port, tls_context=ctx, require_starttls=False,
                     server_hostname="localhost")
    ctl.start()
    subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=60)
    env = dict(os.environ, LINKCAMP_SMTP_HOST="localhost", LINKCAMP_SMTP_PORT=str(port))
    subprocess.run([DEV, "worker-start", INSTANCE], check=True, timeout=60, env=env)
    yield rec
    subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=60)
    subprocess.run([DEV, "worker-start", INSTANCE], check=True, timeout=60)
    ctl.stop()


def test_untrusted_relay_certificate_means_nothing_is_sent(tls_relay):
    t = it.Tenant()
    it.send_without_approval(t.api)
    cid = t.campaign(name="relay tls " + uuid.uuid4().hex[:6])
    rels = it.add_prospects(t.api, cid, [{"domain": "example.org", "contactName": "Oskar",
                                          "contactEmail": f"oskar-{uuid.uuid4().hex[:6]}@example.org"}])
    rid = list(rels.values())[0]
    r = t.api.post(f"{CAMPAIGN}/{cid}/send-email", headers=JSON, data=json.dumps(
        {"relationshipId": rid, "subject": "tls " + uuid.uuid4().hex, "body": "Hello",
         "scheduleAt": "now"}))
    assert r.status_code in (200, 201, 202), r.text
    out = r.json()["invocation"]["message"]["id"]

    def deferred():
        m = t.api.get(f"/v1/approvals/{out}").json()
        return m if m["status"] == "deferred" else None
    m = it.wait_for(deferred, timeout=30)
    assert m, t.api.get(f"/v1/approvals/{out}").json()
    assert m["lastError"] == ("not sent: the server's TLS certificate is not trusted (OpenSSL "
                              "verify error 20: unable to get local issuer certificate)"), m
    with tls_relay.lock:
        assert tls_relay.mail_from == []
    assert it.sink_messages() == []
