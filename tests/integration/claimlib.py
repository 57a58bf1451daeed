"""Helpers of the claims tests (issue 21, item 6): reading the stack's effective settings,
its processes and logs, and talking to nginx from another loopback address.

Every helper reads what the running stack really uses — the configuration file, the
environment of the process — never a copy of the documented default alone."""
import configparser
import os
import subprocess

from requests.adapters import HTTPAdapter

from conftest import CONFIG

LOG_DIR = os.environ.get("LINKCAMP_LOG_DIR", "")
DEV = os.environ.get("LINKCAMP_DEV", "")
INSTANCE = os.environ.get("LINKCAMP_INSTANCE", "test")


def config():
    """The stack's INI file (inline ';' comments stripped)."""
    c = configparser.ConfigParser(inline_comment_prefixes=(";",), interpolation=None)
    with open(CONFIG) as f:
        c.read_file(f)
    return c


def run_dir():
    """var/<instance>/run, where the stack keeps its pid files and sockets."""
    return os.path.dirname(config()["database"]["socket"])


def pid_of(name):
    """The pid in run/<name>.pid (fcgi, worker)."""
    with open(os.path.join(run_dir(), name + ".pid")) as f:
        return int(f.read().strip())


def process_env(pid):
    """The environment a running process was started with."""
    with open(f"/proc/{pid}/environ", "rb") as f:
        raw = f.read()
    out = {}
    for item in raw.split(b"\0"):
        k, sep, v = item.partition(b"=")
        if sep:
            out[k.decode(errors="replace")] = v.decode(errors="replace")
    return out


def effective(section, key, env, default, program="fcgi"):
    """The value a running linkcamp program uses for [section] key: its environment
    variable, else the configuration file, else the documented default (README)."""
    e = process_env(pid_of(program))
    if env in e:
        return e[env]
    c = config()
    if c.has_option(section, key):
        return c[section][key]
    return default


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def dev(*args, check=True):
    """Runs scripts/dev with the instance of this test run (e.g. fcgi-restart)."""
    p = subprocess.run([DEV, *args], capture_output=True, text=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError(f"scripts/dev {args} failed ({p.returncode}): {p.stderr}")
    return p


def mariadb_root(query, database=""):
    """Runs SQL as the stack's MariaDB root over its socket (no database unless named)."""
    args = ["mariadb", "--no-defaults", "-S", config()["database"]["socket"], "-u", "root",
            "-N", "-B", "-e", query]
    if database:
        args.insert(-2, database)
    p = subprocess.run(args, capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError(p.stderr)
    return [line.split("\t") for line in p.stdout.splitlines()]


class SourceAddress(HTTPAdapter):
    """Connects from a chosen loopback address (any of 127.0.0.0/8 is ours on Linux), so
    nginx's REMOTE_ADDR — the client address linkcamp throttles sign-ins by — is that one."""

    def __init__(self, ip):
        self.ip = ip
        super().__init__()

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (self.ip, 0)
        super().init_poolmanager(*args, **kw)


def log_files():
    """Every file under the stack's log directory, recursively."""
    out = []
    for base, _, files in os.walk(LOG_DIR):
        for name in files:
            out.append(os.path.join(base, name))
    return sorted(out)
