#!/usr/bin/python3
"""Regenerate tests/fuzz/corpus/mime: the inbound mail fixtures plus deterministic mutations
(truncations, boundary damage, huge headers, deep multipart nesting, NULs, invalid UTF-8,
base64/quoted-printable garbage, HTML and DSN torture). Standard library only; the output is
committed, so run it only when the fixtures or the mutations change:

    /usr/bin/python3 tests/fuzz/gen_corpus.py

Files named regress-* (inputs that once crashed or broke an invariant, saved by hand from
libFuzzer's crash-* files) and lf-* (small inputs found by libFuzzer that add coverage, merged
in with -merge=1, see README.md) are kept. The corpus must stay under 2 MB (checked here)."""
import base64
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures", "mail")
OUT = os.path.join(HERE, "corpus", "mime")
LIMIT = 2 * 1024 * 1024
KEEP = ("regress-", "lf-")  # added by hand, not generated here

rng = random.Random(20261126)
corpus = {}


def put(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    corpus[name] = data


def header(extra="", ct="text/plain; charset=utf-8", cte=None):
    h = ("From: Fuzz <fuzz@site.example>\nTo: marina@outreach.example\nSubject: Re: fuzz\n"
         "Message-ID: <fuzz@site.example>\nIn-Reply-To: <Qm9vLk3pT9vX2mRb8LwN4y@mail.outreach.example>\n"
         "MIME-Version: 1.0\nContent-Type: " + ct + "\n")
    if cte:
        h += "Content-Transfer-Encoding: " + cte + "\n"
    return h + extra + "\n"


def nest(depth, leaf="Content-Type: text/plain\n\nbottom\n", kind="mixed", close=True):
    s = header(ct='multipart/%s; boundary="b0"' % kind)
    for i in range(depth):
        s += '--b%d\nContent-Type: multipart/%s; boundary="b%d"\n\n' % (i, kind, i + 1)
    s += "--b%d\n%s" % (depth, leaf)
    if close:
        for i in range(depth, -1, -1):
            s += "--b%d--\n" % i
    return s


# 1. the fixtures themselves
fixtures = sorted(f for f in os.listdir(FIXTURES) if f.endswith(".eml"))
raw = {}
for f in fixtures:
    with open(os.path.join(FIXTURES, f), "rb") as fh:
        raw[f] = fh.read()
    put("fx-" + f, raw[f])

multipart = [f for f in fixtures if b"boundary=" in raw[f]]

# 2. truncations: at a fixed set of fractions, and just after each boundary line
for f in multipart[:8]:
    data = raw[f]
    for frac in (0.1, 0.35, 0.6, 0.9):
        put("trunc-%d-%s" % (int(frac * 100), f), data[: int(len(data) * frac)])
    i = data.find(b"\n--", len(data) // 2)
    if i > 0:
        put("trunc-boundary-" + f, data[: i + 4])

# 3. boundary damage
for n, f in enumerate(multipart[:10]):
    data = raw[f]
    b = data.split(b'boundary="', 1)[1].split(b'"', 1)[0] if b'boundary="' in data else None
    if not b:
        continue
    put("bnd-nofinal-%d.eml" % n, data.replace(b"--" + b + b"--", b""))
    put("bnd-mangled-%d.eml" % n, data.replace(b"--" + b, b"--" + b[:-1] + b"X", 2))
    put("bnd-dup-%d.eml" % n, data.replace(b"--" + b + b"\n", (b"--" + b + b"\n") * 3, 1))
    put("bnd-empty-%d.eml" % n, data.replace(b'boundary="' + b + b'"', b'boundary=""'))
    put("bnd-noparam-%d.eml" % n, data.replace(b'boundary="' + b + b'"', b"charset=x"))

# 4. huge headers
put("hdr-long-subject.eml", header().replace("Subject: Re: fuzz", "Subject: " + "=?utf-8?b?w6k=?= " * 4000) + "x\n")
put("hdr-many-fields.eml", "".join("X-F%d: %d\n" % (i, i) for i in range(6000)) + header() + "body\n")
put("hdr-long-line.eml", header("X-Big: " + "A" * 120000 + "\n") + "body\n")
put("hdr-fold-storm.eml", "Subject: a\n" + " b\n" * 20000 + "From: x@y\n\nbody\n")
put("hdr-refs-storm.eml", header("References: " + " ".join("<%d@x>" % i for i in range(8000)) + "\n") + "b\n")
put("hdr-addr-storm.eml", "From: " + ", ".join("g%d: a%d@x, \"q\\\"%d\" <b@y>;" % (i, i, i) for i in range(2000)) + "\n\nb\n")
put("hdr-no-colon.eml", "This line has no colon\nFrom: a@b\n\nbody\n")
put("hdr-only.eml", "Subject: only headers, no blank line, no body")
put("hdr-8bit.eml", b"From: \xff\xfe <\xc3\x28@\xe2\x82>\nSubject: \x80\x81\x82 \xed\xa0\x80\nIn-Reply-To: <\xf0\x90\x80@x>\n\nb\n")
put("hdr-ew-torture.eml", header().replace("Subject: Re: fuzz", "Subject: =?utf-8?q?=?= =?x-bogus?b?////?= =?utf-8?b?w?= =?utf-8*en?q?a_b?= =?shift_jis?b?gqA=?= =?=?=??==?utf-7?q?+AGE-?=") + "b\n")

# 5. deep nesting
put("nest-200-mixed.eml", nest(200))
put("nest-200-alternative.eml", nest(200, kind="alternative"))
put("nest-200-unclosed.eml", nest(200, close=False))
put("nest-1200-mixed.eml", nest(1200))
put("nest-60-related-html.eml", nest(60, leaf="Content-Type: text/html\n\n<blockquote>" * 1 + "<b>x</b>\n", kind="related"))
put("nest-rfc822-chain.eml", "".join("From: a%d@x\nSubject: level %d\nContent-Type: message/rfc822\n\n" % (i, i) for i in range(300)) + "From: z@x\n\nbottom\n")

# 6. NULs and control characters
for n, f in enumerate(fixtures[:12]):
    data = bytearray(raw[f])
    for _ in range(8):
        data.insert(rng.randrange(len(data)), 0)
    put("nul-%d.eml" % n, bytes(data))
put("nul-header-name.eml", b"Fro\x00m: a@b\nSub\x00ject: x\x00y\n\nbo\x00dy\n")
put("ctl-everywhere.eml", bytes(range(0, 32)) * 50 + b"\nFrom: a@b\n\n" + bytes(range(0, 256)) * 20)

# 7. invalid UTF-8
bad_utf8 = [b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80", b"\xc3",
            b"\xe2\x82", b"\xf0\x9f\x98", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf"]
for n, f in enumerate(fixtures[12:24]):
    data = bytearray(raw[f])
    for _ in range(12):
        pos = rng.randrange(len(data))
        data[pos:pos] = rng.choice(bad_utf8)
    put("utf8-%d.eml" % n, bytes(data))
put("utf8-declared-all-bad.eml", header().encode() + bytes(b | 0x80 for b in rng.randbytes(3000)))

# 8. base64 / quoted-printable / uuencode garbage
put("b64-garbage.eml", header(cte="base64") + "".join(rng.choice("ABCxyz09+/=!@#\n ") for _ in range(6000)))
put("b64-text-html.eml", header(ct="text/html; charset=utf-8", cte="base64") + base64.b64encode(rng.randbytes(3000)).decode())
put("b64-padding.eml", header(cte="base64") + "====\n=A==\nQQ\nQQ=\nQUJD====QUJD\n")
put("qp-garbage.eml", header(cte="quoted-printable") + "=\n=Z=z=0=00=FF=\r\n===" * 500 + "=")
put("uu-garbage.eml", header(cte="x-uuencode") + "begin 644 x\n" + "M" * 61 + "\n!\nend\n" + "begin\n" * 50)
put("cte-unknown.eml", header(cte="x-weird-encoding") + "body\n")

# 9. charsets
# (no ISO-2022-*/EUC-*/UHC/JOHAB: glibc loads their helper libraries through $ORIGIN, which
# valgrind reports as an ld.so false positive; test_mime covers those charsets under ASan)
for cs in ("utf-16", "utf-16le", "utf-32", "shift_jis", "utf-7", "x-bogus", "a" * 400, "", "gb18030", "big5"):
    put("cs-%s.eml" % (cs[:20] or "empty"), header(ct="text/plain; charset=\"%s\"" % cs, cte="8bit").encode() + rng.randbytes(701))
put("cs-utf7-broken.eml", header(ct="text/plain; charset=utf-7").encode() + b"+AGE-+-+ZZZ+\x1b$B$3$s\x1b(J+AG" * 100)

# 10. HTML torture
put("html-unclosed.eml", header(ct="text/html") + "<a href=\"https://x.example/" + "<p" * 3000 + "<blockquote>" * 2000 + "&#x" * 500 + "&" * 500)
put("html-entities.eml", header(ct="text/html") + "".join("&%s;" % rng.choice(["amp", "nbsp", "#0", "#x110000", "#55296", "#150", "bogus", "x" * 30, "#99999999999999", "eacute"]) for _ in range(4000)))
put("html-script-unclosed.eml", header(ct="text/html") + "<p>a</p><script>" + "</scrip" * 500)
put("html-comments.eml", header(ct="text/html") + "<!-- " * 2000 + "-->" + "<!" * 1000 + "<?" * 1000)
put("html-attrs.eml", header(ct="text/html") + "<a " + " ".join("href%d='%s'" % (i, "https://x/" + "y" * i) for i in range(300)) + " href=\"https://ok.example/&amp;&lt;\">t</a><a href=" + "z" * 5000 + ">u")
put("html-meta-charset.eml", header(ct="text/html") + "<meta charset=\"" + "x" * 300 + "\"><meta content=\"text/html; charset=koi8-r\">" + "\xd0\xd2" * 200)

# 11. DSN torture
dsn_hdr = ('From: MAILER-DAEMON@mx.example\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n'
           'Content-Type: multipart/report; report-type=delivery-status; boundary="d"\n\n')
put("dsn-many-recipients.eml", dsn_hdr + "--d\nContent-Type: text/plain\n\nx\n--d\nContent-Type: message/delivery-status\n\n" +
    "".join("Final-Recipient: rfc822; r%d@x.example\nAction: %s\nStatus: %s\n\n" % (i, rng.choice(["failed", "delayed", "delivered"]), rng.choice(["5.1.1", "4.4.1", "2.0.0", "9.9", "5.1.1.1", "x"])) for i in range(1500)) + "--d--\n")
put("dsn-no-blank-lines.eml", dsn_hdr + "--d\nContent-Type: message/delivery-status\n\n" + "Status: 5.1.1\nFinal-Recipient: ;\n" * 3000 + "--d--\n")
put("dsn-huge-field.eml", dsn_hdr + "--d\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; " + "a" * 100000 + "@x\n Status:\n\t5.1.1\n--d\nContent-Type: text/rfc822-headers\n\nMessage-ID: <" + "m" * 5000 + "@x>\n--d--\n")
put("dsn-rfc822-empty.eml", dsn_hdr + "--d\nContent-Type: message/rfc822\n\n--d\nContent-Type: message/global\n\nMessage-ID: <g@x>\n--d\nContent-Type: message/global-headers\n\nMessage-ID: <h@x>\n--d--\n")
put("dsn-base64-status.eml", dsn_hdr + "--d\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n\n" + base64.b64encode(b"Final-Recipient: rfc822; b@x.example\r\nAction: failed\r\nStatus: 5.7.1\r\n").decode() + "\n--d--\n")
put("bounce-text-only.eml", "From: Mail Delivery System <MAILER-DAEMON@x>\nSubject: Mail delivery failed\n\n" + "@" * 2000 + " a@ @b x@y. <@> 5.5.5.5 4.4 550- 5.1.1\nMessage-ID:\nmessage-id: <\n")

# 12. random splices of two fixtures and byte flips
for n in range(24):
    a, b = rng.sample(fixtures, 2)
    da, db = raw[a], raw[b]
    cut_a, cut_b = rng.randrange(len(da)), rng.randrange(len(db))
    put("splice-%02d.eml" % n, da[:cut_a] + db[cut_b:])
for n in range(16):
    f = rng.choice(fixtures)
    data = bytearray(raw[f])
    for _ in range(1 + len(data) // 200):
        data[rng.randrange(len(data))] = rng.randrange(256)
    put("flip-%02d.eml" % n, bytes(data))

# 13. not mail at all
put("empty.eml", b"")
put("blank-lines.eml", b"\n\n\r\n")
put("binary.eml", rng.randbytes(4096))
put("mbox-only.eml", b"From someone Thu Nov 26 05:40:35 2026\n")

total = sum(len(v) for v in corpus.values())
if os.path.isdir(OUT):
    total += sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT) if f.startswith(KEEP))
if total > LIMIT:
    sys.exit("corpus is %d bytes, over the %d limit" % (total, LIMIT))
os.makedirs(OUT, exist_ok=True)
for old in os.listdir(OUT):
    if not old.startswith(KEEP):
        os.remove(os.path.join(OUT, old))
for name, data in sorted(corpus.items()):
    with open(os.path.join(OUT, name), "wb") as fh:
        fh.write(data)
print("%d inputs, %d bytes in %s" % (len(corpus), total, os.path.relpath(OUT)))
