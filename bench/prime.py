#!/usr/bin/python3
"""Primes linkcamp-fcgi's response cache before the measured runs: every campaign of the
data set is read once (the campaign and its metrics), and the list once per key, so the
runs measure the cache's steady state rather than how many campaigns a run of a few
seconds happens to meet for the first time. What an answer costs to build is measured
by `bench/run --no-cache`.

Usage: bench/prime.py URL KEYS_TSV TARGETS_TSV   (bench/run does this; prints one line)
"""
import concurrent.futures
import sys
import threading
import time

import requests

LIST = "/v1/link-building/campaign?status=active&type=serp,competitor&limit=50"


def main():
    url, keys_file, targets_file = sys.argv[1:4]
    paths = []
    with open(keys_file) as f:
        for line in f:
            key = line.split("\t")[0].strip()
            if key:
                paths.append((key, LIST))
    with open(targets_file) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 2 and parts[1]:
                key, cid = parts
                paths.append((key, f"/v1/link-building/campaign/{cid}"))
                paths.append((key, f"/v1/link-building/campaign/{cid}/metrics"))
    local = threading.local()

    def get(item):
        key, path = item
        if not hasattr(local, "s"):
            local.s = requests.Session()
        r = local.s.get(url + path, headers={"Authorization": f"Bearer {key}"}, timeout=60)
        return r.status_code

    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(get, paths, chunksize=64))
    bad = [c for c in codes if c != 200]
    print(f"primed the response cache: {len(codes)} requests in {time.time() - t0:.1f} s"
          + (f", {len(bad)} not 200" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
