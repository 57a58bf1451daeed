#!/usr/bin/python3
"""bench/compare.py: measures two prepared stacks side by side (bench/compare runs it).

usage: compare.py [--rounds N] [--duration S] [--warmup S] [--connections N] [--threads N]
                  [--nice N] --results BASE [--elapsed-since EPOCH] SMALL TOP
  SMALL, TOP   name,url,run dir,data dir of each stack (data dir: keys.tsv, targets.tsv)

Each round measures /readyz, list, get and metrics on both stacks, one kind after the
other, the two stacks back to back for each kind, the one that goes first swapping from
round to round. An endpoint's ratio in a round is its req/s over the same stack's /readyz
req/s in that round; "kept" is the top ratio over the small ratio of the same round. The
machine's speed drifts by 20-30% over minutes, but two runs seconds apart meet the same
machine, so the per-round "kept" figures are far steadier than two separate bench/run
invocations minutes apart. The median over the rounds is the result.

Writes BASE.txt and BASE.json, prints the text; exits 2 when a request failed (non-2xx,
socket errors), 1 when a target is missed, 0 otherwise.
"""
import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = ["readyz", "list", "get", "metrics"]
ENDPOINTS = KINDS[1:]
KEPT_TARGET = 0.90   # the top scale keeps at least 90% of the small scale's ratio
RATIO_TARGET = {"get": 0.80, "list": 0.50, "metrics": 0.50}
P99_TARGET_MS = 20.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


class Stack:
    def __init__(self, arg):
        parts = arg.split(",")
        if len(parts) != 4:
            raise SystemExit(f"compare.py: a stack is name,url,run dir,data dir: {arg!r}")
        self.name, self.url, self.run, self.data = parts
        for f in ("keys.tsv", "targets.tsv"):
            if not os.path.isfile(os.path.join(self.data, f)):
                raise SystemExit(f"compare.py: {self.data}/{f} is missing")

    def pid(self, what):
        try:
            with open(os.path.join(self.run, what + ".pid")) as fh:
                return int(fh.read().strip())
        except (OSError, ValueError):
            return None

    def sql(self, query):
        out = subprocess.run(
            ["mariadb", "--no-defaults", "-S", os.path.join(self.run, "mysql.sock"), "-u",
             "root", "-N", "-B", "-e", query], check=True, capture_output=True, text=True)
        return out.stdout


