#!/usr/bin/env python3
"""scripts/man-check.py ROOT: the manual pages cannot go stale silently.

- every key src/util/config.c accepts is documented under its section in
  man/linkcamp.conf.5 (`.Ss [section]` ... `.It Cm key`), with its environment variable
  (`.Ev LINKCAMP_...`), and the page documents no key the parser does not accept;
- every command src/linkcamp.c dispatches, and every `command subcommand` its usage text
  lists, has an `.It Cm command [subcommand]` entry in man/linkcamp.1, and the page lists
  no command the program does not have;
- every page passes `mandoc -Tlint -Wwarning`.
Prints one line per problem; exit status 1 when there is any."""
import os
import re
import subprocess
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
PAGES = ["linkcamp.1", "linkcamp.conf.5", "linkcamp-fcgi.8", "linkcamp-worker.8"]
problems = []


def read(*p):
    with open(os.path.join(ROOT, *p), encoding="utf-8") as f:
        return f.read()


def config_keys():
    """(section, key, env) of every entry of keys[] in src/util/config.c."""
    src = read("src", "util", "config.c")
    table = src[src.index("keys[] = {"):]
    table = table[:table.index("};")]
    out = re.findall(r'\b(?:STR|UINT|BOOL)\(\s*"([a-z_]+)",\s*"([a-z_]+)",\s*"([A-Z_0-9]+)"', table)
    if len(out) < 10:
        problems.append("src/util/config.c: could not read the table of keys")
    return out


def conf_page_keys():
    """{(section, key)} documented in linkcamp.conf.5, and the .Ev names."""
    keys, section = set(), None
    page = read("man", "linkcamp.conf.5")
    for line in page.splitlines():
        m = re.match(r"\.Ss \[([a-z_]+)\]", line)
        if m:
            section = m.group(1)
            continue
        if line.startswith(".Sh "):
            section = None
        m = re.match(r"\.It Cm ([a-z_]+)\b", line)
        if m and section:
            keys.add((section, m.group(1)))
    return keys, set(re.findall(r"^\.Ev (LINKCAMP_[A-Z_0-9]+)", page, re.M))


def commands():
    """The commands of src/linkcamp.c: what main dispatches (strcmp(cmd, ...) with
    strcmp(sub, ...)) and the `command subcommand` synopses of its usage text."""
    src = read("src", "linkcamp.c")
    out = set()
    for m in re.finditer(r'strcmp\(cmd, "([a-z-]+)"\) == 0(?: && strcmp\(sub, "([a-z-]+)"\) == 0)?', src):
        out.add(" ".join(x for x in m.groups() if x))
    usage = src[src.index("usage(void)\n{"):]
    usage = usage[:usage.index("return EX_USAGE")]
    for lit in re.findall(r'"((?:[^"\\]|\\.)*)"', usage):
        if not lit.startswith("  ") or lit.startswith("   "):
            continue
        synopsis = re.split(r"\s{2,}", lit.strip())[0]
        words = []
        for w in synopsis.split():
            if not re.fullmatch(r"[a-z][a-z0-9-]*", w):
                break
            words.append(w)
        if words:
            out.add(" ".join(words[:2]))
    # a command listed alone whose subcommands are listed too is covered by them
    return {c for c in out if not any(o.startswith(c + " ") for o in out)}


def page_commands():
    out = set()
    for line in read("man", "linkcamp.1").splitlines():
        m = re.match(r"\.It Cm ([a-z][a-z0-9-]*)((?: [a-z][a-z0-9-]*)?)\b", line)
        if m:
            out.add((m.group(1) + m.group(2)).strip())
    return out


keys = config_keys()
documented, env_documented = conf_page_keys()
accepted = {(s, k) for s, k, _ in keys}
for s, k, env in keys:
    if (s, k) not in documented:
        problems.append(f"man/linkcamp.conf.5: [{s}] {k} is accepted by src/util/config.c but not documented")
    if env not in env_documented:
        problems.append(f"man/linkcamp.conf.5: {env} (the variable of [{s}] {k}) is not documented")
for s, k in sorted(documented - accepted):
    problems.append(f"man/linkcamp.conf.5: documents [{s}] {k}, which src/util/config.c does not accept")

have, listed = commands(), page_commands()
for c in sorted(have - listed):
    problems.append(f"man/linkcamp.1: `linkcamp {c}` exists (src/linkcamp.c) but has no .It Cm entry")
for c in sorted(listed - have):
    problems.append(f"man/linkcamp.1: documents `linkcamp {c}`, which src/linkcamp.c does not have")

for page in PAGES:
    p = subprocess.run(["mandoc", "-Tlint", "-Wwarning", os.path.join(ROOT, "man", page)],
                       capture_output=True, text=True)
    if p.returncode != 0 or p.stdout.strip() or p.stderr.strip():
        problems.append(f"mandoc -Tlint -Wwarning man/{page}: {(p.stdout + p.stderr).strip()}")

for line in problems:
    print(line)
print(f"man-check: {len(keys)} configuration keys, {len(have)} commands, {len(PAGES)} pages; "
      f"{len(problems)} problem(s)", file=sys.stderr)
sys.exit(1 if problems else 0)
