"""Claim (README, [app] login_max_failures_ip): the approval pages refuse sign-ins from a
client address after login_max_failures_ip failures in login_window_minutes, with 429 and
Retry-After, whatever the e-mail addresses tried — and only from that address.

Every test signs in from 127.0.0.1; this one connects to nginx from other loopback
addresses (random ones, so a rerun inside the window starts clean) and leaves
127.0.0.1's budget alone."""
import random
import re
import uuid

import requests

from claimlib import SourceAddress, effective
from conftest import URL, Tenant, cli

PASSWORD = "claims-" + uuid.uuid4().hex


def client(ip):
    s = requests.Session()
    s.mount("http://", SourceAddress(ip))
    return s


def sign_in(ip, email, password):
    """One sign-in from ip, in a fresh browser (its own cookies)."""
    s = client(ip)
    page = s.get(URL + "/app/login", timeout=30)
    assert page.status_code == 200, page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return s.post(URL + "/app/login", allow_redirects=False, timeout=60,
                  data={"csrf": csrf, "next": "/app/", "email": email, "password": password})


def test_sign_ins_from_one_address_stop_after_login_max_failures_ip():
    limit = int(effective("app", "login_max_failures_ip", "LINKCAMP_LOGIN_MAX_FAILURES_IP", "20"))
    per_email = int(effective("app", "login_max_failures", "LINKCAMP_LOGIN_MAX_FAILURES", "5"))
    t = Tenant()
    email = f"limit.{uuid.uuid4().hex[:8]}@agency.example"
    cli("user", "add", email, "--workspace", t.ws, "--role", "approver", "--password-stdin",
        stdin=PASSWORD + "\n")
    net = f"127.{random.randint(10, 250)}.{random.randint(0, 255)}"
    a, b = net + ".2", net + ".3"

    # the address can sign in: the right password is a 303 with a session
    ok = sign_in(a, email, PASSWORD)
    assert ok.status_code == 303, ok.text
    assert "linkcamp_session" in ok.headers.get("Set-Cookie", "")

    # `limit` failures from it, never more than per_email - 1 per address tried, so only
    # the per-client limit can be what stops it
    tried = 0
    while tried < limit:
        victim = f"nobody.{uuid.uuid4().hex[:8]}@agency.example"
        for _ in range(min(per_email - 1, limit - tried)):
            r = sign_in(a, victim, "wrong-" + uuid.uuid4().hex)
            assert r.status_code == 401, (tried, r.status_code, r.text)
            tried += 1

    # the next attempt, even with the right password, is refused without a session
    r = sign_in(a, email, PASSWORD)
    assert r.status_code == 429, r.text
    assert int(r.headers["Retry-After"]) > 0
    assert "linkcamp_session" not in r.headers.get("Set-Cookie", "")
    assert "Too many" in r.text

    # another address signs in to the same account at once
    other = sign_in(b, email, PASSWORD)
    assert other.status_code == 303, other.text
    assert "linkcamp_session" in other.headers.get("Set-Cookie", "")
