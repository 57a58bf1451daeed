"""Sending domains and DKIM (issue 15 item 5, docs/dkim.md): /v1/domains, the keys made by
linkcamp and sealed at rest, the records to publish, mail signed by the worker and verified
by an independent verifier (python3-dkim) against the key published in the stack's own
DNS server (Knot, scripts/dev), and the check of SPF, DKIM, DMARC and alignment through
that server."""
import base64
import json
import os
import subprocess
import uuid

import nacl.secret
import nacl.signing
import pytest

from conftest import (BIN, CONFIG, Tenant, assert_problem, cli, db_socket, sink_messages, sql,
                      start_worker_process, stop_process, wait_for)
from dnslib import publish, signature_tags, txt, unpublish, verify

JSON = {"Content-Type": "application/json"}
CAMPAIGN = "/v1/link-building/campaign"
LOG_DIR = os.environ.get("LINKCAMP_LOG_DIR", "")


@pytest.fixture(scope="module")
def t():
    t = Tenant()
    r = t.api.request("PUT", "/v1/workspace/policy", headers=JSON, data=json.dumps(
        {"approval": {"drafts": "auto", "sendEmail": "auto", "respond": "auto",
                      "autoResponses": "auto", "followUps": "auto"}}))
    assert r.status_code == 200, r.text
    yield t
    # the doctor (test_doctor) checks every sending domain of the database: leave none
    # whose records this module took away
    for api in (t.api, t.api2):
        for d in api.get("/v1/domains").json()["data"]:
            api.request("DELETE", f"/v1/domains/{d['id']}")


def new_domain(api, name=None, **extra):
    body = {"domain": name or f"t{uuid.uuid4().hex[:8]}.dkim.test"}
    body.update(extra)
    r = api.post("/v1/domains", headers=JSON, data=json.dumps(body))
    assert r.status_code == 201, r.text
    return r.json()


def publish_key(d):
    """Publishes every key record of d (the RSA one, the Ed25519 one)."""
    for rec in d["records"]:
        publish(rec["name"], rec["zoneLine"])


def both(d, ok=True):
    """What verify() says of a mail signed by d with both keys."""
    return [("rsa-sha256", d["domain"], d["selector"], ok),
            ("ed25519-sha256", d["domain"], d["selector"] + "-ed25519", ok)]


def mailbox_key():
    """The stack's [mailboxes] key_file, as 32 bytes (it may hold them raw or in hex)."""
    path, section = None, None
    with open(CONFIG) as f:
        for line in f:
            line = line.split(";")[0].strip()
            if line.startswith("["):
                section = line.strip("[]")
            elif section == "mailboxes" and line.partition("=")[0].strip() == "key_file":
                path = line.partition("=")[2].strip()
    with open(path, "rb") as f:
        raw = f.read()
    return raw if len(raw) == 32 else bytes.fromhex(raw.strip().decode())


def send_one(api, sender, tag):
    to = f"pat-{tag}@p-{tag}.example"
    r = api.post(CAMPAIGN, headers=JSON, data=json.dumps(
        {"type": "serp", "name": "dkim " + tag, "targetUrl": "https://example.com/guide",
         "sender": sender,
         "template": {"subject": "Hello {{contactFirstName}}", "body": "Hi there,\nthe guide."},
         "prospects": [{"domain": f"p-{tag}.example", "contactName": "Pat Doe",
                        "contactEmail": to}]}))
    assert r.status_code == 201, r.text
    msgs = wait_for(lambda: [raw for raw, m in sink_messages() if to in str(m["To"] or "")],
                    timeout=40)
    assert len(msgs) == 1, r.json()
    return msgs[0]


def check(api, d, from_=None):
    r = api.get(f"/v1/domains/{d['id']}/check", query=f"from={from_}" if from_ else None)
    assert r.status_code == 200, r.text
    body = r.json()
    return body, {i["item"]: i for i in body["items"]}


# ---- the API ----

