#!/usr/bin/env python3
"""scripts/demo-imap.py — the demo's mailboxes (docs/imap.md), run by `scripts/dev up` once
per data directory: two sender mailboxes on the stack's Dovecot (box1 for SMTP only, box2
also read over IMAP), a campaign that sends from box2, its first email approved and sent,
and a prospect's reply appended to box2's folder over IMAP — which the worker's IMAP sync
then reads and threads to the campaign. Prints the ids as KEY=value lines.

usage: demo-imap.py URL API_KEY APPROVER_KEY SUBMISSION_DIR SMTP_PORT MAILDIR [FOLDER]
"""
import email
import email.policy
import imaplib
import json
import os
import ssl
import sys
import time
import uuid

import requests


def die(msg):
    sys.stderr.write(f"demo-imap: {msg}\n")
    sys.exit(1)


def wait_for(pred, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.2)
    return pred()


def main():
    if len(sys.argv) not in (7, 8):
        die(__doc__.strip().splitlines()[-1])
    url, key, approver, sub, smtp_port, maildir = sys.argv[1:7]
    folder = sys.argv[7] if len(sys.argv) == 8 else "INBOX"
    smtp_port = int(smtp_port)
    with open(os.path.join(sub, "password")) as f:
        password = f.read().strip()

    def call(method, path, body=None, as_key=key):
        r = requests.request(method, url + path, timeout=30, data=json.dumps(body) if body else None,
                             headers={"Authorization": f"Bearer {as_key}",
                                      "Content-Type": "application/json"})
        if r.status_code >= 300:
            die(f"{method} {path}: {r.status_code} {r.text}")
        return r.json() if r.content else None

    def mailbox(user, imap):
        body = {"fromName": f"Demo {user}", "fromAddress": f"{user}@mailbox.test",
                "smtp": {"host": "localhost", "port": smtp_port + 1, "security": "starttls",
                         "username": f"{user}@mailbox.test", "password": password}}
        if imap:
            body["imap"] = {"host": "localhost", "port": smtp_port + 4, "security": "tls",
                            "folders": [folder]}
        return call("POST", "/v1/mailboxes", body)["id"]

    first = mailbox("box1", False)
    second = mailbox("box2", True)
    tag = uuid.uuid4().hex[:6]
    prospect = f"dana.{tag}@replies-demo.example"
    campaign = call("POST", "/v1/link-building/campaign", {
        "type": "custom", "name": "Replies over IMAP", "targetUrl": "https://example.com/guide",
        "sender": "box2@mailbox.test", "mailboxIds": [second],
        "template": {"subject": "A guide for {{domain}}",
                     "body": "Hi {{contactFirstName}}, we wrote a guide your readers may like."},
        "prospects": [{"domain": "replies-demo.example", "contactName": "Dana Reyes",
                       "contactEmail": prospect}]})["id"]
    # the first email waits for approval unless the workspace sends without it
    for d in call("GET", f"/v1/approvals?campaignId={campaign}")["data"]:
        call("POST", f"/v1/approvals/{d['id']}/approve", as_key=approver)

    def sent():
        for sub_dir in ("new", "cur"):
            d = os.path.join(maildir, sub_dir)
            for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
                with open(os.path.join(d, name), "rb") as f:
                    m = email.message_from_bytes(f.read(), policy=email.policy.default)
                if m["X-Sink-Rcpt-To"] == prospect:
                    return m
        return None

    out = wait_for(sent, 120) or die("the campaign's email did not reach the sink")
    reply_id = f"<{uuid.uuid4().hex}@replies-demo.example>"
    reply = "\r\n".join([
        f"From: Dana Reyes <{prospect}>", "To: Demo box2 <box2@mailbox.test>",
        f"Subject: Re: {out['Subject']}", f"Date: {email.utils.formatdate()}",
        f"Message-ID: {reply_id}", f"In-Reply-To: {out['Message-ID']}",
        f"References: {out['Message-ID']}", "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8", "",
        "Hi! Happy to take a look — send over the draft.", "",
        "On a recent day, Demo box2 wrote:", "> we wrote a guide your readers may like.", ""])
    ctx = ssl.create_default_context(cafile=os.path.join(sub, "ca.pem"))
    imap = imaplib.IMAP4_SSL("localhost", smtp_port + 4, ssl_context=ctx)
    imap.login("box2@mailbox.test", password)
    if imap.append(folder, None, None, reply.encode())[0] != "OK":
        die("appending the reply over IMAP failed")
    imap.logout()

    def threaded():
        data = call("GET", f"/v1/link-building/inbound?campaignId={campaign}")["data"]
        return [m for m in data if m["messageId"] == reply_id]

    got = wait_for(threaded, 120) or die("the worker's IMAP sync did not read the reply")
    print(f"LINKCAMP_DEMO_MAILBOX_ID={first}")
    print(f"LINKCAMP_DEMO_IMAP_MAILBOX_ID={second}")
    print(f"LINKCAMP_DEMO_IMAP_CAMPAIGN_ID={campaign}")
    print(f"LINKCAMP_DEMO_IMAP_REPLY_ID={got[0]['id']}")


if __name__ == "__main__":
    main()
