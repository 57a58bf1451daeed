"""The sign-in throttle counts guesses at the account the address finds, however the address
is spelt (the lookup ignores case, accents and trailing spaces, so the throttle must too),
per client address: an attacker elsewhere cannot lock the real user out, and each further
failure doubles the wait (docs/signin.md).

Failed sign-ins come from other loopback addresses (127.0.0.x) than the one every other test
uses, so this file's failures never throttle another test."""
import random
import re
import uuid

import requests
from requests.adapters import HTTPAdapter

from conftest import URL, cli, sql

PASSWORD = "correct horse battery staple"


class FromAddress(HTTPAdapter):
    """Connects from a given local address, so nginx sees it as REMOTE_ADDR."""

    def __init__(self, ip):
        self.ip = ip
        super().__init__()

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (self.ip, 0)
        return super().init_poolmanager(*args, **kw)


def client():
    ip = f"127.0.{random.randrange(1, 255)}.{random.randrange(2, 255)}"
    s = requests.Session()
    s.mount("http://", FromAddress(ip))
    return s


def sign_in(s, email, password):
    page = s.get(URL + "/app/login", timeout=30)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return s.post(URL + "/app/login", allow_redirects=False, timeout=30,
                  data={"csrf": csrf, "next": "/app/", "email": email, "password": password})


def user():
    tag = uuid.uuid4().hex[:8]
    account = cli("account", "create", f"Throttle {tag}")
    ws = cli("workspace", "create", account, f"T {tag}")
    email = f"brute.{tag}@x.example"
    cli("user", "add", email, "--workspace", ws, "--role", "approver", "--password-stdin",
        stdin=PASSWORD + "\n")
    return email


def test_other_spellings_of_the_address_get_no_fresh_guesses():
    email = user()
    s = client()
    for i in range(5):
        assert sign_in(s, email, f"wrong-{i}").status_code == 401
    local, domain = email.split("@")
    spellings = [email + " ", email + "   ", "br\u00fa" + local[3:] + "@" + domain,
                 local.upper() + "@" + domain.upper(), "br\u00fb" + local[3:] + "@" + domain]
    for other in spellings:
        r = sign_in(s, other, "another-guess")
        assert r.status_code == 429, (repr(other), r.status_code)
        assert int(r.headers["Retry-After"]) > 0
    assert sign_in(s, email, PASSWORD).status_code == 429  # even the right one waits here


def test_an_attacker_elsewhere_cannot_lock_the_user_out():
    email = user()
    attacker = client()
    for i in range(5):
        assert sign_in(attacker, email, f"wrong-{i}").status_code == 401
    assert sign_in(attacker, email, "wrong-again").status_code == 429
    # the real user, from their own address, still signs in
    assert sign_in(client(), email, PASSWORD).status_code == 303


def test_each_failure_after_the_limit_doubles_the_wait():
    email = user()
    s = client()
    for i in range(5):
        assert sign_in(s, email, f"wrong-{i}").status_code == 401
    waits = []
    for _ in range(3):
        r = sign_in(s, email, "wrong")
        assert r.status_code == 429
        waits.append(int(r.headers["Retry-After"]))
        # let the wait pass: move this user's failures back by it (tests write to the
        # database only to make time pass)
        sql(f"UPDATE login_failures SET failed_at = failed_at - INTERVAL {waits[-1] + 1} SECOND "
            "WHERE failed_at > NOW(3) - INTERVAL 1 HOUR")
        assert sign_in(s, email, "wrong").status_code == 401  # allowed again, and wrong
    assert waits[1] > waits[0] and waits[2] > waits[1], waits
    assert waits[2] >= 3 * waits[0], waits  # doubling: base, 2 base, 4 base (rounded up)
