"""`linkcamp doctor`: the operator's check of configuration, database and SMTP relay. It
reads only, says what is wrong on one line each, and exits 1 when anything failed."""
import os
import shutil
import socket
import subprocess
import tempfile
import threading

from conftest import BIN, CONFIG


def doctor(**env_extra):
    env = dict(os.environ, **env_extra)
    p = subprocess.run([os.path.join(BIN, "linkcamp"), "-c", CONFIG, "doctor"], env=env,
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def lines(out, status, what):
    return [line for line in out.splitlines() if line.split()[:2] == [status, what]]


def test_a_healthy_stack_is_all_good():
    rc, out, err = doctor()
    assert rc == 0 and err == "", out + err
    assert out.endswith("doctor: all good\n")
    assert lines(out, "ok", "database") and lines(out, "ok", "smtp") and lines(out, "ok", "config")
    assert not [line for line in out.splitlines() if line.startswith("FAIL")]


def test_each_broken_part_is_named_and_fails():
    rc, out, _ = doctor(LINKCAMP_SMTP_PORT="1")
    assert rc == 1 and "Connection refused" in lines(out, "FAIL", "smtp")[0], out
    assert out.endswith("doctor: something needs fixing (FAIL above)\n")
    rc, out, _ = doctor(LINKCAMP_DB_SOCKET="/nonexistent/mysql.sock")
    assert rc == 1 and "/nonexistent/mysql.sock" in lines(out, "FAIL", "database")[0], out
    rc, out, _ = doctor(LINKCAMP_SMTP_STARTTLS="required")
    assert rc == 1 and "STARTTLS" in lines(out, "FAIL", "smtp")[0], out
    rc, out, _ = doctor(LINKCAMP_SMTP_HOST="no-such-host.invalid")
    assert rc == 1 and "no such host" in lines(out, "FAIL", "smtp")[0], out


def test_a_relay_that_never_greets_fails_within_the_timeout():
    quiet = socket.socket()
    quiet.bind(("127.0.0.1", 0))
    quiet.listen(4)
    held = []
    threading.Thread(target=lambda: held.append(quiet.accept()), daemon=True).start()
    try:
        rc, out, _ = doctor(LINKCAMP_SMTP_PORT=str(quiet.getsockname()[1]), LINKCAMP_SMTP_TIMEOUT_MS="1000")
    finally:
        quiet.close()
    assert rc == 1 and "did not greet" in lines(out, "FAIL", "smtp")[0], out


def test_a_pending_migration_is_reported_and_nothing_is_applied():
    with open(CONFIG) as f:
        sql_dir = next(line.split("=", 1)[1].strip() for line in f if line.startswith("sql_dir"))
    with tempfile.TemporaryDirectory() as tmp:
        for name in os.listdir(sql_dir):
            shutil.copy(os.path.join(sql_dir, name), tmp)
        with open(os.path.join(tmp, "999_doctor_probe.sql"), "w") as f:
            f.write("CREATE TABLE doctor_probe (id INT PRIMARY KEY);\n")
        rc, out, _ = doctor(LINKCAMP_SQL_DIR=tmp)
    assert rc == 1 and "1 migration(s) pending, first 999_doctor_probe.sql" in out, out
    rc, out, _ = doctor()
    assert rc == 0, out  # the probe was never applied
