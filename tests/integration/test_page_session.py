"""Who is signed in, and what is their role here: a workspace's page reads the session and
the user's role in the path's workspace in one statement (sessions_resolve_in,
docs/first-reads.md "Session and role in one statement"). These tests hold it to the
answers the two statements gave: no cookie, a malformed or unknown one and a session past
its limits go to the login page (a session past a limit is deleted); a live session
without a role in the workspace gets the 404 page, not the login page; each role's rights
on the approval queue; the idle deadline moves as before."""
import hashlib
import json
import urllib.parse
import uuid

import requests

from conftest import URL, Tenant, add_prospects, cli, config_value, csrf_of, sign_in, sql

JSON = {"Content-Type": "application/json"}
CAMPAIGN = "/v1/link-building/campaign"
PASSWORD = "correct horse battery staple"


def _user(ws, role):
    email = f"page.{role}.{uuid.uuid4().hex[:8]}@agency.example"
    cli("user", "add", email, "--workspace", ws, "--role", role, "--password-stdin",
        stdin=PASSWORD + "\n")
    return email


def _signed_in(email):
    return sign_in(email, PASSWORD)


def _sid(s):
    sids = [c.value for c in s.cookies if c.name.endswith("linkcamp_session")]
    assert len(sids) == 1, list(s.cookies)
    return sids[0]


def _hash_sql(sid):
    return "UNHEX('" + hashlib.sha256(sid.encode()).hexdigest() + "')"


def _session_row(sid):
    return sql("SELECT UNIX_TIMESTAMP(created_at), UNIX_TIMESTAMP(last_seen_at), "
               f"UNIX_TIMESTAMP(expires_at) FROM sessions WHERE id_hash = {_hash_sql(sid)}")


def _limit(key, default, unit):
    """The stack's session limit in seconds ([app] key, or its documented default)."""
    try:
        return int(config_value("app", key)) * unit
    except AssertionError:
        return default * unit


def _is_login_redirect(r, path):
    assert r.status_code == 303, (r.status_code, r.text[:300])
    assert r.headers["Location"] == "/app/login?next=" + urllib.parse.quote(path, safe=""), \
        r.headers["Location"]


def _is_no_workspace(r):
    assert r.status_code == 404, (r.status_code, r.text[:300])
    assert "Workspace not found" in r.text


def _queued_message(t):
    body = {"type": "custom", "name": "page session", "targetUrl": "https://ours.example/x",
            "sender": "sam@agency.example", "template": {"subject": "Hi", "body": "Hello"}}
    cid = t.api.post(CAMPAIGN, headers=JSON, data=json.dumps(body)).json()["id"]
    rels = add_prospects(t.api, cid, [{"domain": "ps.example", "contactName": "P S",
                                       "contactEmail": "ps@ps.example"}])
    rel = next(iter(rels.values()))
    r = t.api.post(f"{CAMPAIGN}/{cid}/send-email", headers=JSON,
                   data=json.dumps({"relationshipId": rel, "subject": "s", "body": "b"}))
    assert r.status_code == 202, r.text
    return r.json()["invocation"]["message"]["id"]


def test_without_a_live_session_a_workspace_page_goes_to_login():
    t = Tenant()
    path = f"/app/w/{t.ws}/approvals"
    for cookie in (None, "x", "%00" * 10, "A" * 43, "A" * 500):
        s = requests.Session()
        if cookie is not None:
            s.cookies.set("linkcamp_session", cookie)
            s.cookies.set("__Host-linkcamp_session", cookie)
        _is_login_redirect(s.get(URL + path, allow_redirects=False, timeout=30), path)


def test_a_live_session_without_a_role_in_the_workspace_is_404_not_login():
    t, other = Tenant(), Tenant()
    s = _signed_in(_user(t.ws, "approver"))
    assert s.get(URL + f"/app/w/{t.ws}/approvals", allow_redirects=False,
                 timeout=30).status_code == 200
    # the same account's second workspace, another account's, an unknown and a malformed id
    for ws in (t.ws2, other.ws, "ws_" + "A" * 22, "nope"):
        for page in ("approvals", "campaigns", "activity"):
            _is_no_workspace(s.get(URL + f"/app/w/{ws}/{page}", allow_redirects=False,
                                   timeout=30))
    # a POST with this session's CSRF token: the workspace is checked after the token
    csrf = csrf_of(s.get(URL + f"/app/w/{t.ws}/approvals", timeout=30).text)
    r = s.post(URL + f"/app/w/{other.ws}/approvals", allow_redirects=False, timeout=30,
               data={"csrf": csrf, "action": "approve", "id": "msg_" + "A" * 22})
    _is_no_workspace(r)
    # the session is still there: a 404 ends nothing
    assert s.get(URL + f"/app/w/{t.ws}/approvals", allow_redirects=False,
                 timeout=30).status_code == 200