def test_create_shows_the_records_to_publish_and_never_the_private_key(t):
    d = new_domain(t.api, name="Mixed-Case-" + uuid.uuid4().hex[:6] + ".DKIM.test.")
    assert d["id"].startswith("dom_")
    assert d["domain"] == d["domain"].lower() and not d["domain"].endswith(".")
    sel = d["selector"]
    assert sel.startswith("lc") and len(sel) == 10
    assert d["algorithm"] == "rsa-sha256" and d["ed25519"] is True
    [rsa, ed] = d["records"]
    assert rsa["purpose"] == "dkim" and rsa["type"] == "TXT"
    assert rsa["algorithm"] == "rsa-sha256" and rsa["selector"] == sel
    assert rsa["name"] == f"{sel}._domainkey.{d['domain']}"
    # an RSA-2048 SubjectPublicKeyInfo
    assert rsa["value"].startswith("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA")
    # the zone line cuts the 410-byte RSA value into 255-byte strings
    assert rsa["zoneLine"].startswith(rsa["name"] + ". 3600 IN TXT \"v=DKIM1; k=rsa; p=")
    assert rsa["zoneLine"].count('"') == 4
    # the Ed25519 key: its own selector, the raw 32-byte public key (RFC 8463 4.2)
    assert ed["purpose"] == "dkim" and ed["type"] == "TXT" and ed["algorithm"] == "ed25519-sha256"
    assert ed["selector"] == sel + "-ed25519"
    assert ed["name"] == f"{sel}-ed25519._domainkey.{d['domain']}"
    assert ed["value"].startswith("v=DKIM1; k=ed25519; p=")
    assert len(base64.b64decode(ed["value"].split("p=")[1], validate=True)) == 32
    assert ed["zoneLine"] == f'{ed["name"]}. 3600 IN TXT "{ed["value"]}"'
    text = json.dumps(d)
    assert "PRIVATE" not in text and "private" not in text.lower()

    assert t.api.get(f"/v1/domains/{d['id']}").json() == d
    listed = t.api.get("/v1/domains").json()
    assert d["id"] in [x["id"] for x in listed["data"]]
    assert listed["total"] == len(listed["data"]) and listed["nextCursor"] is None

    # another workspace's domain is a missing one
    assert_problem(t.api2.get(f"/v1/domains/{d['id']}"), 404, "domain_not_found")
    assert_problem(t.api2.get(f"/v1/domains/{d['id']}/check"), 404, "domain_not_found")
    assert_problem(t.api2.request("DELETE", f"/v1/domains/{d['id']}"), 404, "domain_not_found")
    assert d["id"] not in [x["id"] for x in t.api2.get("/v1/domains").json()["data"]]

    # one live key per domain and workspace; another workspace may have the same domain
    r = t.api.post("/v1/domains", headers=JSON, data=json.dumps({"domain": d["domain"]}))
    assert_problem(r, 409, "domain_exists", "domain")
    other = new_domain(t.api2, name=d["domain"])
    assert other["records"][0]["value"] != rsa["value"]
    assert other["records"][1]["value"] != ed["value"]

    assert t.api.request("DELETE", f"/v1/domains/{d['id']}").status_code == 204
    assert_problem(t.api.get(f"/v1/domains/{d['id']}"), 404, "domain_not_found")
    # deleted, the domain can be added again, with new keys
    again = new_domain(t.api, name=d["domain"])
    assert again["records"][0]["value"] != rsa["value"]
    assert again["records"][1]["value"] != ed["value"]


@pytest.mark.parametrize("body,param", [
    ({}, "domain"),
    ({"domain": ""}, "domain"),
    ({"domain": "localhost"}, "domain"),
    ({"domain": "bad domain.test"}, "domain"),
    ({"domain": "-x.test"}, "domain"),
    ({"domain": "a" * 64 + ".test"}, "domain"),
    ({"domain": "x.test", "selector": "Bad_Selector"}, "selector"),
    ({"domain": "x.test", "selector": "s" * 41}, "selector"),
    ({"domain": "x.test", "selector": ""}, "selector"),
    ({"domain": "x.test", "selector": "mail-ed25519"}, "selector"),
    ({"domain": 7}, "domain"),
    ({"domain": "x.test", "keyBits": 1024}, "keyBits"),
])
def test_validation(t, body, param):
    r = t.api.post("/v1/domains", headers=JSON, data=json.dumps(body))
    assert_problem(r, 422, "validation_failed", param)


def test_a_chosen_selector_and_bad_requests(t):
    d = new_domain(t.api, selector="mail2027")
    assert d["selector"] == "mail2027"
    assert d["records"][0]["name"].startswith("mail2027._domainkey.")
    assert_problem(t.api.get("/v1/domains/dom_nope"), 404, "domain_not_found")
    assert_problem(t.api.get("/v1/domains", query="limit=5"), 400, "invalid_parameter")
    r = t.api.get(f"/v1/domains/{d['id']}/check", query="from=not-an-address")
    assert_problem(r, 422, "validation_failed", "from")
    assert_problem(t.api.post("/v1/domains", headers=JSON, data="{not json"), 400,
                   "invalid_json")


