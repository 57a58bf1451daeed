#!/usr/bin/python3
"""Local SMTP sink for the linkcamp dev and test stacks.

Accepts every message on 127.0.0.1:PORT and stores each one, byte for byte as received
after DATA, as a file in a maildir (new/). Runs until SIGTERM. Debian's python3-aiosmtpd.
"""
import asyncio
import mailbox
import os
import signal
import sys

from aiosmtpd.controller import Controller


class MaildirHandler:
    def __init__(self, path):
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(path, sub), exist_ok=True)
        self.box = mailbox.Maildir(path, create=False)

    async def handle_DATA(self, server, session, envelope):
        msg = mailbox.MaildirMessage(envelope.original_content or envelope.content)
        # keep the envelope for tests that check one recipient per transaction
        msg["X-Sink-Mail-From"] = envelope.mail_from or ""
        msg["X-Sink-Rcpt-To"] = ",".join(envelope.rcpt_tos)
        self.box.add(msg)
        return "250 2.0.0 stored"


def main():
    if len(sys.argv) != 3:
        print("usage: smtp-sink.py PORT MAILDIR", file=sys.stderr)
        return 64
    port, path = int(sys.argv[1]), sys.argv[2]
    controller = Controller(MaildirHandler(path), hostname="127.0.0.1", port=port)
    controller.start()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
