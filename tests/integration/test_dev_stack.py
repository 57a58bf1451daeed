"""The dev stack's own tooling: scripts/dev keeps supervised processes up, refuses to start
a build that does not exist, and the SMTP sink defers (451) what it cannot store."""
import os
import signal
import smtplib
import socket
import subprocess
import sys

import pytest

from conftest import wait_for

DEV = os.environ.get("LINKCAMP_DEV", "")
INSTANCE = os.environ.get("LINKCAMP_INSTANCE", "test")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(DEV)))
RUN = os.path.join(ROOT, "var", INSTANCE, "run")
LOG = os.path.join(ROOT, "var", INSTANCE, "log")


def pid_of(name):
    with open(os.path.join(RUN, f"{name}.pid")) as f:
        return int(f.read())


def log(name):
    with open(os.path.join(LOG, name), errors="replace") as f:
        return f.read()


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def test_a_supervised_worker_that_dies_is_started_again_and_logged():
    subprocess.run([DEV, "worker-start", INSTANCE], check=True, timeout=60,
                   env=dict(os.environ, LINKCAMP_SUPERVISE="1"))
    try:
        first = pid_of("worker")
        os.kill(first, signal.SIGKILL)
        second = wait_for(lambda: (lambda p: p if p != first and alive(p) else None)(pid_of("worker")),
                          timeout=30)
        assert second, "the supervised worker was not started again"
        assert wait_for(lambda: f":{second} delivering through" in log("worker.log"), timeout=60)
        with open(os.path.join(LOG, "supervisor.log")) as f:
            assert f"worker (pid {first}) exited with status 137; starting it again" in f.read()
        # a stop is a stop: the supervisor does not bring it back, and the exit was clean
        subprocess.run([DEV, "worker-stop", INSTANCE], check=True, timeout=90)
        assert not alive(second)
        assert not os.path.exists(os.path.join(RUN, "worker.pid"))
    finally:
        subprocess.run([DEV, "worker-start", INSTANCE], check=True, timeout=60)


def test_restarting_a_variant_that_was_not_built_fails_loudly():
    p = subprocess.run([DEV, "fcgi-restart", INSTANCE, "no-such-variant"], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode != 0
    assert "no-such-variant" in p.stderr and "does not exist" in p.stderr
    p = subprocess.run([DEV, "worker-start", "no-such-instance"], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode != 0 and "is not running" in p.stderr
    # the running stack was left alone
    assert alive(pid_of("fcgi")) and alive(pid_of("worker"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def own_sink(tmp_path):
    port = free_port()
    maildir = tmp_path / "mail"
    p = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts", "smtp-sink.py"), str(port),
                          str(maildir)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def up():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False
    assert wait_for(up)
    yield port, maildir
    p.send_signal(signal.SIGTERM)
    assert p.wait(20) == 0


def test_the_sink_defers_what_it_cannot_store(own_sink):
    port, maildir = own_sink
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as s:
        s.sendmail("a@x.example", ["b@y.example"], b"Subject: kept\r\n\r\nhello\r\n")
    assert len(os.listdir(maildir / "new")) == 1
    # the maildir's tmp/ is no longer a directory: the next message cannot be written
    os.rmdir(maildir / "tmp")
    (maildir / "tmp").write_bytes(b"")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as s:
        with pytest.raises(smtplib.SMTPDataError) as e:
            s.sendmail("a@x.example", ["b@y.example"], b"Subject: lost?\r\n\r\nhello\r\n")
    assert e.value.smtp_code == 451
    assert len(os.listdir(maildir / "new")) == 1
