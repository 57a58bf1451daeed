"""A hostile browser: a seeded random walk over the approval pages, the unsubscribe page and
the open pixel, signed in and not, with mutated form fields, ids, queries, cookies and
methods. Whatever it sends, the answer is below 500 and an error is an HTML page (or a
problem+json body), and the stack is still ready afterwards."""
import json
import os
import random
import re
import uuid

import requests

from conftest import URL, Tenant, add_prospects, cli, csrf_of, sign_in

JSON = {"Content-Type": "application/json"}
CAMPAIGN = "/v1/link-building/campaign"
SEED = int(os.environ.get("LINKCAMP_HOSTILE_SEED", "20261126"))
ROUNDS = int(os.environ.get("LINKCAMP_HOSTILE_ROUNDS", "1000"))
PASSWORD = "correct horse battery staple"

FIELD_VALUES = [
    "", " ", "x" * 20000, "\u00e9", "\U0001F600" * 100, "a\u0000b", "<img src=x onerror=alert(1)>",
    "' OR 1=1 --", "approve", "reject", "all", "-1", "99999999999999999999", "\r\n\r\n", "%00",
    "javascript:alert(1)", "//evil.example/", "/app/../../etc", "https://evil.example/",
]
IDS = ["", "x", "..", "%00", "a" * 300, "msg_AAAAAAAAAAAAAAAAAAAAAA", "ws_AAAAAAAAAAAAAAAAAAAAAA",
       "%F0%9F%98%80", "1 OR 1=1", "%25", "scmp_AAAAAAAAAAAAAAAAAAAAAA"]
QUERIES = ["", "status=x", "cursor=%00", "cursor=abc", "limit=-1", "limit=1e9", "next=//evil.example",
           "next=https://evil.example/", "page=" + "9" * 30, "q=%ff", "&&", "campaign=" + "a" * 2000]


def _signed_in(email):
    return sign_in(email, PASSWORD)


def _world():
    t = Tenant()
    email = f"hostile.{uuid.uuid4().hex[:8]}@agency.example"
    cli("user", "add", email, "--workspace", t.ws, "--role", "approver", "--password-stdin",
        stdin=PASSWORD + "\n")
    body = {"type": "custom", "name": "hostile pages", "targetUrl": "https://ours.example/x",
            "sender": "sam@agency.example", "template": {"subject": "Hi", "body": "Hello"}}
    cid = t.api.post(CAMPAIGN, headers=JSON, data=json.dumps(body)).json()["id"]
    rels = add_prospects(t.api, cid, [{"domain": f"g{i}.example", "contactName": f"G {i}",
                                       "contactEmail": f"g{i}@g{i}.example"} for i in range(3)])
    msgs = []
    for rel in rels.values():
        r = t.api.post(f"{CAMPAIGN}/{cid}/send-email", headers=JSON,
                       data=json.dumps({"relationshipId": rel, "subject": "s", "body": "b"}))
        assert r.status_code == 202, r.text
        msgs.append(r.json()["invocation"]["message"]["id"])
    return t, email, cid, msgs


# Failed sign-ins are left out: they count against 127.0.0.1, which every test signs in
# from, and the throttle would lock the other tests out (test_auth covers the sign-in form).
def test_a_random_walk_of_hostile_page_requests_never_gets_a_5xx():
    t, email, cid, msgs = _world()
    signed = _signed_in(email)
    anon = requests.Session()
    ws = t.ws
    routes = [
        ("GET", "/app/w/{ws}/approvals", {}), ("POST", "/app/w/{ws}/approvals", {"action": "approve", "id": "{id}"}),
        ("GET", "/app/w/{ws}/approvals/{id}", {}),
        ("POST", "/app/w/{ws}/approvals/{id}/approve", {"subject": "edited", "body": "edited"}),
        ("POST", "/app/w/{ws}/approvals/{id}/reject", {"reason": "no"}),
        ("GET", "/app/w/{ws}/campaigns", {}), ("GET", "/app/w/{ws}/campaigns/{cid}", {}),
        ("POST", "/app/w/{ws}/campaigns/{cid}/pause", {"reason": "hold"}),
        ("POST", "/app/w/{ws}/campaigns/{cid}/resume", {}),
        ("GET", "/app/w/{ws}/activity", {}), ("GET", "/app/", {}), ("GET", "/app/login", {}),
        ("GET", "/app/set-password/{id}", {}), ("POST", "/app/set-password/{id}", {"password": "x"}),
        ("GET", "/u/{id}", {}), ("POST", "/u/{id}", {"List-Unsubscribe": "One-Click"}),
        ("GET", "/t/o/{id}.gif", {}),
    ]
    rng = random.Random(SEED)
    seen = {}
    for n in range(ROUNDS):
        method, path, form = rng.choice(routes)
        s = signed if rng.random() < 0.8 else anon
        ids = {"ws": ws, "id": rng.choice(msgs), "cid": cid}
        form = dict(form)
        roll = rng.random()
        if roll < 0.2:
            ids[rng.choice(list(ids))] = rng.choice(IDS)
        elif roll < 0.5 and form:
            form[rng.choice(list(form))] = rng.choice(FIELD_VALUES)
        elif roll < 0.6:
            form[rng.choice(["extra", "csrf", "action", "id"])] = rng.choice(FIELD_VALUES)
        if method == "POST" and "csrf" not in form and rng.random() < 0.5:
            page = s.get(URL + "/app/w/" + ws + "/approvals", timeout=30)
            form["csrf"] = csrf_of(page.text)
        query = rng.choice(QUERIES) if rng.random() < 0.3 else ""
        if rng.random() < 0.05:
            method = rng.choice(["PUT", "DELETE", "HEAD", "PATCH"])
        url = URL + re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path) + ("?" + query if query else "")
        r = s.request(method, url, data=form if method != "GET" else None, allow_redirects=False, timeout=30)
        what = f"#{n} {method} {url} {str(form)[:300]}"
        assert r.status_code < 500, (what, r.status_code, r.text[:300])
        if r.status_code >= 400 and method != "HEAD":
            ctype = r.headers.get("Content-Type", "")
            assert ctype.startswith(("text/html", "application/problem+json")), (what, ctype)
        seen[r.status_code] = seen.get(r.status_code, 0) + 1
    assert all(seen.get(code) for code in (200, 303, 403, 404)), sorted(seen.items())
    assert requests.get(URL + "/readyz", timeout=30).status_code == 200
