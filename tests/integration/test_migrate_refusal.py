"""Claim (README, Operating it; docs/scaling.md): `linkcamp migrate` is the one deploy step.
linkcamp-fcgi and linkcamp-worker never migrate and refuse to start (status 75, the
command to run on stderr) on a database whose schema is older than their sql/ directory,
instead of running against old tables or racing another host's migration. After the
step they start."""
import os
import shutil
import subprocess
import uuid

from claimlib import config, mariadb_root
from conftest import BIN, LOG_DIR, stop_process, wait_for


def fresh_database():
    tag = uuid.uuid4().hex[:10]
    name, user, password = f"lc_ref_{tag}", f"lcr_{tag}", "pw-" + uuid.uuid4().hex
    mariadb_root(f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; "
                 f"CREATE USER '{user}'@'localhost' IDENTIFIED BY '{password}'; "
                 f"GRANT ALL ON {name}.* TO '{user}'@'localhost';")
    return name, user, password


def write_config(path, name, user, password, sql_dir, listen):
    c = config()
    c["database"]["name"] = name
    c["database"]["user"] = user
    c["database"]["password"] = password
    c["app"]["sql_dir"] = str(sql_dir)
    c["fcgi"]["listen"] = str(listen)
    with open(path, "w") as f:
        c.write(f)


def env():
    # the run's LINKCAMP_* overrides would point the programs back at the test database
    return {k: v for k, v in os.environ.items()
            if not (k.startswith("LINKCAMP_DB_") or k in ("LINKCAMP_SQL_DIR", "LINKCAMP_FCGI_LISTEN"))}


def run(program, conf):
    return subprocess.run([os.path.join(BIN, program), "-c", str(conf)], capture_output=True,
                          text=True, env=env(), timeout=60)


def start(program, conf, log_name):
    with open(os.path.join(LOG_DIR, log_name), "ab") as log:
        return subprocess.Popen([os.path.join(BIN, program), "-c", str(conf)], env=env(),
                                stdout=log, stderr=log)


def test_programs_refuse_an_old_schema_until_migrate_runs(tmp_path):
    sql_dir = tmp_path / "sql"
    shutil.copytree(config()["app"]["sql_dir"], sql_dir)
    conf = tmp_path / "linkcamp.conf"
    listen = tmp_path / "fcgi.sock"
    name, user, password = fresh_database()
    try:
        write_config(conf, name, user, password, sql_dir, listen)
        # never migrated: no schema_migrations table at all
        for program in ("linkcamp-fcgi", "linkcamp-worker"):
            p = run(program, conf)
            assert p.returncode == 75, (program, p.returncode, p.stderr)
            assert "refusing to start" in p.stderr and "linkcamp migrate" in p.stderr, p.stderr
        assert not listen.exists()

        m = subprocess.run([os.path.join(BIN, "linkcamp"), "-c", str(conf), "migrate"],
                           capture_output=True, text=True, env=env(), timeout=120)
        assert m.returncode == 0, m.stderr

        # a newer release's sql/ arrives before its deploy step ran
        (sql_dir / "999_next_release.sql").write_text(
            "CREATE TABLE next_release_probe (id INT PRIMARY KEY) ENGINE=InnoDB;\n")
        for program in ("linkcamp-fcgi", "linkcamp-worker"):
            p = run(program, conf)
            assert p.returncode == 75, (program, p.returncode, p.stderr)
            assert "1 migration(s) pending, first 999_next_release.sql" in p.stderr, p.stderr
        assert mariadb_root("SHOW TABLES LIKE 'next_release_probe'", name) == []

        m = subprocess.run([os.path.join(BIN, "linkcamp"), "-c", str(conf), "migrate"],
                           capture_output=True, text=True, env=env(), timeout=120)
        assert m.returncode == 0 and "1 migration(s) applied" in m.stdout, (m.stdout, m.stderr)

        fcgi = start("linkcamp-fcgi", conf, "refusal-fcgi.log")
        worker_log = tmp_path / "worker.log"
        worker = subprocess.Popen([os.path.join(BIN, "linkcamp-worker"), "-c", str(conf)], env=env(),
                                  stdout=subprocess.DEVNULL, stderr=open(worker_log, "wb"))
        try:
            wait_for(lambda: listen.exists() or fcgi.poll() is not None)
            assert fcgi.poll() is None, fcgi.returncode
            # past the schema check, the worker says it is delivering
            wait_for(lambda: "delivering through" in worker_log.read_text() or worker.poll() is not None)
            assert worker.poll() is None, worker.returncode
        finally:
            stop_process(worker)
            stop_process(fcgi)
    finally:
        mariadb_root(f"DROP DATABASE {name}; DROP USER '{user}'@'localhost';")
