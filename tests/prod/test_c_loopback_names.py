"""(c) With [webhooks] allow_private at its default (no), a host name that resolves to a
loopback address — `localhost`, and every name /etc/hosts maps to 127.x or ::1 here — is
refused as a webhook target and as a placement page, after DNS and before any byte is
sent; so are the numeric spellings of 127.0.0.1 libcurl accepts. The receiver holds a
certificate the stack trusts, for 127.0.0.1 and localhost: only the guard stands between."""
import json
import uuid

from conftest import JSON, attempt_of, create_webhook, it, loopback_names, ping

REFUSED = "refused: the address is private, loopback or link-local"


def hosts():
    return loopback_names() + ["127.1", "2130706433", "[::ffff:127.0.0.1]", "[::1]"]


def test_loopback_webhook_targets_are_refused(receivers):
    t = it.Tenant()
    rx = receivers["good"]
    names = hosts()
    assert "localhost" in names and len(names) >= 5
    tried = 0
    for host in names:
        path = f"/ok/{uuid.uuid4().hex}"
        r = create_webhook(t.api, rx.url(path, host))
        if r.status_code == 422:  # refused by its shape already: also a refusal
            continue
        assert r.status_code == 201, (host, r.text)
        tried += 1
        wid = r.json()["id"]
        eid = ping(t.api, wid)
        d = attempt_of(t.api, wid, eid)
        assert d and not d["ok"] and d["error"] == REFUSED, (host, d)
        t.api.request("DELETE", f"/v1/webhooks/{wid}")
    assert tried >= 2  # at least localhost and one more name went as far as the guard
    assert rx.hits() == []


def test_loopback_placement_pages_are_refused(receivers):
    t = it.Tenant()
    rx = receivers["good"]
    cid = t.campaign(targetUrl="https://example.com/guide", template={"subject": "", "body": ""})
    # a placement must be on its prospect's site: one prospect per loopback name that is a
    # domain a prospect can have (blog.localhost always is; a bare name like "localhost"
    # is refused as a prospect by its shape already, which is also a refusal)
    want, rel_of = {}, {}
    for host in ["blog.localhost"] + loopback_names():
        r = t.api.post(f"/v1/link-building/campaign/{cid}/relationships", headers=JSON,
                       data=json.dumps({"prospects": [{"domain": host, "contactName": "Ada",
                                        "contactEmail": f"ada-{uuid.uuid4().hex[:6]}@{host}"}]}))
        if r.status_code != 201:
            continue
        rid = r.json()["data"][0]["id"]
        path = f"/post/{uuid.uuid4().hex}"
        r = t.api.post(f"/v1/link-building/relationship/{rid}/placement", headers=JSON,
                       data=json.dumps({"linkUrl": rx.url(path, host)}))
        assert r.status_code == 202, (host, r.text)
        want[r.json()["id"]] = (host, path)
        rel_of[r.json()["id"]] = rid
    assert want, "no loopback name could be a prospect's domain"

    def all_checked():
        got = {}
        for pid, rid in rel_of.items():
            rows = t.api.get(f"/v1/link-building/relationship/{rid}/placement").json()["data"]
            got.update({p["id"]: p for p in rows if p["id"] == pid})
        return got if len(got) == len(want) and all(p["checkedAt"] for p in got.values()) else None
    got = it.wait_for(all_checked, timeout=30)
    assert got, want
    for pid, p in got.items():
        assert p["httpStatus"] is None and p["status"] != "verified", (want[pid], p)
        assert REFUSED in p["lastError"], (want[pid], p)
    assert rx.hits() == []
    r = t.api.get(f"/v1/link-building/campaign/{cid}")
    assert r.json()["placedCount"] == 0