@pytest.mark.parametrize("path,allowed", [
    ("/v1/domains", {"GET", "HEAD", "POST"}),
    ("/v1/domains/dom_AAAAAAAAAAAAAAAAAAAAAA", {"GET", "HEAD", "DELETE"}),
    ("/v1/domains/dom_AAAAAAAAAAAAAAAAAAAAAA/check", {"GET", "HEAD"}),
    ("/v1/domains/dom_AAAAAAAAAAAAAAAAAAAAAA/ed25519", {"POST"}),
])
def test_allow_lists_the_methods_of_each_path(t, path, allowed):
    answered = {m: t.api.request(m, path) for m in ["GET", "HEAD", "POST", "PUT", "DELETE",
                                                      "PATCH"]}
    assert {m for m, r in answered.items() if r.status_code != 405} == allowed
    for m in {"POST", "PUT", "DELETE", "PATCH"} - allowed:
        assert_problem(answered[m], 405, "method_not_allowed")
        assert {x.strip() for x in answered[m].headers["Allow"].split(",")} == allowed


def test_an_idempotency_key_replays_the_creation(t):
    h = dict(JSON, **{"Idempotency-Key": "dom-" + uuid.uuid4().hex})
    body = json.dumps({"domain": f"t{uuid.uuid4().hex[:8]}.dkim.test"})
    first = t.api.post("/v1/domains", headers=h, data=body)
    second = t.api.post("/v1/domains", headers=h, data=body)
    assert first.status_code == 201 and second.status_code == 201, second.text
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert first.content == second.content  # one key pair, not two
    assert len([d for d in t.api.get("/v1/domains").json()["data"]
                if d["domain"] == first.json()["domain"]]) == 1


# ---- signatures, verified against the DNS ----

def test_mail_from_a_domain_is_signed_and_verifies_against_the_published_key(t):
    d = new_domain(t.api)
    publish_key(d)
    raw = send_one(t.api, f"news@{d['domain']}", uuid.uuid4().hex[:8])
    # both signatures, RSA on top, each verified by python3-dkim (with python3-nacl for
    # Ed25519) against its record in the stack's DNS server
    results = verify(raw)
    assert results == both(d), results
    rsa, ed = signature_tags(raw, 0), signature_tags(raw, 1)
    assert ed[b"a"] == b"ed25519-sha256" and ed[b"v"] == b"1"
    for tags in (rsa, ed):
        assert tags[b"c"] == b"relaxed/relaxed" and b"l" not in tags
    signed = rsa[b"h"].lower().split(b":")
    for h in (b"from", b"to", b"subject", b"date", b"message-id", b"mime-version",
              b"content-type", b"list-unsubscribe"):
        assert h in signed, signed
    assert signed.count(b"from") == 2  # oversigned: a second From breaks the signature
    # the two sign the same header fields (one list, src/mail/dkim_headers.c)
    assert sorted(ed[b"h"].lower().split(b":")) == sorted(signed)
    assert rsa[b"bh"] == ed[b"bh"]  # the same relaxed body, SHA-256
    # the folded Ed25519 field: lines of at most 78 bytes
    lines = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    start = next(i for i, l in enumerate(lines) if l.startswith(b"DKIM-Signature: v=1; a=ed25519"))
    field = [lines[start]]
    for line in lines[start + 1:]:
        if not line[:1] in (b" ", b"\t"):
            break
        field.append(line)
    assert len(field) > 1 and all(len(line) <= 78 for line in field), field
    # RSA on top, Ed25519 right below it
    assert lines[start - 1][:1] in (b" ", b"\t") and any(
        l.startswith(b"DKIM-Signature: v=1; a=rsa-sha256") for l in lines[:start])

    # a body changed in transit fails both; so does an added From
    head, body = raw.split(b"\r\n\r\n", 1)
    assert verify(head + b"\r\n\r\n" + body.replace(b"guide", b"gu1de")) == both(d, False)
    assert verify(head + b"\r\nFrom: mallory@evil.example" + b"\r\n\r\n" + body) == \
        both(d, False)


def test_a_subdomain_is_signed_by_its_parent_domain(t):
    d = new_domain(t.api)
    publish_key(d)
    raw = send_one(t.api, f"hello@news.{d['domain']}", uuid.uuid4().hex[:8])
    assert verify(raw) == both(d)


