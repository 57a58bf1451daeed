"""The README's examples work as written: every ```sh block that begins with
`. var/dev.env` runs, in README order, against a stack that `scripts/dev up` would make
(tests/readme/phase.sh starts one of its own), exactly as a reader pastes it into bash.

A block passes when bash (with pipefail) ends with status 0, jq reports no error, and every
HTTP answer curl received is 2xx or 3xx, or a 4xx whose number the block itself names
(its comments say which refusals it shows: "422 validation_failed", "409 domain_key_exists").
Each curl call reports its status on stderr through a curlrc of this run (CURL_HOME), so the
README's commands are not edited to be tested. The block runs in a directory where
var/dev.env, var/dev, build and scripts lead to this stack and this tree, the paths the
README uses."""
import os
import re
import subprocess
import tempfile

import pytest

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
HEADING = re.compile(r"^(#{2,3}) (.+)$", re.M)
STATUS = re.compile(r"@@HTTP (\d{3}) (\S+) (\S+)\n?")
BLOCK_SECONDS = 180


def readme_blocks():
    """(id, text) of every example block that uses the dev stack, in README order; the id
    names the section the block is in and its place there."""
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    heads = [(m.start(), m.group(2)) for m in HEADING.finditer(text)]
    out, seen = [], {}
    for m in BLOCK.finditer(text):
        body = m.group(1)
        if not body.startswith(". var/dev.env"):
            continue
        section = [h for pos, h in heads if pos < m.start()][-1]
        slug = re.sub(r"[^a-z0-9]+", "-", section.lower()).strip("-")
        seen[slug] = seen.get(slug, 0) + 1
        out.append((f"{slug}-{seen[slug]}", body))
    return out


BLOCKS = readme_blocks()


@pytest.fixture(scope="module")
def workdir():
    env_file = os.environ["LINKCAMP_README_ENV"]     # the stack's var/dev.env
    stack_dir = os.environ["LINKCAMP_README_VAR"]    # the stack's var/<instance>
    with tempfile.TemporaryDirectory(prefix="readme-") as d:
        os.mkdir(os.path.join(d, "var"))
        os.symlink(env_file, os.path.join(d, "var", "dev.env"))
        os.symlink(stack_dir, os.path.join(d, "var", "dev"))
        for name in ("build", "scripts"):
            os.symlink(os.path.join(ROOT, name), os.path.join(d, name))
        home = os.path.join(d, "curlhome")
        os.mkdir(home)
        with open(os.path.join(home, ".curlrc"), "w") as f:
            # %{stderr} switches the write-out to stderr: the pipes into jq see the body alone
            f.write('write-out = "%{stderr}@@HTTP %{http_code} %{method} %{url_effective}\\n"\n')
        yield d, home


def test_the_readme_has_examples():
    # the phase must not pass by finding nothing to run
    assert len(BLOCKS) >= 8, [b for b, _ in BLOCKS]


@pytest.mark.parametrize("body", [b for _, b in BLOCKS], ids=[i for i, _ in BLOCKS])
def test_example(workdir, body):
    cwd, home = workdir
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKCAMP_")}
    env.update(CURL_HOME=home, HOME=home)
    p = subprocess.run(["bash", "-o", "pipefail", "-c", body], cwd=cwd, env=env,
                       capture_output=True, text=True, timeout=BLOCK_SECONDS)
    calls = [(int(m.group(1)), m.group(2), m.group(3)) for m in STATUS.finditer(p.stderr)]
    other = STATUS.sub("", p.stderr).splitlines()
    named = {int(n) for n in re.findall(r"\b(4\d\d)\b", body)}
    refused = [c for c in calls if not (200 <= c[0] < 400 or c[0] in named)]
    report = f"exit {p.returncode}\n--- stdout\n{p.stdout[-3000:]}\n--- stderr\n" + "\n".join(other[-40:])
    assert p.returncode == 0, report
    assert not refused, f"answers the block does not name: {refused}\n" + report
    assert not [line for line in other if line.startswith("jq: error") or "parse error" in line], report
