"""(d) Signing in to /app over https with [app] secure_cookies at its default (yes): the
login form's token and the session are __Host- cookies — Secure, Path=/, no Domain,
HttpOnly — and the session cookie alone opens /app. (tests/browser/https.test.mjs does
the same in Chromium.)"""
import os
import re

import requests

from conftest import it

URL = os.environ["LINKCAMP_URL"]


def cookie_lines(r):
    return r.raw.headers.getlist("Set-Cookie")


def check_host_cookie(line, name):
    assert line.startswith(name + "="), line
    attrs = [a.strip().lower() for a in line.split(";")[1:]]
    assert "secure" in attrs and "httponly" in attrs and "path=/" in attrs, line
    assert not any(a.startswith("domain") for a in attrs), line


def test_https_sign_in_sets_host_prefixed_secure_cookies():
    assert URL.startswith("https://")
    s = requests.Session()
    r = s.get(URL + "/app/login", allow_redirects=False, timeout=30)
    assert r.status_code == 200, r.text
    login = [l for l in cookie_lines(r) if l.startswith("__Host-linkcamp_login=")]
    assert len(login) == 1, cookie_lines(r)
    check_host_cookie(login[0], "__Host-linkcamp_login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    form = {"csrf": csrf, "email": os.environ["LINKCAMP_APPROVER_EMAIL"],
            "password": os.environ["LINKCAMP_APPROVER_PASSWORD"], "next": "/app/"}
    r = s.post(URL + "/app/login", data=form, allow_redirects=False, timeout=30)
    assert r.status_code == 303, r.text
    session = [l for l in cookie_lines(r) if l.startswith("__Host-linkcamp_session=")]
    assert len(session) == 1, cookie_lines(r)
    check_host_cookie(session[0], "__Host-linkcamp_session")
    assert not any(l.startswith("linkcamp_session=") for l in cookie_lines(r))
    sid = s.cookies.get("__Host-linkcamp_session")
    assert sid
    # the session cookie alone opens the pages; without it, the login page again
    r = requests.get(URL + "/app/?choose=1", cookies={"__Host-linkcamp_session": sid},
                     allow_redirects=False, timeout=30)
    assert r.status_code == 200 and "Choose a workspace" in r.text, (r.status_code, r.text[:300])
    r = requests.get(URL + "/app/?choose=1", cookies={"linkcamp_session": sid},
                     allow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["Location"].startswith("/app/login"), r.status_code


def test_the_tls_stack_answers_https_only():
    """Nothing of the application is reachable in clear on its port."""
    port = URL.rsplit(":", 1)[1]
    try:
        r = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
        assert r.status_code == 400, r.status_code  # nginx: plain HTTP sent to an HTTPS port
    except requests.ConnectionError:
        pass