def test_mail_from_another_domain_is_not_signed(t):
    new_domain(t.api)
    raw = send_one(t.api, f"sam@u{uuid.uuid4().hex[:6]}.agency.example", uuid.uuid4().hex[:8])
    assert b"DKIM-Signature" not in raw.split(b"\r\n\r\n", 1)[0]


def test_the_wrong_key_in_dns_fails_verification_and_the_check_says_so(t):
    d = new_domain(t.api)
    wrong = new_domain(t.api2)  # a key of another workspace, published in d's place
    mine, theirs = d["records"][0], wrong["records"][0]
    publish(mine["name"], txt(mine["name"], theirs["value"]))
    raw = send_one(t.api, f"news@{d['domain']}", uuid.uuid4().hex[:8])
    assert [ok for *_, ok in verify(raw)] == [False, False]  # nothing at the Ed25519 name
    body, items = check(t.api, d)
    assert body["ok"] is False
    assert items["dkim"]["status"] == "mismatch" and not items["dkim"]["ok"], items["dkim"]
    assert items["dkim"]["found"] == theirs["value"]
    assert items["dkim"]["expected"] == mine["value"]


def test_mail_through_a_mailbox_is_signed_too(t):
    from test_mailboxes import SUB_PORT, sub_password
    d = new_domain(t.api, name="mailbox.test")
    publish_key(d)
    r = t.api.post("/v1/mailboxes", headers=JSON, data=json.dumps(
        {"fromName": "Sam", "fromAddress": "box2@mailbox.test",
         "smtp": {"host": "localhost", "port": SUB_PORT, "security": "starttls",
                  "username": "box2@mailbox.test", "password": sub_password()}}))
    assert r.status_code == 201, r.text
    m = r.json()
    tag = uuid.uuid4().hex[:8]
    to = f"pat-{tag}@p-{tag}.example"
    r = t.api.post(CAMPAIGN, headers=JSON, data=json.dumps(
        {"type": "serp", "name": "dkim mbx " + tag, "targetUrl": "https://example.com/guide",
         "sender": "relay@agency.example", "mailboxIds": [m["id"]],
         "template": {"subject": "Hello", "body": "Hi"},
         "prospects": [{"domain": f"p-{tag}.example", "contactName": "Pat Doe",
                        "contactEmail": to}]}))
    assert r.status_code == 201, r.text
    msgs = wait_for(lambda: [raw for raw, x in sink_messages() if to in str(x["To"] or "")],
                    timeout=40)
    assert len(msgs) == 1
    assert b"ESMTPSA" in msgs[0]  # through Dovecot's submission service
    assert verify(msgs[0]) == both(d)
    t.api.request("DELETE", f"/v1/mailboxes/{m['id']}")
    t.api.request("DELETE", f"/v1/domains/{d['id']}")


def test_a_key_that_does_not_open_defers_the_mail_and_never_sends_it_unsigned(t, tmp_path):
    d = new_domain(t.api)
    publish_key(d)
    other = tmp_path / "other.key"
    other.write_bytes(os.urandom(32))
    other.chmod(0o600)
    dev, instance = os.environ["LINKCAMP_DEV"], os.environ.get("LINKCAMP_INSTANCE", "test")
    tag = uuid.uuid4().hex[:8]
    to = f"pat-{tag}@p-{tag}.example"
    subprocess.run([dev, "worker-stop", instance], check=True, timeout=120)
    worker = None
    try:
        # a worker whose [mailboxes] key_file is not the one that sealed the domain's key
        worker = start_worker_process("worker-otherkey.log", LINKCAMP_MAILBOX_KEY_FILE=str(other))
        r = t.api.post(CAMPAIGN, headers=JSON, data=json.dumps(
            {"type": "serp", "name": "dkim key " + tag, "targetUrl": "https://example.com/guide",
             "sender": f"news@{d['domain']}", "template": {"subject": "Hello", "body": "Hi"},
             "prospects": [{"domain": f"p-{tag}.example", "contactName": "Pat Doe",
                            "contactEmail": to}]}))
        assert r.status_code == 201, r.text
        rows = wait_for(lambda: sql("SELECT status, last_error FROM outbound_messages "
                                    f"WHERE to_email = '{to}' AND last_error LIKE 'DKIM:%'"),
                        timeout=60)
        assert rows and "key cannot be opened" in rows[0][1], rows
        assert rows[0][0] != "3"  # not sent
        stop_process(worker)
        worker = None
    finally:
        if worker is not None:
            worker.kill()
            worker.wait()
        subprocess.run([dev, "worker-start", instance], check=True, timeout=120)
    # the worker went past the message (its last error says so) and the sink has nothing
    assert not [raw for raw, m in sink_messages() if to in str(m["To"] or "")]


