"""The pages' templates are read and compiled on a page's first request and kept
(src/ui/ui_tmpl.c, docs/ui.md). A missing or broken template must still answer the plain
500 page and log why, on every request (a failure is not cached), without touching the
other pages; once the file is there the page renders, with no restart. linkcamp-fcgi is
restarted on a copy of templates/ (LINKCAMP_TEMPLATES_DIR) and then back on its own."""
import os
import shutil
import subprocess
import tempfile

from conftest import URL, sign_in

DEV = os.environ.get("LINKCAMP_DEV", "")
INSTANCE = os.environ.get("LINKCAMP_INSTANCE", "test")
LOG_DIR = os.environ.get("LINKCAMP_LOG_DIR", "/tmp")
HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(HERE, "..", "..", "templates")
BROKEN = "<!doctype html><title>Error</title><p>Something went wrong."


def _signed_in():
    return sign_in(os.environ["LINKCAMP_APPROVER_EMAIL"], os.environ["LINKCAMP_APPROVER_PASSWORD"])


def _log_size():
    return os.path.getsize(os.path.join(LOG_DIR, "fcgi.log"))


def _log_since(offset):
    with open(os.path.join(LOG_DIR, "fcgi.log"), "rb") as f:
        f.seek(offset)
        return f.read().decode("utf-8", "replace")


def test_missing_or_broken_template_is_a_500_and_a_log_line_every_time_until_fixed():
    ws = os.environ["LINKCAMP_WORKSPACE_ID"]
    s = _signed_in()
    want_campaigns = s.get(f"{URL}/app/w/{ws}/campaigns", timeout=30)
    assert want_campaigns.status_code == 200

    tmp = tempfile.mkdtemp(prefix="linkcamp-templates-")
    try:
        shutil.copytree(TEMPLATES, os.path.join(tmp, "t"))
        d = os.path.join(tmp, "t")
        os.rename(os.path.join(d, "campaigns.html"), os.path.join(d, "campaigns.html.away"))
        with open(os.path.join(d, "activity.html"), "a") as f:
            f.write("{{#unclosed}}\n")
        env = dict(os.environ, LINKCAMP_TEMPLATES_DIR=d)
        subprocess.run([DEV, "fcgi-restart", INSTANCE], check=True, env=env, timeout=120)

        start = _log_size()
        for _ in range(2):
            r = s.get(f"{URL}/app/w/{ws}/campaigns", timeout=30)
            assert r.status_code == 500 and r.text == BROKEN, (r.status_code, r.text[:200])
            r = s.get(f"{URL}/app/w/{ws}/activity", timeout=30)
            assert r.status_code == 500 and r.text == BROKEN, (r.status_code, r.text[:200])
            assert s.get(f"{URL}/app/w/{ws}/approvals", timeout=30).status_code == 200
        log = _log_since(start)
        missing = f"cannot open template {d}/campaigns.html"
        assert log.count(missing) == 2, log[-2000:]
        assert log.count('template activity: in partial \\"content\\": unclosed section '
                         '\\"unclosed\\"') == 2, log[-2000:]

        # the file comes back: the next request reads it, no restart needed
        os.rename(os.path.join(d, "campaigns.html.away"), os.path.join(d, "campaigns.html"))
        r = s.get(f"{URL}/app/w/{ws}/campaigns", timeout=30)
        assert r.status_code == 200 and r.text == want_campaigns.text
    finally:
        subprocess.run([DEV, "fcgi-restart", INSTANCE], check=True, timeout=120)
        shutil.rmtree(tmp, ignore_errors=True)
    assert s.get(f"{URL}/app/w/{ws}/activity", timeout=30).status_code == 200
