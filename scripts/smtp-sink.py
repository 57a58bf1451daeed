#!/usr/bin/python3
"""Local SMTP sink for the linkcamp dev and test stacks.

Accepts every message on 127.0.0.1:PORT and stores each one, byte for byte as received
after DATA, as a file in a maildir (new/). Runs until SIGTERM. Debian's python3-aiosmtpd.

With --trouble it also misbehaves on purpose for recipients whose local part starts with
a keyword, so tests can drive every delivery path through a real SMTP conversation:
  tempfail...@  451 4.3.0 after DATA          bounce...@   550 5.1.1 after DATA
  reject...@    554 5.7.1 after DATA          rcpt4xx...@  450 4.2.1 at RCPT
  hang...@      never answers after the final dot (the client times out)
  drop...@      closes the connection after the final dot without answering
  slowrcpt...@  answers the first RCPT for the address after 8 s (later ones at once)
"""
import asyncio
import os
import signal
import sys
import time

from aiosmtpd.controller import Controller


class MaildirHandler:
    def __init__(self, path, trouble=False):
        self.trouble = trouble
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(path, sub), exist_ok=True)
        self.path = path
        self.seq = 0
        self.slowed = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.trouble and address.lower().startswith("rcpt4xx"):
            return "450 4.2.1 mailbox busy, try later"
        if self.trouble and address.lower().startswith("slowrcpt") and address not in self.slowed:
            self.slowed.add(address)
            await asyncio.sleep(8)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        rcpt = (envelope.rcpt_tos[0] if envelope.rcpt_tos else "").lower()
        if self.trouble:
            if rcpt.startswith("tempfail"):
                return "451 4.3.0 temporary trouble, try later"
            if rcpt.startswith("bounce"):
                return "550 5.1.1 no such user here"
            if rcpt.startswith("reject"):
                return "554 5.7.1 message refused"
            if rcpt.startswith("hang"):
                await asyncio.sleep(3600)
            if rcpt.startswith("drop"):
                server.transport.close()
                return "421 closing"
        # The message is stored byte for byte as received (CRLF kept), after two lines
        # naming the envelope, so tests can check one recipient per transaction.
        head = "X-Sink-Mail-From: {}\r\nX-Sink-Rcpt-To: {}\r\n".format(
            envelope.mail_from or "", ",".join(envelope.rcpt_tos)).encode()
        data = head + (envelope.original_content or envelope.content)
        self.seq += 1
        name = "{}.{}_{}.linkcamp-sink".format(int(time.time() * 1000), os.getpid(), self.seq)
        tmp = os.path.join(self.path, "tmp", name)
        try:
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, os.path.join(self.path, "new", name))
        except OSError as e:
            # A full disk or a vanished maildir is the sink's trouble, not the message's:
            # a temporary failure makes the sender keep the message and try again.
            print(f"smtp-sink: cannot store a message: {e}", file=sys.stderr, flush=True)
            try:
                os.unlink(tmp)
            except OSError:
                pass
            return "451 4.3.0 cannot store the message now, try later"
        return "250 2.0.0 stored"


def main():
    args = sys.argv[1:]
    trouble = "--trouble" in args
    args = [a for a in args if a != "--trouble"]
    if len(args) != 2:
        print("usage: smtp-sink.py [--trouble] PORT MAILDIR", file=sys.stderr)
        return 64
    port, path = int(args[0]), args[1]
    controller = Controller(MaildirHandler(path, trouble), hostname="127.0.0.1", port=port)
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