def test_ed25519_alone_failing_or_absent_leaves_the_rsa_signature_and_nothing_leaks(t):
    """One worker of the ASan build of its own signs mail of three domains: one with both
    keys (three mails), one whose Ed25519 box no longer opens (a damaged row), and one added
    before linkcamp made Ed25519 keys (the columns NULL). The first verifies twice; the other
    two leave with the RSA signature alone, and only the damaged one is logged, once. The
    worker then exits with status 0 and no LeakSanitizer report: no leak per message."""
    good, damaged, old = new_domain(t.api), new_domain(t.api), new_domain(t.api)
    sql("UPDATE sending_domains SET ed25519_box = UNHEX(REPEAT('00', 72)) "
        f"WHERE public_id = '{damaged['id']}'")
    sql("UPDATE sending_domains SET ed25519_box = NULL, ed25519_public = NULL, "
        f"ed25519_selector = NULL WHERE public_id = '{old['id']}'")
    old = t.api.get(f"/v1/domains/{old['id']}").json()
    assert old["ed25519"] is False and [r["algorithm"] for r in old["records"]] == ["rsa-sha256"]
    body, items = check(t.api, old)
    assert "dkim-ed25519" not in items and items["dkim"]["status"] == "missing"
    for d in (good, damaged, old):
        publish_key(d)
    dev, instance = os.environ["LINKCAMP_DEV"], os.environ.get("LINKCAMP_INSTANCE", "test")
    log = os.path.join(LOG_DIR, "worker-ed25519.log")
    subprocess.run([dev, "worker-stop", instance], check=True, timeout=120)
    worker = None
    try:
        worker = start_worker_process("worker-ed25519.log")
        for _ in range(3):
            assert verify(send_one(t.api, f"news@{good['domain']}", uuid.uuid4().hex[:8])) == \
                both(good)
        tag = uuid.uuid4().hex[:8]
        raw = send_one(t.api, f"news@{damaged['domain']}", tag)
        assert verify(raw) == both(damaged)[:1]
        [[damaged_msg]] = sql(f"SELECT id FROM outbound_messages WHERE to_email = 'pat-{tag}@p-{tag}.example'")
        tag = uuid.uuid4().hex[:8]
        raw = send_one(t.api, f"news@{old['domain']}", tag)
        assert verify(raw) == both(old)[:1]
        [[old_msg]] = sql(f"SELECT id FROM outbound_messages WHERE to_email = 'pat-{tag}@p-{tag}.example'")
        pid = worker.pid
        stop_process(worker)  # status 0: no leak report at exit
        worker = None
    finally:
        if worker is not None:
            worker.kill()
            worker.wait()
        subprocess.run([dev, "worker-start", instance], check=True, timeout=120)
    assert not [f for f in os.listdir(LOG_DIR) if f.startswith("asan.") and f.endswith(f".{pid}")]
    with open(log, errors="replace") as f:
        text = f.read()
    said = [l for l in text.splitlines() if f"message {damaged_msg} leaves with its rsa-sha256 "
            "signature only" in l]
    assert len(said) == 1 and damaged["domain"] in said[0], said
    assert f"message {old_msg} " not in text


def forget_ed25519(d):
    """Makes d a domain added before linkcamp made Ed25519 keys (the columns NULL)."""
    sql("UPDATE sending_domains SET ed25519_box = NULL, ed25519_public = NULL, "
        f"ed25519_selector = NULL WHERE public_id = '{d['id']}'")


