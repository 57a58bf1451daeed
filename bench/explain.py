#!/usr/bin/python3
"""bench/explain.py: plans of the statements the endpoints really ran.

bench/run turns MariaDB's general log on, restarts linkcamp-fcgi (so its statements are
prepared with parameter logging and its connections log a Connect), and sends one
request of each kind, each after a marker query "SELECT 'bench-capture:LABEL'" of its
own. We get the log as lines "thread_id<TAB>command_type<TAB>HEX(argument)" in time
order and keep the Execute lines of linkcamp-fcgi's connections (those that connected
while the log was on: the worker's older connections are left out), labelled by the
marker before them. For each distinct statement we run ANALYZE (EXPLAIN plus the rows
really examined) as root and report, per table, the access type, the index, estimated
and examined rows and the Extra column.

A statement is flagged NO-INDEX when any table is read with type ALL or without a key
(the server's own temporary results, such as <union1,2>, excepted), and
FILESORT/TEMPORARY when the plan needs them.

usage: explain.py MYSQL_SOCKET API_KEY GENERAL_LOG_TSV
(API_KEY replaces the binary key hash of the key lookup, which the log cannot carry.)
"""
import re
import subprocess
import sys

DATETIME = re.compile(r"'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}'")


def shape(sql):
    """Statements that differ only in a time literal (the no-response cutoff moves with
    the clock) are the same; different parameters (a cursor, a filter) are not."""
    return DATETIME.sub("?", sql)


def analyze(sock, sql):
    cmd = ["mariadb", "--no-defaults", "-S", sock, "-u", "root", "--default-character-set=utf8mb4",
           "-B", "linkcamp", "-e", "SET time_zone = '+00:00'; ANALYZE " + sql]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr.strip()
    lines = p.stdout.splitlines()
    head = lines[0].split("\t")
    return [dict(zip(head, line.split("\t"))) for line in lines[1:]], None


def main():
    sock, key, path = sys.argv[1:4]
    seen = {}
    order = []
    fcgi_threads = set()
    label = None
    with open(path, "rb") as fh:
        for raw in fh:
            raw = raw.rstrip(b"\n")
            if not raw:
                continue
            thread, command, hexarg = raw.decode().split("\t", 2)
            arg = bytes.fromhex(hexarg) if hexarg not in ("", "NULL") else b""
            if command == "Query":
                m = re.search(rb"'bench-capture:([^']+)'", arg)
                if m:
                    label = m.group(1).decode()
                continue
            if command == "Connect" and arg.startswith(b"linkcamp@"):
                fcgi_threads.add(thread)
                continue
            if command != "Execute" or thread not in fcgi_threads or label is None:
                continue
            # The key lookup binds the raw SHA-256 of the key: put the hash back as SQL.
            sql = re.sub(rb"k\.key_hash = '.*' AND k\.revoked_at",
                         b"k.key_hash = UNHEX(SHA2('" + key.encode() + b"', 256)) AND k.revoked_at",
                         arg, flags=re.S)
            sql = sql.decode("utf-8", "replace")
            s = shape(sql)
            if s not in seen:
                seen[s] = [sql, []]
                order.append(s)
            if label not in seen[s][1]:
                seen[s][1].append(label)

    flagged = 0
    print("Statements captured from the general log while one request of each kind ran,")
    print("with ANALYZE (estimated rows / rows really read) on this data set.\n")
    summary = []
    for n, s in enumerate(order, 1):
        sql, labels = seen[s]
        rows, err = analyze(sock, sql)
        print("[%d] %s" % (n, ", ".join(labels)))
        print("    " + sql)
        if rows is None:
            print("    ANALYZE failed: %s\n" % err)
            summary.append((n, labels, "ERROR", "", 0))
            continue
        verdict = []
        examined = 0.0
        keys = []
        for r in rows:
            table = r.get("table", "NULL")
            typ, key = r.get("type", "NULL"), r.get("key", "NULL")
            extra = r.get("Extra", "")
            try:
                examined += float(r.get("r_rows", "0") or 0)
            except ValueError:
                pass
            print("    %-6s %-8s %-32s rows %-8s r_rows %-8s %s" % (
                table, typ, key, r.get("rows", ""), r.get("r_rows", ""), extra))
            # <union1,2>, <derived2>, <subquery3>: the server's own temporary results
            pseudo = table.startswith("<")
            if table not in ("NULL", "") and not pseudo and (typ == "ALL" or key in ("NULL", "")):
                verdict.append("NO-INDEX(%s)" % table)
            if "filesort" in extra:
                verdict.append("FILESORT(%s)" % table)
            if "temporary" in extra:
                verdict.append("TEMPORARY(%s)" % table)
            if key not in ("NULL", ""):
                keys.append("%s.%s" % (table, key))
        v = " ".join(verdict) if verdict else "OK"
        if verdict:
            flagged += 1
        print("    -> %s; rows read %g\n" % (v, examined))
        summary.append((n, labels, v, ", ".join(keys) or "-", examined))

    print("Summary (rows read = ANALYZE r_rows summed over the tables):")
    print("  %-3s %-40s %-14s %-10s %s" % ("#", "requests", "verdict", "rows read", "indexes"))
    for n, labels, v, keys, examined in summary:
        print("  %-3d %-40s %-14s %-10g %s" % (n, ",".join(labels)[:40], v, examined, keys))
    print("\n%d of %d statements flagged" % (flagged, len(order)))


if __name__ == "__main__":
    main()
