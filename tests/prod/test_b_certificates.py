"""(b) Certificates of webhook receivers and placement pages are checked against the CAs of
[webhooks] ca_file (here the CA made for this run): a receiver whose certificate comes
from another CA, or names another host, gets nothing; one of the trusted CA gets the
delivery. And allow_http = no holds on the wire too: a webhook whose URL is http:// (one
created before the operator turned allow_http off) is not called.

The receivers listen on 127.0.0.1, which the default address guard refuses before any TLS
starts (test_c), so these run against the worker restarted with allow_private = yes."""
import json
import uuid

import pytest

from conftest import (JSON, attempt_of, create_webhook, it, ping)

pytestmark = pytest.mark.usefixtures("private_allowed_worker")


def webhook(t, url):
    r = create_webhook(t.api, url)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_receiver_of_the_trusted_ca_gets_the_delivery(receivers):
    t = it.Tenant()
    rx = receivers["good"]
    for host in ("127.0.0.1", "localhost"):
        path = f"/ok/{uuid.uuid4().hex}"
        wid = webhook(t, rx.url(path, host))
        eid = ping(t.api, wid)
        d = attempt_of(t.api, wid, eid)
        assert d and d["ok"] and d["statusCode"] == 200 and d["error"] is None, d
        assert ("POST", path) in rx.hits()


@pytest.mark.parametrize("which, why", [
    ("other", "issuer is not trusted"),  # another CA
    ("wrongname", "subject name"),  # the trusted CA, for wrong-name.invalid only
])
def test_receiver_with_an_untrusted_certificate_gets_nothing(receivers, which, why):
    t = it.Tenant()
    rx = receivers[which]
    path = f"/ok/{uuid.uuid4().hex}"
    wid = webhook(t, rx.url(path))
    eid = ping(t.api, wid)
    d = attempt_of(t.api, wid, eid)
    assert d and not d["ok"] and d["statusCode"] is None, d
    assert "SSL" in d["error"] and why in d["error"], d
    assert "refused: the address" not in d["error"]  # the guard let it through: TLS decided
    assert [h for h in rx.hits() if h[1] == path] == []


def test_http_webhook_is_not_called_when_http_is_off(receivers):
    t = it.Tenant()
    good, plain = receivers["good"], receivers["plain"]
    path = f"/ok/{uuid.uuid4().hex}"
    wid = webhook(t, good.url(path))
    # the URL it would have had if it was created while allow_http was on
    it.sql(f"UPDATE webhooks SET url = '{plain.url(path)}' WHERE public_id = '{wid}'")
    eid = ping(t.api, wid)
    d = attempt_of(t.api, wid, eid)
    assert d and not d["ok"] and d["statusCode"] is None, d
    assert d["error"].startswith("refused: only https"), d
    assert [h for h in plain.hits() if h[1] == path] == []


# A placement must be on its prospect's site (docs/placements.md): the prospect is
# blog.localhost, a name libcurl resolves to loopback and the run's certificates name.
SITE = "blog.localhost"


def placement(t, url):
    cid = t.campaign(targetUrl="https://example.com/guide", template={"subject": "", "body": ""})
    rels = it.add_prospects(t.api, cid, [{"domain": SITE, "contactName": "Ada",
                                          "contactEmail": f"ada-{uuid.uuid4().hex[:6]}@{SITE}"}])
    rid = list(rels.values())[0]
    r = t.api.post(f"/v1/link-building/relationship/{rid}/placement", headers=JSON,
                   data=json.dumps({"linkUrl": url}))
    assert r.status_code == 202, r.text
    pid = r.json()["id"]

    def checked():
        rows = t.api.get(f"/v1/link-building/relationship/{rid}/placement").json()["data"]
        p = next(x for x in rows if x["id"] == pid)
        return p if p["checkedAt"] else None
    return it.wait_for(checked, timeout=30)


def test_placement_pages_are_fetched_only_with_a_trusted_certificate(receivers):
    t = it.Tenant()
    good, other = receivers["good"], receivers["other"]
    path = f"/post/{uuid.uuid4().hex}"
    p = placement(t, good.url(path, SITE))
    assert p and p["httpStatus"] == 200 and p["status"] == "verified", p
    assert ("GET", path) in good.hits()
    path = f"/post/{uuid.uuid4().hex}"
    p = placement(t, other.url(path, SITE))
    assert p and p["httpStatus"] is None and p["status"] != "verified", p
    assert "issuer is not trusted" in p["lastError"], p
    assert [h for h in other.hits() if h[1] == path] == []


def test_an_unreadable_ca_file_stops_the_worker_at_start_and_doctor_says_so():
    import os
    import subprocess
    missing = os.path.join(os.environ["LINKCAMP_TLS_DIR"], "no-such-ca.pem")
    env = dict(os.environ, LINKCAMP_WEBHOOK_CA_FILE=missing)
    p = subprocess.run([os.path.join(it.BIN, "linkcamp-worker"), "-c", it.CONFIG], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 78, (p.returncode, p.stderr)
    assert f"[webhooks] ca_file {missing}" in p.stderr, p.stderr
    p = subprocess.run([os.path.join(it.BIN, "linkcamp"), "-c", it.CONFIG, "doctor"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode != 0
    assert any(line.startswith("FAIL") and "ca_file" in line for line in p.stdout.splitlines()), p.stdout
    p = subprocess.run([os.path.join(it.BIN, "linkcamp"), "-c", it.CONFIG, "doctor"],
                       capture_output=True, text=True, timeout=60)
    assert any(line.startswith("ok") and "ca_file" in line for line in p.stdout.splitlines()), p.stdout