def test_an_older_domain_gets_its_ed25519_key_and_keeps_its_rsa_key(t):
    d = new_domain(t.api)
    forget_ed25519(d)
    before = t.api.get(f"/v1/domains/{d['id']}").json()
    assert before["ed25519"] is False and len(before["records"]) == 1
    # another workspace's domain is a missing one; a body with keys is refused
    assert_problem(t.api2.post(f"/v1/domains/{d['id']}/ed25519"), 404, "domain_not_found")
    assert_problem(t.api.post("/v1/domains/dom_nope/ed25519"), 404, "domain_not_found")
    r = t.api.post(f"/v1/domains/{d['id']}/ed25519", headers=JSON, data=json.dumps({"x": 1}))
    assert_problem(r, 422, "validation_failed", "x")
    r = t.api.post(f"/v1/domains/{d['id']}/ed25519")
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["ed25519"] is True and after["records"][0] == before["records"][0]
    assert after["records"][1]["selector"] == d["selector"] + "-ed25519"
    assert after["records"][1]["value"] != d["records"][1]["value"]  # a new key
    assert t.api.get(f"/v1/domains/{d['id']}").json() == after
    # once: a key is never replaced here
    assert_problem(t.api.post(f"/v1/domains/{d['id']}/ed25519"), 409, "domain_key_exists")
    publish_key(after)
    assert verify(send_one(t.api, f"news@{d['domain']}", uuid.uuid4().hex[:8])) == both(after)
    # the CLI does the same
    name = f"t{uuid.uuid4().hex[:8]}.dkim.test"
    dom_id = cli("domain", "add", t.ws, name).splitlines()[0]
    forget_ed25519({"id": dom_id})
    assert "(rsa-sha256 only)" in cli("domain", "list", t.ws)
    out = cli("domain", "ed25519", t.ws, dom_id)
    assert "publish these TXT records:" in out and "._domainkey." + name in out
    assert "-ed25519._domainkey." + name + "  (ed25519-sha256)" in out
    p = cli("domain", "ed25519", t.ws, dom_id, check=False)
    assert p.returncode != 0 and "domain_key_exists" in p.stderr, p.stderr
    t.api.request("DELETE", f"/v1/domains/{dom_id}")


# ---- the check ----

def test_check_reports_spf_dkim_dmarc_and_alignment_item_by_item(t):
    d = new_domain(t.api)
    name = d["domain"]
    body, items = check(t.api, d)
    assert body["domain"] == name and body["from"] == f"postmaster@{name}"
    assert [i["item"] for i in body["items"]] == ["spf", "dkim", "dkim-ed25519", "dmarc",
                                                  "dkim-alignment", "spf-alignment"]
    assert body["ok"] is False
    assert items["spf"]["status"] == "missing" and items["spf"]["name"] == name
    assert items["spf"]["found"] is None and "v=spf1" in items["spf"]["expected"]
    assert items["dkim"]["status"] == "missing"
    assert items["dkim"]["name"] == d["records"][0]["name"]
    assert items["dkim"]["expected"] == d["records"][0]["value"]
    assert items["dkim-ed25519"]["status"] == "missing" and not items["dkim-ed25519"]["ok"]
    assert items["dkim-ed25519"]["name"] == d["records"][1]["name"]
    assert items["dkim-ed25519"]["expected"] == d["records"][1]["value"]
    assert items["dmarc"]["status"] == "missing" and items["dmarc"]["name"] == f"_dmarc.{name}"
    assert items["dkim-alignment"]["ok"] is True  # d= is From's domain
    assert items["spf-alignment"]["ok"] is False  # nothing to align with yet

    publish(name, txt(name, "v=spf1 ip4:127.0.0.1 -all"), txt("_dmarc." + name,
            "v=DMARC1; p=reject; adkim=s; aspf=r"))
    publish_key(d)
    body, items = check(t.api, d)
    assert body["ok"] is True, body
    assert items["spf"]["status"] == "ok" and items["spf"]["found"] == "v=spf1 ip4:127.0.0.1 -all"
    assert items["dkim"]["found"] == d["records"][0]["value"]
    assert items["dkim-ed25519"]["status"] == "ok"
    assert items["dkim-ed25519"]["found"] == d["records"][1]["value"]
    assert items["dmarc"]["status"] == "ok" and "p=reject" in items["dmarc"]["detail"]
    assert items["dkim-alignment"]["status"] == "ok"

    # strict DKIM alignment (adkim=s) at a subdomain: its From is signed by d= (the parent)
    # but not aligned
    sub = "news." + name
    publish(sub, txt("_dmarc." + sub, "v=DMARC1; p=reject; adkim=s"))
    body, items = check(t.api, d, from_=f"a@{sub}")
    assert body["from"] == f"a@{sub}" and body["ok"] is False
    assert items["dkim-alignment"]["status"] == "misaligned", items["dkim-alignment"]
    assert "adkim=s" in items["dkim-alignment"]["detail"]
    # the subdomain has no SPF record of its own
    assert items["spf"]["status"] == "missing" and items["spf"]["name"] == sub
    assert items["dmarc"]["status"] == "ok" and items["dmarc"]["name"] == f"_dmarc.{sub}"

    # From another domain is not signed with this one at all
    body, items = check(t.api, d, from_="sam@elsewhere.example")
    assert items["dkim-alignment"]["status"] == "misaligned"
    assert "not signed" in items["dkim-alignment"]["detail"]

    # relaxed alignment accepts the subdomain (the same organisational domain)
    unpublish("_dmarc." + sub)
    publish(sub, txt("_dmarc." + sub, "v=DMARC1; p=none"))
    body, items = check(t.api, d, from_=f"a@{sub}")
    assert items["dkim-alignment"]["status"] == "ok", items["dkim-alignment"]
    assert "relaxed" in items["dkim-alignment"]["detail"]


