#!/usr/bin/env python3
"""bench/links.py — placement checks per second (issue 17, docs/placements.md).

Runs against a stack that is already up (the test stack of `scripts/dev itest`, or
`scripts/dev up`): it starts a local HTTP server serving generated pages — one site per
prospect under .localhost, each with a robots.txt and article pages of a few KiB to tens
of KiB with dozens of links, a fraction without the campaign's link, some gzip'd, some in
ISO-8859-1 — makes a campaign with HOSTS prospects, posts PAGES placements spread over
their sites, and measures how long the worker takes until every placement has its first
verdict: checks/s = PAGES / that time. It prints the figure and what 100,000 checks a day
need (1.16/s). It asserts nothing about speed: it is a figure (bench/README.md).

    bench/links.py --instance links                 # var/links: the itest stack
    bench/links.py --instance dev --pages 3000 --hosts 600

The stack's worker must allow private addresses and http ([webhooks] allow_private,
allow_http: the test stack does); its [placements] host_interval_ms bounds the rate per
host, so spread the pages over enough hosts (PAGES / HOSTS visits per host)."""
import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = "https://target.example/guide"
WORDS = ("link building outreach guide tools article review resource blog post content "
         "search engine ranking backlink anchor text editor publisher audience").split()


def env(instance):
    out = {}
    for name in ("test.env", "seed.env"):
        path = os.path.join(ROOT, "var", instance, name)
        if os.path.exists(path):
            for line in open(path):
                k, _, v = line.strip().partition("=")
                if k and not k.startswith("#"):
                    out.setdefault(k, v)
    if "LINKCAMP_URL" not in out and os.path.exists(os.path.join(ROOT, "var/dev.env")):
        for line in open(os.path.join(ROOT, "var/dev.env")):
            k, _, v = line.strip().partition("=")
            out.setdefault(k, v)
    return out


def make_page(rng, linked):
    paras = []
    for i in range(rng.randint(5, 40)):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 120)))
        links = " ".join(f'<a href="/post/{rng.randint(1, 10**6)}">{rng.choice(WORDS)}</a>'
                         for _ in range(rng.randint(1, 4)))
        paras.append(f"<p>{words} {links}</p>")
    if linked:
        paras.insert(rng.randrange(len(paras)),
                     f'<p>We recommend <a href="{TARGET}">the guide</a> for beginners.</p>')
    return ("<!doctype html><html><head><meta charset=utf-8><title>Post</title></head><body>"
            "<article>" + "".join(paras) + "</article></body></html>")


class Server:
    def __init__(self, pages):
        srv = self
        self.pages = pages  # (host, path) -> (headers, body)

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                host = (self.headers.get("Host") or "").split(":")[0]
                if self.path == "/robots.txt":
                    body, headers = b"User-agent: *\nDisallow: /private/\n", [("Content-Type", "text/plain")]
                else:
                    headers, body = srv.pages.get((host, self.path), ([], b""))
                    if not body:
                        self.send_response(404)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                self.send_response(200)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def api(base, key, method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": f"Bearer {key}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"null")


def sql(instance, query):
    sock = os.path.join(ROOT, "var", instance, "run", "mysql.sock")
    p = subprocess.run(["mariadb", "--no-defaults", "-S", sock, "-u", "root", "linkcamp", "-N",
                        "-B", "-e", query], capture_output=True, text=True, check=True)
    return p.stdout.split()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--instance", default="links")
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--hosts", type=int, default=250)
    ap.add_argument("--timeout", type=float, default=1800)
    a = ap.parse_args()
    e = env(a.instance)
    base, key = e["LINKCAMP_URL"], e["LINKCAMP_API_KEY"]
    rng = random.Random(17)
    tag = uuid.uuid4().hex[:8]
    hosts = [f"b{tag}-{i}.localhost" for i in range(a.hosts)]
    pages, urls = {}, []
    srv = Server(pages)
    for i in range(a.pages):
        host = hosts[i % len(hosts)]
        path = f"/post/{i}"
        body = make_page(rng, linked=rng.random() < 0.9).encode()
        headers = [("Content-Type", "text/html; charset=utf-8")]
        if i % 5 == 0:
            body = gzip.compress(body)
            headers.append(("Content-Encoding", "gzip"))
        pages[(host, path)] = (headers, body)
        urls.append((host, f"http://{host}:{srv.port}{path}"))
    camp = api(base, key, "POST", "/v1/link-building/campaign",
               {"name": f"bench links {tag}", "type": "custom", "targetUrl": TARGET,
                "sender": "bench@agency.example", "prospects": [],
                "template": {"subject": "", "body": ""}})
    cid = camp["id"]
    rels = {}
    for i in range(0, len(hosts), 100):
        chunk = [{"domain": h, "contactName": "B", "contactEmail": f"b@{h}"} for h in hosts[i:i + 100]]
        r = api(base, key, "POST", f"/v1/link-building/campaign/{cid}/relationships",
                {"prospects": chunk})
        for x in r["data"]:
            rels[x["domain"]] = x["id"]
    t0 = time.monotonic()
    for host, url in urls:
        api(base, key, "POST", f"/v1/link-building/relationship/{rels[host]}/placement",
            {"linkUrl": url})
    posted = time.monotonic() - t0
    q = ("SELECT COUNT(*) FROM placements p JOIN campaigns c ON c.id = p.campaign_id "
         f"WHERE c.public_id = '{cid}' AND p.verdict IS NOT NULL")
    done = 0
    while time.monotonic() - t0 < a.timeout:
        done = int(sql(a.instance, q)[0])
        if done >= a.pages:
            break
        time.sleep(0.5)
    took = time.monotonic() - t0
    rate = done / took if took > 0 else 0
    verdicts = sql(a.instance, "SELECT p.verdict, COUNT(*) FROM placements p JOIN campaigns c "
                               f"ON c.id = p.campaign_id WHERE c.public_id = '{cid}' GROUP BY 1")
    out = {"pages": a.pages, "hosts": a.hosts, "checked": done, "seconds": round(took, 1),
           "posting_seconds": round(posted, 1), "checks_per_second": round(rate, 2),
           "checks_per_day": int(rate * 86400), "verdicts": verdicts}
    # the bench's placements would be re-checked forever against a server that is gone:
    # they go (the campaign and its prospects stay, as history)
    sql(a.instance, "DELETE k FROM placement_checks k JOIN placements p ON p.id = k.placement_id "
                    f"JOIN campaigns c ON c.id = p.campaign_id WHERE c.public_id = '{cid}'")
    sql(a.instance, "DELETE p FROM placements p JOIN campaigns c ON c.id = p.campaign_id "
                    f"WHERE c.public_id = '{cid}'")
    print(json.dumps(out))
    print(f"{done} first checks of {a.pages} pages on {a.hosts} hosts in {took:.1f} s: "
          f"{rate:.1f} checks/s = {int(rate * 86400):,} a day (100,000 a day needs 1.16/s)")
    return 0 if done >= a.pages else 1


if __name__ == "__main__":
    sys.exit(main())
