"""Claim (docs/webhooks.md): a delivery that never gets a 2xx is retried after 5 s, 5 min,
30 min, 2 h, 5 h, then every 10 h — 13 attempts — and then marked failed; every attempt
is listed in …/deliveries, all with the same webhook-id.

The test stack scales the schedule's second to 20 ms, which still leaves days of waiting,
so after each failed attempt the test makes time pass by moving the row's due_at to now
(as other tests move schedules), once the worker has written that attempt down."""
import json
import threading
from http.server import BaseHTTPRequestHandler

from conftest import Tenant, LocalHttp, sql, wait_for

JSON = {"Content-Type": "application/json"}
ATTEMPTS = 13


class Failing(LocalHttp):
    """Answers 500 to everything and records each request's webhook-id."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ids = []
        me = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with me.lock:
                    me.ids.append(self.headers["webhook-id"])
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        LocalHttp.__init__(self, Handler)

    def count(self, event):
        with self.lock:
            return self.ids.count(event)

    def events(self):
        with self.lock:
            return list(dict.fromkeys(self.ids))


def outbox(event):
    rows = sql(f"SELECT id, state, attempts FROM webhook_outbox WHERE event_public_id = '{event}'")
    return [int(x) for x in rows[0]] if rows else None


def test_a_delivery_that_never_succeeds_is_failed_after_13_attempts():
    rx = Failing()
    try:
        t = Tenant()
        r = t.api.post("/v1/webhooks", headers=JSON, data=json.dumps(
            {"url": rx.url("/always-500"), "events": ["link_building.campaign.paused"]}))
        assert r.status_code == 201, r.text
        wid = r.json()["id"]
        assert t.api.post(f"/v1/webhooks/{wid}/test").status_code == 202
        first = wait_for(rx.events)
        assert first and len(first) == 1
        event = first[0]

        # each time an attempt is written down (pending, due later), make that time come now;
        # the first retries (0.1 s, 6 s here) may well come by themselves
        seen = 0
        while True:
            row = wait_for(lambda: (lambda o: o[1] != 1 and o[2] > seen and o)(outbox(event)))
            assert row, (seen, outbox(event))
            seen = row[2]
            # every recorded attempt reached the receiver (the next may already be on its way)
            assert rx.count(event) >= seen
            if row[1] != 0:
                break
            sql(f"UPDATE webhook_outbox SET due_at = UTC_TIMESTAMP(3) "
                f"WHERE id = {row[0]} AND state = 0 AND attempts = {seen}")

        # after the 13th failure the delivery is failed (state 3), not pending again
        done = row
        assert done[1:] == [3, ATTEMPTS], done
        assert rx.count(event) == ATTEMPTS
        sql(f"UPDATE webhook_outbox SET due_at = UTC_TIMESTAMP(3) WHERE id = {done[0]}")

        # every attempt is listed, numbered 1..13, each a 500
        got = t.api.get(f"/v1/webhooks/{wid}/deliveries", query="limit=50").json()["data"]
        mine = [d for d in got if d["eventId"] == event]
        assert sorted(d["attempt"] for d in mine) == list(range(1, ATTEMPTS + 1))
        assert all(d["statusCode"] == 500 and d["ok"] is False for d in mine), mine

        # a later event to the same webhook is delivered (its first attempt arrives), and
        # by then the failed one has still had exactly 13
        assert t.api.post(f"/v1/webhooks/{wid}/test").status_code == 202
        later = wait_for(lambda: [e for e in rx.events() if e != event])
        assert later, rx.events()
        assert wait_for(lambda: outbox(later[0])[2] >= 1)
        assert rx.count(event) == ATTEMPTS
        assert outbox(event)[1:] == [3, ATTEMPTS]
    finally:
        rx.stop()