def test_check_spots_two_spf_records_and_a_bad_dmarc(t):
    d = new_domain(t.api)
    name = d["domain"]
    publish(name, txt(name, "v=spf1 -all"), txt(name, "v=spf1 ip4:192.0.2.1 -all"),
            txt(name, "google-site-verification=abc"),
            txt("_dmarc." + name, "v=DMARC1; p=maybe"))
    body, items = check(t.api, d)
    assert items["spf"]["status"] == "invalid" and "2 SPF records" in items["spf"]["detail"]
    assert "google-site" not in items["spf"]["found"]
    assert items["dmarc"]["status"] == "invalid"


def test_check_with_no_dns_answer_says_unknown(t):
    # a name under a zone the server does not serve: REFUSED, which is not "missing"
    d = new_domain(t.api, name=f"t{uuid.uuid4().hex[:6]}.nowhere.invalid")
    body, items = check(t.api, d)
    assert body["ok"] is False
    for item in ("spf", "dkim", "dmarc"):
        assert items[item]["status"] == "unknown" and not items[item]["ok"], items[item]
        assert "no answer" in items[item]["detail"], items[item]


def test_check_survives_a_hostile_zone(t):
    d = new_domain(t.api)
    name = d["domain"]
    rec = d["records"][0]["name"]
    # control bytes, non-ASCII bytes, a 5 KB SPF record, twelve key records
    lines = [f'{name}. 60 IN TXT "v=spf1 \\000\\007\\255 -all" ' + " ".join(['"' + "x" * 255 + '"'] * 20)]
    lines += [f'{rec}. 60 IN TXT "v=DKIM1; k=rsa; p=AAAA{i}"' for i in range(12)]
    lines.append(f'_dmarc.{name}. 60 IN TXT "v=DMARC1; p=reject; adkim=\\255"')
    publish(name, *lines)
    r = t.api.get(f"/v1/domains/{d['id']}/check")
    assert r.status_code == 200, r.text
    items = {i["item"]: i for i in r.json()["items"]}
    spf = items["spf"]["found"]
    assert spf.startswith("v=spf1 ??? -all") and len(spf) < 2048, spf
    assert all(32 <= ord(c) < 127 for c in spf)
    assert items["dkim"]["status"] == "invalid" and "12 TXT records" in items["dkim"]["detail"]
    assert items["dmarc"]["status"] == "ok" and "?" in items["dmarc"]["found"]


def test_a_resolver_that_does_not_answer_or_a_bad_setting(t):
    d = new_domain(t.api)
    env = dict(os.environ)
    # a loopback port of this stack where nothing answers UDP (the IMAP port is TCP only)
    host, port = __import__("dnslib").SERVER
    env["LINKCAMP_DNS_RESOLVER"] = f"{host}:{port - 2}"
    p = subprocess.run([os.path.join(BIN, "linkcamp"), "-c", CONFIG, "domain", "check", t.ws,
                        d["id"]], capture_output=True, text=True, timeout=120, env=env)
    assert p.returncode == 1, p.stdout + p.stderr
    assert p.stdout.count("no answer from") >= 3, p.stdout
    env["LINKCAMP_DNS_RESOLVER"] = "resolver.example"
    p = subprocess.run([os.path.join(BIN, "linkcamp"), "-c", CONFIG, "domain", "list", t.ws],
                       capture_output=True, text=True, timeout=60, env=env)
    assert p.returncode == 78 and "dns.resolver must be an IPv4 address:port" in p.stderr


# ---- the CLI and the doctor ----