def test_a_session_idle_past_its_limit_goes_to_login_and_is_gone():
    t = Tenant()
    s = _signed_in(_user(t.ws, "viewer"))
    sid = _sid(s)
    path = f"/app/w/{t.ws}/campaigns"
    assert s.get(URL + path, allow_redirects=False, timeout=30).status_code == 200
    idle = _limit("session_idle_minutes", 30, 60)
    # last seen longer ago than the idle limit, with its stored deadline still ahead (as a
    # session opened under a longer limit has): the check in C decides, and deletes it
    sql(f"UPDATE sessions SET last_seen_at = NOW(3) - INTERVAL {idle + 60} SECOND, "
        f"created_at = NOW(3) - INTERVAL {idle + 60} SECOND WHERE id_hash = {_hash_sql(sid)}")
    assert len(_session_row(sid)) == 1
    _is_login_redirect(s.get(URL + path, allow_redirects=False, timeout=30), path)
    assert _session_row(sid) == []
    _is_login_redirect(s.get(URL + path, allow_redirects=False, timeout=30), path)


def test_a_session_past_its_absolute_limit_goes_to_login_and_is_gone():
    t = Tenant()
    s = _signed_in(_user(t.ws, "admin"))
    sid = _sid(s)
    path = f"/app/w/{t.ws}/approvals"
    absolute = _limit("session_max_hours", 12, 3600)
    sql(f"UPDATE sessions SET created_at = NOW(3) - INTERVAL {absolute + 60} SECOND "
        f"WHERE id_hash = {_hash_sql(sid)}")
    _is_login_redirect(s.get(URL + path, allow_redirects=False, timeout=30), path)
    assert _session_row(sid) == []


def test_a_workspace_page_moves_the_idle_deadline_at_most_once_a_minute():
    t = Tenant()
    s = _signed_in(_user(t.ws, "approver"))
    sid = _sid(s)
    path = f"/app/w/{t.ws}/activity"
    sql(f"UPDATE sessions SET last_seen_at = NOW(3) - INTERVAL 5 MINUTE, "
        f"expires_at = NOW(3) + INTERVAL 1 MINUTE WHERE id_hash = {_hash_sql(sid)}")
    [before] = _session_row(sid)
    assert s.get(URL + path, allow_redirects=False, timeout=30).status_code == 200
    [moved] = _session_row(sid)
    assert float(moved[1]) > float(before[1]) + 200, (before, moved)
    assert float(moved[2]) > float(before[2]) + 200, (before, moved)
    # within the minute: nothing is written
    sql(f"UPDATE sessions SET expires_at = NOW(3) + INTERVAL 10 MINUTE "
        f"WHERE id_hash = {_hash_sql(sid)}")
    [kept] = _session_row(sid)
    assert s.get(URL + path, allow_redirects=False, timeout=30).status_code == 200
    assert _session_row(sid) == [kept]


def test_each_role_has_its_rights_on_the_queue():
    t = Tenant()
    msg = _queued_message(t)
    queue = f"/app/w/{t.ws}/approvals"
    viewer = _signed_in(_user(t.ws, "viewer"))
    approver = _signed_in(_user(t.ws, "approver"))
    admin = _signed_in(_user(t.ws, "admin"))

    pages = {name: s.get(URL + queue, allow_redirects=False, timeout=30)
             for name, s in (("viewer", viewer), ("approver", approver), ("admin", admin))}
    for name, r in pages.items():
        assert r.status_code == 200, (name, r.text[:300])
        assert f"/app/w/{t.ws}/approvals/{msg}" in r.text, name
    assert 'value="approve"' not in pages["viewer"].text
    assert 'name="id" value="' + msg + '"' not in pages["viewer"].text
    for name in ("approver", "admin"):
        assert 'value="approve"' in pages[name].text, name
        assert 'name="id" value="' + msg + '"' in pages[name].text, name

    def status():
        return sql(f"SELECT status FROM outbound_messages WHERE public_id = '{msg}'")

    waiting = status()
    assert len(waiting) == 1
    # a viewer's approval is refused and changes nothing
    r = viewer.post(URL + queue, allow_redirects=False, timeout=30, data={
        "csrf": csrf_of(pages["viewer"].text), "action": "approve", "id": msg})
    assert r.status_code == 403, r.text[:300]
    assert "Not allowed" in r.text
    assert status() == waiting

    # an approver's goes through
    r = approver.post(URL + queue, allow_redirects=False, timeout=30, data={
        "csrf": csrf_of(pages["approver"].text), "action": "approve", "id": msg})
    assert r.status_code in (200, 303), r.text[:300]
    assert status() != waiting
