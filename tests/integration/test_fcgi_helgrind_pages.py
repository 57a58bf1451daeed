"""The signed-in pages under Valgrind's helgrind: linkcamp-fcgi reads and compiles each
page's template on the page's first request and keeps it (src/ui/ui_tmpl.c, docs/ui.md).
Right after a restart, eight clients ask for every page at once, so several threads miss
the template cache for the same and for different templates together; helgrind must see
no data race and no lock-order problem, and every page must come out the same as the
same page from the suite's own linkcamp-fcgi. The release build is used: helgrind cannot
run an ASan binary."""
import concurrent.futures
import os
import re
import subprocess

import requests

from conftest import URL, sign_in

DEV = os.environ.get("LINKCAMP_DEV", "")
INSTANCE = os.environ.get("LINKCAMP_INSTANCE", "test")
LOG_DIR = os.environ.get("LINKCAMP_LOG_DIR", "/tmp")
HERE = os.path.dirname(os.path.abspath(__file__))


def _signed_in():
    return sign_in(os.environ["LINKCAMP_APPROVER_EMAIL"],
                   os.environ["LINKCAMP_APPROVER_PASSWORD"]).cookies.get_dict()


def _fetch(cookies, path):
    r = requests.get(URL + path, cookies=cookies, allow_redirects=False, timeout=120)
    # the login page's form carries a fresh token each time
    return r.status_code, re.sub(r'name="csrf" value="[^"]*"', "", r.text)


def test_first_page_requests_race_on_the_template_cache_cleanly_under_helgrind():
    ws = os.environ["LINKCAMP_WORKSPACE_ID"]
    cid = os.environ["LINKCAMP_CAMPAIGN_ID"]
    cookies = _signed_in()
    pages = [(cookies, f"/app/w/{ws}/{p}") for p in (
        "approvals", "campaigns", f"campaigns/{cid}", "activity", "mailboxes", "unmatched",
        "report", f"campaigns/{cid}/report", "approvals/msg_AAAAAAAAAAAAAAAAAAAAAA")]
    pages += [({}, "/app/login"), ({}, "/u/bogus"), ({}, "/r/bogus")]
    want = [_fetch(c, p) for c, p in pages]
    assert [code for code, _ in want] == [200] * 8 + [404, 200, 404, 404], [c for c, _ in want]

    log = os.path.join(LOG_DIR, "helgrind-fcgi-pages.log")
    if os.path.exists(log):
        os.unlink(log)
    env = dict(os.environ, LINKCAMP_FCGI_WRAPPER=(
        f"valgrind --tool=helgrind --suppressions={HERE}/helgrind.supp --log-file={log}"))
    subprocess.run([DEV, "fcgi-restart", INSTANCE, "release"], check=True, env=env, timeout=120)
    try:
        # every page twice in a row per round, so first loads and cache hits overlap
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            got = list(pool.map(lambda i: _fetch(*pages[(i // 2) % len(pages)]),
                                range(4 * len(pages))))
    finally:
        # back to the suite's own linkcamp-fcgi; SIGTERM ends the helgrind one
        subprocess.run([DEV, "fcgi-restart", INSTANCE], check=True, timeout=120)
    for i, g in enumerate(got):
        code, body = want[(i // 2) % len(pages)]
        # the report pages say when they were made ("as of HH:MM UTC")
        strip = lambda s: re.sub(r"as of \d{4}-\d\d-\d\d \d\d:\d\d UTC", "", s)
        assert g[0] == code and strip(g[1]) == strip(body), (pages[(i // 2) % len(pages)], g[0])
    with open(log) as f:
        report = f.read()
    summary = re.findall(r"ERROR SUMMARY: (\d+) errors", report)
    assert summary and summary[-1] == "0", report[-4000:]
