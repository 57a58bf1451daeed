"""Claim (README, Operating it): `linkcamp migrate` applies the sql/ migrations once each,
under a lock. Two migrate commands start together against a fresh, empty database: both
exit 0 and every migration is applied exactly once.

To be sure the two really contend, the test holds the migration lock itself (GET_LOCK is
server-wide) until both commands are seen waiting for it, then lets them race."""
import os
import re
import subprocess
import uuid

from claimlib import config, mariadb_root
from conftest import BIN, wait_for


def fresh_database():
    tag = uuid.uuid4().hex[:10]
    name, user, password = f"lc_mig_{tag}", f"lcm_{tag}", "pw-" + uuid.uuid4().hex
    mariadb_root(f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; "
                 f"CREATE USER '{user}'@'localhost' IDENTIFIED BY '{password}'; "
                 f"GRANT ALL ON {name}.* TO '{user}'@'localhost';")
    return name, user, password


def config_copy(path, name, user, password):
    c = config()
    c["database"]["name"] = name
    c["database"]["user"] = user
    c["database"]["password"] = password
    with open(path, "w") as f:
        c.write(f)


def test_two_concurrent_migrates_apply_each_migration_once(tmp_path):
    sql_dir = config()["app"]["sql_dir"]
    files = sorted(f for f in os.listdir(sql_dir) if re.match(r"^\d+_.*\.sql$", f))
    assert len(files) > 5
    name, user, password = fresh_database()
    try:
        race(files, name, user, password, tmp_path)
    finally:
        mariadb_root(f"DROP DATABASE {name}; DROP USER '{user}'@'localhost';")


def race(files, name, user, password, tmp_path):
    conf = tmp_path / "linkcamp.conf"
    config_copy(conf, name, user, password)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKCAMP_DB_")}
    holder = subprocess.Popen(
        ["mariadb", "--no-defaults", "-S", config()["database"]["socket"], "-u", "root", "-N", "-B", "--unbuffered"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    procs = []
    try:
        holder.stdin.write("SELECT GET_LOCK('linkcamp_migrate', 60);\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "1"
        procs = [subprocess.Popen([os.path.join(BIN, "linkcamp"), "-c", str(conf), "migrate"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                 for _ in range(2)]
        waiting = wait_for(lambda: len(mariadb_root(
            "SELECT id FROM information_schema.PROCESSLIST "
            f"WHERE USER = '{user}' AND (STATE = 'User lock' OR INFO LIKE '%GET_LOCK%')")) == 2, timeout=30)
        assert waiting, "both migrate commands should be waiting for the lock"
        holder.stdin.write("SELECT RELEASE_LOCK('linkcamp_migrate');\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "1"
        outs = [p.communicate(timeout=120) for p in procs]
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, (out, err)
    applied = [int(re.match(r"^(\d+) migration\(s\) applied$", out.strip()).group(1))
               for out, err in outs]
    # one of them did all the work, the other found nothing left to do
    assert sorted(applied) == [0, len(files)], applied
    rows = mariadb_root("SELECT version, name FROM schema_migrations ORDER BY version", name)
    assert [r[1] for r in rows] == files
    assert len({r[0] for r in rows}) == len(files)
    # and the schema is the whole one
    assert mariadb_root("SELECT COUNT(*) FROM information_schema.TABLES "
                        f"WHERE TABLE_SCHEMA = '{name}' AND TABLE_NAME = 'api_keys'") == [["1"]]