def test_cli_add_list_zone_check(t):
    name = f"t{uuid.uuid4().hex[:8]}.dkim.test"
    out = cli("domain", "add", t.ws, name, "--selector", "cli1")
    lines = out.splitlines()
    dom_id = lines[0]
    assert dom_id.startswith("dom_") and "cli1._domainkey." + name in out
    assert f"cli1-ed25519._domainkey.{name}  (ed25519-sha256)" in out
    assert "v=DKIM1; k=ed25519; p=" in out
    assert "PRIVATE" not in out
    assert f"{dom_id}\t{name}\tselector cli1\tcli1-ed25519" in cli("domain", "list", t.ws)
    zone = cli("domain", "zone", t.ws, dom_id).splitlines()
    assert len(zone) == 2 and zone[0].startswith(f"cli1._domainkey.{name}. 3600 IN TXT ")
    assert zone[1].startswith(f'cli1-ed25519._domainkey.{name}. 3600 IN TXT "v=DKIM1; k=ed25519; p=')
    p = cli("domain", "check", t.ws, dom_id, check=False)
    assert p.returncode == 1 and "FAIL dkim " in " ".join(p.stdout.split()), p.stdout
    publish(name, *zone, txt(name, "v=spf1 -all"), txt("_dmarc." + name, "v=DMARC1; p=none"))
    p = cli("domain", "check", t.ws, dom_id, check=False)
    assert p.returncode == 0, p.stdout
    assert f"{name} (From postmaster@{name}): ok" in p.stdout
    p = cli("domain", "check", t.ws, "dom_nope", check=False)
    assert p.returncode != 0 and "not found" in p.stderr.lower()
    p = cli("domain", "add", t.ws, "bad name", check=False)
    assert p.returncode != 0 and "validation_failed (domain)" in p.stderr

    doctor = cli("doctor", check=False)
    mine = [l for l in doctor.stdout.splitlines() if f" {name} " in l]
    assert len(mine) == 6 and all(l.split()[0] == "ok" for l in mine), doctor.stdout
    # a missing Ed25519 record is a warning: the RSA signature still passes DMARC
    unpublish(f"cli1-ed25519._domainkey.{name}")
    doctor = cli("doctor", check=False)
    assert [l for l in doctor.stdout.splitlines()
            if l.startswith("warn") and f"{name} dkim-ed25519:" in l], doctor.stdout
    assert not [l for l in doctor.stdout.splitlines() if l.startswith("FAIL") and f" {name} " in l]
    p = cli("domain", "check", t.ws, dom_id, check=False)
    assert p.returncode == 1 and "FAIL dkim-ed25519 " in " ".join(p.stdout.split()), p.stdout
    unpublish(f"cli1._domainkey.{name}")
    doctor = cli("doctor", check=False)
    assert doctor.returncode == 1
    assert [l for l in doctor.stdout.splitlines()
            if l.startswith("FAIL") and f"{name} dkim:" in l], doctor.stdout
    t.api.request("DELETE", f"/v1/domains/{dom_id}")


# ---- the keys at rest ----

def test_private_keys_are_sealed_in_the_database_and_in_no_log(t):
    d = new_domain(t.api)
    publish_key(d)
    send_one(t.api, f"news@{d['domain']}", uuid.uuid4().hex[:8])
    rows = sql(f"SELECT LENGTH(rsa_box) FROM sending_domains WHERE public_id = '{d['id']}'")
    assert int(rows[0][0]) > 1600, rows
    # the Ed25519 key: sealed (nonce, tag, 32 bytes), and it opens, with the stack's key file,
    # to the very key whose public half is published
    rows = sql("SELECT HEX(ed25519_box), ed25519_public FROM sending_domains "
               f"WHERE public_id = '{d['id']}'")
    box = bytes.fromhex(rows[0][0])
    assert len(box) == 24 + 16 + 32, rows
    seed = nacl.secret.SecretBox(mailbox_key()).decrypt(box[24:], box[:24])
    pub = nacl.signing.SigningKey(seed).verify_key.encode()
    assert base64.b64encode(pub).decode() == rows[0][1] == d["records"][1]["value"].split("p=")[1]
    seed_forms = [seed, base64.b64encode(seed), seed.hex().encode(), seed.hex().upper().encode()]
    # PEM armour, and the start of any RSA-2048 PKCS#8 key in base64
    markers = [b"PRIVATE KEY", b"MIIEv", b"MIIEu"]
    for args in ([], ["--hex-blob"]):
        dump = subprocess.run(["mariadb-dump", "--no-defaults", "-S", db_socket(), "-u", "root",
                               *args, "linkcamp", "sending_domains"], capture_output=True,
                              timeout=120)
        assert dump.returncode == 0, dump.stderr
        assert d["id"].encode() in dump.stdout
        for mark in markers:
            assert mark not in dump.stdout and mark.hex().encode() not in dump.stdout.lower()
        for form in seed_forms:
            assert form not in dump.stdout
    for name in os.listdir(LOG_DIR):
        with open(os.path.join(LOG_DIR, name), "rb") as f:
            data = f.read()
        for mark in markers + seed_forms:
            assert mark not in data, name
