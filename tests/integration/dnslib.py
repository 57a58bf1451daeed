"""The stack's own DNS server for the DKIM tests (docs/dkim.md): Knot, started by
scripts/dev on 127.0.0.1:SMTP_PORT+5 with the zones dkim.test, mailbox.test and
northwind.example. Tests publish records by rewriting a zone file (serial + 1) and
reloading it with knotc on the control socket, then read DNS back with dnspython. DKIM
signatures are checked with python3-dkim (an implementation independent of linkcamp's
libopendkim), its key lookups answered by that same DNS server."""
import os
import re
import subprocess

import dkim
import dns.flags
import dns.message
import dns.query
import dns.rdatatype

from conftest import CONFIG, wait_for

VAR = os.path.dirname(os.path.dirname(CONFIG)) if CONFIG else ""
DNSDIR = os.path.join(VAR, "dns")


def _resolver():
    current = None
    with open(CONFIG) as f:
        for line in f:
            line = line.strip()
            if line.startswith("["):
                current = line.strip("[]")
            elif current == "dns" and line.partition("=")[0].strip() == "resolver":
                host, _, port = line.partition("=")[2].strip().rpartition(":")
                return host, int(port)
    raise AssertionError(f"no [dns] resolver in {CONFIG}")


SERVER = _resolver() if CONFIG else ("127.0.0.1", 0)


def _zone_path(zone):
    return os.path.join(DNSDIR, "zones", zone + ".zone")


def _serial(zone):
    q = dns.message.make_query(zone, "SOA")
    r = dns.query.udp(q, SERVER[0], port=SERVER[1], timeout=3)
    return r.answer[0][0].serial if r.answer else None


def _rewrite(zone, edit):
    """edit(text) -> new text; bumps the SOA serial, writes the file and reloads the zone,
    then waits until the server answers with the new serial."""
    path = _zone_path(zone)
    with open(path) as f:
        text = f.read()
    m = re.search(r"(IN SOA \S+ \S+ )(\d+)", text)
    assert m, f"no SOA in {path}"
    serial = int(m.group(2)) + 1
    text = edit(text[:m.start(2)] + str(serial) + text[m.end(2):])
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)
    subprocess.run(["knotc", "-c", os.path.join(DNSDIR, "knot.conf"), "-b", "zone-reload", zone],
                   check=True, capture_output=True, timeout=30)
    assert wait_for(lambda: _serial(zone) == serial, timeout=30), f"{zone} did not reload"


def zone_of(name):
    for zone in ("dkim.test", "mailbox.test", "northwind.example"):
        if name.rstrip(".") == zone or name.rstrip(".").endswith("." + zone):
            return zone
    raise AssertionError(f"{name} is in no zone of the stack's DNS server")


def publish(name, *lines):
    """Adds zone file lines (absolute names, ending in a dot) to the zone of name."""
    _rewrite(zone_of(name), lambda text: text + "".join(line + "\n" for line in lines))


def txt(name, value):
    """A zone file line for a TXT record; value is cut into 255-byte strings."""
    parts = [value[i:i + 255] for i in range(0, len(value), 255)] or [""]
    return f"{name.rstrip('.')}. 60 IN TXT " + " ".join('"' + p + '"' for p in parts)


def unpublish(name):
    """Removes every record of name (its lines start with the absolute name)."""
    prefix = name.rstrip(".") + ". "
    _rewrite(zone_of(name),
             lambda text: "".join(l for l in text.splitlines(True) if not l.startswith(prefix)))


def dnsfunc(name, timeout=5):
    """python3-dkim's key lookup, through the stack's DNS server: the TXT record's strings
    joined, or b'' when there is none."""
    if isinstance(name, bytes):
        name = name.decode()
    q = dns.message.make_query(name, "TXT")
    r = dns.query.udp(q, SERVER[0], port=SERVER[1], timeout=timeout)
    if r.flags & dns.flags.TC:
        r = dns.query.tcp(q, SERVER[0], port=SERVER[1], timeout=timeout)
    for rrset in r.answer:
        if rrset.rdtype == dns.rdatatype.TXT:
            for rd in rrset:
                return b"".join(rd.strings)
    return b""


def verify(raw):
    """Verifies every DKIM-Signature of raw: [(a=, d=, s=, ok)] in header order."""
    d = dkim.DKIM(raw)
    out = []
    sigs = [v for k, v in _headers(raw) if k.lower() == b"dkim-signature"]
    for i, sig in enumerate(sigs):
        tags = dict(t.strip().split(b"=", 1) for t in re.sub(rb"\s+", b"", sig).split(b";") if b"=" in t)
        try:
            ok = d.verify(idx=i, dnsfunc=dnsfunc)
        except dkim.DKIMException:
            ok = False
        out.append((tags[b"a"].decode(), tags[b"d"].decode(), tags[b"s"].decode(), ok))
    return out


def _headers(raw):
    head = raw.split(b"\r\n\r\n", 1)[0]
    fields = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1][1] += b"\r\n" + line
        else:
            k, _, v = line.partition(b":")
            fields.append([k, v])
    return fields


def signature_tags(raw, index=0):
    sigs = [v for k, v in _headers(raw) if k.lower() == b"dkim-signature"]
    return dict(t.strip().split(b"=", 1) for t in re.sub(rb"\s+", b"", sigs[index]).split(b";") if b"=" in t)
