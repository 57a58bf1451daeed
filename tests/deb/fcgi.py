"""A minimal FastCGI client (the responder role over a Unix socket), so that the tests
of the installed package talk to linkcamp-fcgi as nginx does, without nginx."""
import socket
import struct

BEGIN, END, PARAMS, STDIN, STDOUT, STDERR = 1, 3, 4, 5, 6, 7


def _record(kind, content, req=1):
    return struct.pack(">BBHHBx", 1, kind, req, len(content), 0) + content


def _pair(k, v):
    k, v = k.encode(), v.encode()
    def n(x):
        return struct.pack(">B", len(x)) if len(x) < 128 else struct.pack(">I", len(x) | 0x80000000)
    return n(k) + n(v) + k + v


def request(sock_path, method, uri, headers=None, timeout=30):
    """Returns (status, {header: value}, body bytes) of one request."""
    params = {"REQUEST_METHOD": method, "REQUEST_URI": uri, "SCRIPT_NAME": uri.split("?")[0],
              "QUERY_STRING": uri.partition("?")[2], "SERVER_PROTOCOL": "HTTP/1.1",
              "REMOTE_ADDR": "127.0.0.1", "SERVER_NAME": "localhost", "CONTENT_LENGTH": "0",
              "GATEWAY_INTERFACE": "CGI/1.1"}
    for k, v in (headers or {}).items():
        params["HTTP_" + k.upper().replace("-", "_")] = v
    body = b"".join(_pair(k, v) for k, v in params.items())
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(sock_path)
        s.sendall(_record(BEGIN, struct.pack(">HB5x", 1, 0)) + _record(PARAMS, body) +
                  _record(PARAMS, b"") + _record(STDIN, b""))
        data, out = b"", b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    ended = False
    while len(data) >= 8:
        _, kind, _, clen, plen = struct.unpack(">BBHHB", data[:7])
        content = data[8:8 + clen]
        data = data[8 + clen + plen:]
        if kind == STDOUT:
            out += content
        elif kind == END:
            ended = True
    assert ended, "no FCGI_END_REQUEST"
    head, _, payload = out.partition(b"\r\n\r\n")
    hdrs = {}
    for line in head.decode().split("\r\n"):
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    status = int(hdrs.get("status", "200").split()[0])
    return status, hdrs, payload