def ticks(pid):
    """utime+stime of a process and its threads in clock ticks; 0 when it is gone."""
    if pid is None:
        return 0
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(") ", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


def nginx_ticks(stack):
    master, total = stack.pid("nginx"), 0
    if master is None:
        return 0
    try:
        tasks = os.listdir(f"/proc/{master}/task")
    except OSError:
        return 0
    for t in tasks:
        try:
            with open(f"/proc/{master}/task/{t}/children") as fh:
                total += sum(ticks(int(p)) for p in fh.read().split())
        except OSError:
            pass
    return total


def cpu_stat():
    with open("/proc/stat") as fh:
        v = [int(x) for x in fh.readline().split()[1:]]
    return {"total": sum(v), "task": v[0] + v[1] + v[2], "steal": v[7] if len(v) > 7 else 0}


def stacks_ticks(stacks):
    """CPU ticks of every process of both stacks (the idle one's too) so far."""
    return sum(ticks(s.pid(p)) for s in stacks for p in ("fcgi", "mariadb", "worker", "smtp-sink")) + \
        sum(nginx_ticks(s) for s in stacks)


def children_ticks():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (ru.ru_utime + ru.ru_stime) * CLK_TCK


def snapshot(stack):
    status = dict(line.split("\t") for line in stack.sql(
        "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Rows_read')").splitlines())
    return {"questions": int(status["Questions"]), "rows": int(status["Rows_read"]),
            "app": ticks(stack.pid("fcgi")), "db": ticks(stack.pid("mariadb")),
            "nginx": nginx_ticks(stack), "cpu": cpu_stat()}


def ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if not m:
        raise ValueError("latency " + text)
    v, unit = float(m.group(1)), m.group(2)
    return {"us": v / 1000, "ms": v, "s": v * 1000, "m": v * 60000}[unit]


def parse_wrk(text):
    def find(pattern, conv, default):
        m = re.search(pattern, text, re.M)
        return conv(m) if m else default
    return {
        "rps": find(r"Requests/sec:\s+([\d.]+)", lambda m: float(m.group(1)), 0.0),
        "requests": find(r"(\d+) requests in", lambda m: int(m.group(1)), 0),
        "p99_ms": find(r"^\s+99%\s+(\S+)", lambda m: ms(m.group(1)), float("nan")),
        "non2xx": find(r"Non-2xx or 3xx responses: (\d+)", lambda m: int(m.group(1)), 0),
        "socket_errors": find(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                              lambda m: sum(int(x) for x in m.groups()), 0),
    }


def wrk_args(opts, stack, kind, seconds):
    base = ["wrk", f"-t{opts.threads}", f"-c{opts.connections}", "--latency", f"-d{seconds}s"]
    if kind == "readyz":
        return base + [stack.url + "/readyz"]
    data = os.path.join(stack.data, "keys.tsv" if kind == "list" else "targets.tsv")
    return base + ["-s", os.path.join(HERE, "rotate.lua"), stack.url, "--", kind, data]


def measure(opts, stacks, stack, kind):
    if opts.warmup > 0:
        subprocess.run(wrk_args(opts, stack, kind, opts.warmup), check=True,
                       capture_output=True)
    before, ours0, wrk0 = snapshot(stack), stacks_ticks(stacks), children_ticks()
    text = subprocess.run(wrk_args(opts, stack, kind, opts.duration), check=True,
                          capture_output=True, text=True).stdout
    wrk1, ours1, after = children_ticks(), stacks_ticks(stacks), snapshot(stack)
    r = parse_wrk(text)
    n = max(r["requests"], 1)
    per_req_us = lambda k: (after[k] - before[k]) / CLK_TCK * 1e6 / n
    cpu_total = after["cpu"]["total"] - before["cpu"]["total"]
    r.update({
        "stack": stack.name, "kind": kind, "wrk": text,
        "cpu_us": per_req_us("app") + per_req_us("db") + per_req_us("nginx"),
        "cpu_us_app": per_req_us("app"), "cpu_us_db": per_req_us("db"),
        "cpu_us_nginx": per_req_us("nginx"),
        "rows_per_req": (after["rows"] - before["rows"]) / n,
        "stmts_per_req": (after["questions"] - before["questions"] - 1) / n,
        "steal": (after["cpu"]["steal"] - before["cpu"]["steal"]) / cpu_total if cpu_total else 0,
        # CPU time of processes that are neither stack's nor wrk: other work disturbing the run
        "other": max(0.0, (after["cpu"]["task"] - before["cpu"]["task"] - (ours1 - ours0) -
                           (wrk1 - wrk0)) / cpu_total) if cpu_total else 0,
    })
    print(f"    {stack.name:5} {kind:8} {r['rps']:9.0f} req/s  p99 {r['p99_ms']:6.2f} ms  "
          f"{r['cpu_us']:6.0f} us CPU/req  steal {100 * r['steal']:3.0f}%  "
          f"other {100 * r['other']:3.0f}%", file=sys.stderr)
    return r


def median_interval(values, resamples=2000):
    """A 90% bootstrap interval of the median of values (resampling the rounds): how far
    the verdict could move with other rounds of the same noise."""
    rng = random.Random(20240601)
    meds = sorted(statistics.median(rng.choices(values, k=len(values)))
                  for _ in range(resamples))
    return [meds[int(0.05 * resamples)], meds[int(0.95 * resamples) - 1]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=12)
    ap.add_argument("--duration", type=int, default=4)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--nice", default="0")
    ap.add_argument("--results", required=True)
    ap.add_argument("--elapsed-since", type=int, default=int(time.time()))
    ap.add_argument("small")
    ap.add_argument("top")
    opts = ap.parse_args()
    stacks = [Stack(opts.small), Stack(opts.top)]

    runs = []   # runs[round][stack name][kind]
    t0 = time.time()
    for rnd in range(opts.rounds):
        order = stacks if rnd % 2 == 0 else stacks[::-1]
        print(f"==> round {rnd + 1} of {opts.rounds} ({order[0].name} first)", file=sys.stderr)
        got = {s.name: {} for s in stacks}
        for kind in KINDS:
            for s in order:
                got[s.name][kind] = measure(opts, stacks, s, kind)
        runs.append(got)

    errors = [f"{r['stack']} {r['kind']}: {r['non2xx']} non-2xx, {r['socket_errors']} socket errors"
              for rnd in runs for s in rnd.values() for r in s.values()
              if r["non2xx"] or r["socket_errors"]]
    summary, missed = {}, []
    for kind in KINDS:
        row = {}
        for name in ("small", "top"):
            rs = [rnd[name][kind] for rnd in runs]
            row[name] = {
                "rps": statistics.median(r["rps"] for r in rs),
                "p99_ms_max": max(r["p99_ms"] for r in rs),
                "cpu_us": statistics.median(r["cpu_us"] for r in rs),
                "rows_per_req": statistics.median(r["rows_per_req"] for r in rs),
                "stmts_per_req": statistics.median(r["stmts_per_req"] for r in rs),
            }
            if kind != "readyz":
                ratios = [rnd[name][kind]["rps"] / rnd[name]["readyz"]["rps"] for rnd in runs]
                row[name]["ratio"] = statistics.median(ratios)
                row[name]["ratio_range"] = [min(ratios), max(ratios)]
        kept = [(rnd["top"][kind]["rps"] / rnd["top"]["readyz"]["rps"]) /
                (rnd["small"][kind]["rps"] / rnd["small"]["readyz"]["rps"]) for rnd in runs]
        direct = [rnd["top"][kind]["rps"] / rnd["small"][kind]["rps"] for rnd in runs]
        cost = [rnd["top"][kind]["cpu_us"] / rnd["small"][kind]["cpu_us"] for rnd in runs]
        row.update({"kept": statistics.median(kept), "kept_range": [min(kept), max(kept)],
                    "kept_interval90": median_interval(kept),
                    "top_over_small_rps": statistics.median(direct),
                    "top_over_small_cpu": statistics.median(cost)})
        if kind != "readyz":
            row["kept_pass"] = row["kept"] >= KEPT_TARGET
            if not row["kept_pass"]:
                missed.append(f"{kind}: the top scale kept {row['kept']:.0%} of the small ratio")
            for name in ("small", "top"):
                if row[name]["ratio"] < RATIO_TARGET[kind]:
                    missed.append(f"{kind} at {name}: {row[name]['ratio']:.2f} of /readyz")
                if row[name]["p99_ms_max"] >= P99_TARGET_MS:
                    missed.append(f"{kind} at {name}: p99 {row[name]['p99_ms_max']:.1f} ms")
        summary[kind] = row

    lines = []
    p = lines.append
    p(f"bench/compare: small and top data sets side by side, {opts.rounds} rounds, "
      f"wrk -t{opts.threads} -c{opts.connections} -d{opts.duration}s --latency "
      f"(after a {opts.warmup}s warm-up), stacks and wrk at nice {opts.nice}")
    p(f"date {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}, measuring took "
      f"{time.time() - t0:.0f} s, {time.time() - opts.elapsed_since:.0f} s in all, commit "
      f"{git_commit()}")
    p("")
    p(f"{'':8} {'req/s small':>11} {'top':>8} {'/readyz small':>13} {'top':>5} "
      f"{'kept':>5} {'90% interval':>12} {'CPU us small':>12} {'top':>5} {'rows small':>10} "
      f"{'top':>5} {'p99 max':>8} {'target':>7}")
    for kind in KINDS:
        row, s, t = summary[kind], summary[kind]["small"], summary[kind]["top"]
        if kind == "readyz":
            ratio = f"{'':>13} {'':>5} {'':>5} {'':>12}"
            verdict = ""
        else:
            ratio = (f"{s['ratio']:13.2f} {t['ratio']:5.2f} {row['kept']:5.0%} "
                     f"{row['kept_interval90'][0]:6.0%}-{row['kept_interval90'][1]:<5.0%}")
            verdict = "PASS" if row["kept_pass"] else "MISS"
        p(f"{kind:8} {s['rps']:11.0f} {t['rps']:8.0f} {ratio} {s['cpu_us']:12.0f} "
          f"{t['cpu_us']:5.0f} {s['rows_per_req']:10.1f} {t['rows_per_req']:5.1f} "
          f"{max(s['p99_ms_max'], t['p99_ms_max']):6.1f}ms {verdict:>7}")
    p("")
    p("  req/s, CPU us (linkcamp-fcgi + MariaDB + nginx per request) and rows read per request")
    p("  are medians over the rounds; /readyz small|top is the endpoint's req/s over the same")
    p("  stack's /readyz in the same round (median); kept = top ratio / small ratio per round,")
    p(f"  median over the rounds; target: kept >= {KEPT_TARGET:.0%}. The 90% interval (bootstrap over")
    p("  the rounds) shows how far other rounds of the same noise could move the median: one")
    p(f"  that contains {KEPT_TARGET:.0%} means these rounds cannot tell (run more: --rounds). p99 max")
    p("  is the highest of all rounds.")
    p("")
    p("Per round (req/s; kept):")
    for i, rnd in enumerate(runs):
        cells = []
        for kind in KINDS:
            s, t = rnd["small"][kind], rnd["top"][kind]
            cell = f"{kind} {s['rps']:.0f}|{t['rps']:.0f}"
            if kind != "readyz":
                cell += f" {(t['rps'] / rnd['top']['readyz']['rps']) / (s['rps'] / rnd['small']['readyz']['rps']):.0%}"
            cells.append(cell)
        steal = max(r["steal"] for st in rnd.values() for r in st.values())
        other = max(r["other"] for st in rnd.values() for r in st.values())
        p(f"  {i + 1}: " + ", ".join(cells) + f"; steal up to {steal:.0%}, other up to {other:.0%}")
    if errors:
        p("")
        p("ERRORS: " + "; ".join(errors))
    p("")
    p("Targets missed: " + ("; ".join(missed) if missed else "none"))
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    with open(opts.results + ".txt", "w") as fh:
        fh.write(text)
        fh.write("\n---- wrk output of every run ----\n")
        for i, rnd in enumerate(runs):
            for kind in KINDS:
                for name in ("small", "top"):
                    fh.write(f"\n## round {i + 1}, {name}, {kind}\n{rnd[name][kind]['wrk']}")
    for rnd in runs:
        for st in rnd.values():
            for r in st.values():
                r.pop("wrk", None)
    with open(opts.results + ".json", "w") as fh:
        json.dump({"summary": summary, "rounds": runs, "missed": missed, "errors": errors},
                  fh, indent=1)
    return 2 if errors else 1 if missed else 0


def git_commit():
    try:
        return subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
