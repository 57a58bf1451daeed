"""Pacing of sender mailboxes (issue 15 items 3 and 7, docs/mailboxes.md "Pacing"), proven
on the running stack with the test clock instead of waiting: the worker and the API read
the instant from LINKCAMP_TEST_CLOCK_FILE (compiled in by --enable-test-clock, which
scripts/dev's test build turns on). Every message goes through the real submission server
(Dovecot, STARTTLS, AUTH) to the sink.

A frozen clock makes the instants exact: a message the worker sends at clock T has
sent_at T. "Nothing else went" is proven positively: after each move of the clock the
test waits until every unsent message of the campaign is held with a next slot later
than the clock, which only happens once the worker has looked at all of them."""
import json
import os
import uuid
from datetime import datetime, timezone

import pytest

from conftest import Tenant, assert_problem, sql, wait_for
from test_mailboxes import CAMPAIGN, JSON, auto_policy, mailbox_body, prospects



def ms(text):
    """Milliseconds of an RFC 3339 instant or a 'YYYY-MM-DD HH:MM:SS' UTC one."""
    text = text.replace("Z", "+00:00")
    d = datetime.fromisoformat(text)
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return int(d.timestamp() * 1000)


def iso(t_ms):
    return datetime.fromtimestamp(t_ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")




def mailbox(api, **fields):
    body = mailbox_body(user=fields.pop("user", "box1"))
    body.update(fields)
    r = api.post("/v1/mailboxes", headers=JSON, data=json.dumps(body))
    assert r.status_code == 201, r.text
    return r.json()


def campaign(api, mailbox_ids, n, **extra):
    tag = uuid.uuid4().hex[:6]
    body = {"type": "serp", "name": "pace " + tag, "targetUrl": "https://example.com/guide",
            "sender": "relay@agency.example",
            "template": {"subject": "Hello {{contactFirstName}}", "body": "Hi there"},
            "prospects": prospects(n, tag), "mailboxIds": mailbox_ids}
    body.update(extra)
    r = api.post(CAMPAIGN, headers=JSON, data=json.dumps(body))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def rows(cid):
    """(public id, status, mailbox, sent_at ms or None, held_reason, next_slot_at ms or
    None, kind) of every message of the campaign."""
    out = []
    for r in sql("SELECT o.public_id, o.status, COALESCE(b.public_id, ''), "
                 "COALESCE(o.sent_at, ''), COALESCE(o.held_reason, ''), "
                 "COALESCE(o.next_slot_at, ''), o.kind FROM outbound_messages o "
                 "JOIN campaigns c ON c.id = o.campaign_id "
                 "LEFT JOIN mailboxes b ON b.id = o.mailbox_id "
                 f"WHERE c.public_id = '{cid}' ORDER BY o.id"):
        out.append((r[0], int(r[1]), r[2], ms(r[3]) if r[3] else None,
                    int(r[4]) if r[4] else 0, ms(r[5]) if r[5] else None, int(r[6])))
    return out


SENT, HELD = 3, 8


def settled(cid, now_ms, expect_sent):
    """The worker has looked at every message due at now_ms: expect_sent of them are sent
    and every other one is held with a next slot after now_ms."""
    def ok():
        rs = rows(cid)
        sent = [r for r in rs if r[1] == SENT]
        rest = [r for r in rs if r[1] != SENT]
        return (len(sent) == expect_sent and
                all(r[1] == HELD and r[5] is not None and r[5] > now_ms for r in rest)) and rs
    rs = wait_for(ok, timeout=90)
    assert rs, rows(cid)
    return rs


def test_the_51st_message_of_a_50_a_day_mailbox_goes_at_the_next_days_opening(clock):
    t = Tenant()
    auto_policy(t.api)
    start = ms("2027-05-04T08:00:00Z")  # Tuesday 10:00 in Berlin
    clock(start)
    m = mailbox(t.api, dailyCap=50, window={"days": ["mon", "tue", "wed", "thu", "fri"],
                                            "start": "09:00", "end": "17:00",
                                            "timeZone": "Europe/Berlin"})
    assert m["window"] == {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00",
                           "end": "17:00", "timeZone": "Europe/Berlin"}
    assert m["capToday"] == 50 and m["warmup"] is None
    cid = campaign(t.api, [m["id"]], 51)
    rs = settled(cid, start, 50)
    assert all(r[3] == start for r in rs if r[1] == SENT)
    held = [r for r in rs if r[1] == HELD]
    assert len(held) == 1 and held[0][4] == 2  # daily_cap
    opening = ms("2027-05-05T07:00:00Z")  # Wednesday 09:00 in Berlin (CEST)
    assert held[0][5] == opening

    # the API shows it: the approval (message) shape and the mailbox
    a = t.api.get(f"/v1/approvals/{held[0][0]}").json()
    assert a["status"] == "held" and a["heldReason"] == "daily_cap", a
    assert a["nextSlotAt"] == iso(opening)
    got = t.api.get(f"/v1/mailboxes/{m['id']}").json()
    assert got["capToday"] == 50
    rel = t.api.get(f"/v1/link-building/crm/relationship/{a['relationshipId']}").json()
    assert [(x["status"], x["heldReason"], x["nextSlotAt"]) for x in rel["messages"]] == \
        [("held", "daily_cap", iso(opening))], rel

    # a second before the opening it still waits; at the opening it goes
    clock(opening - 1000)
    t.api.get("/v1/mailboxes")  # (the API reads the same clock)
    clock(opening)
    rs = settled(cid, opening, 51)
    assert [r[3] for r in rs if r[0] == held[0][0]] == [opening]


def test_sends_are_spaced_by_the_gap_and_spread_by_the_jitter(clock):
    t = Tenant()
    auto_policy(t.api)
    now = ms("2027-06-01T10:00:00Z")
    clock(now)
    m = mailbox(t.api, minGapSeconds=600, jitterSeconds=300)
    assert m["minGapSeconds"] == 600 and m["jitterSeconds"] == 300
    cid = campaign(t.api, [m["id"]], 6)
    sent_at = []
    for k in range(1, 7):
        rs = settled(cid, now, k)
        sent_at = sorted(r[3] for r in rs if r[1] == SENT)
        held = [r for r in rs if r[1] == HELD]
        if not held:
            break
        assert {r[4] for r in held} == {3}, held  # gap
        slots = {r[5] for r in held}
        assert len(slots) == 1, held  # one next slot for the mailbox
        nxt = slots.pop()
        assert 600_000 <= nxt - now <= 900_000, (nxt, now)
        now = nxt
        clock(now)
    assert len(sent_at) == 6
    gaps = [b - a for a, b in zip(sent_at, sent_at[1:])]
    assert all(600_000 <= g <= 900_000 for g in gaps), gaps
    assert len(set(gaps)) > 1, gaps  # the jitter spreads them


@pytest.mark.parametrize("day,opening", [
    ("2027-03-13", "2027-03-13T14:00:00Z"),  # Saturday, still EST (UTC-5)
    ("2027-03-15", "2027-03-15T13:00:00Z"),  # Monday after the change, EDT (UTC-4)
    ("2027-11-06", "2027-11-06T13:00:00Z"),  # Saturday, still EDT
    ("2027-11-08", "2027-11-08T14:00:00Z"),  # Monday after the change, EST
])
def test_a_new_york_window_opens_at_the_right_utc_instant_across_dst(clock, day, opening):
    t = Tenant()
    auto_policy(t.api)
    midnight_utc = ms(day + "T05:30:00Z")  # before 09:00 in New York either way
    clock(midnight_utc)
    m = mailbox(t.api, window={"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                               "start": "09:00", "end": "17:00",
                               "timeZone": "America/New_York"})
    cid = campaign(t.api, [m["id"]], 1)
    rs = settled(cid, midnight_utc, 0)
    assert rs[0][4] == 1 and rs[0][5] == ms(opening), (rs, opening)  # outside_window
    clock(ms(opening) - 1000)
    rs = settled(cid, ms(opening) - 1000, 0)
    clock(ms(opening))
    rs = settled(cid, ms(opening), 1)
    assert rs[0][3] == ms(opening)


def test_three_mailboxes_stay_within_one_of_each_other_per_day(clock):
    t = Tenant()
    auto_policy(t.api)
    day1 = ms("2027-07-05T06:00:00Z")
    clock(day1)
    boxes = [mailbox(t.api, user=u, dailyCap=5) for u in ("box1", "box2", "box3")]
    cid = campaign(t.api, [b["id"] for b in boxes], 20)
    rs = settled(cid, day1, 15)
    per_day = [{}]
    for r in rs:
        if r[1] == SENT:
            per_day[0][r[2]] = per_day[0].get(r[2], 0) + 1
    day2 = ms("2027-07-06T00:00:00Z")
    held = [r for r in rs if r[1] == HELD]
    assert {r[4] for r in held} == {2} and {r[5] for r in held} == {day2}, held
    clock(day2)
    rs = settled(cid, day2, 20)
    per_day.append({})
    for r in rs:
        if r[1] == SENT and r[3] == day2:
            per_day[1][r[2]] = per_day[1].get(r[2], 0) + 1
    for counts in per_day:
        vals = [counts.get(b["id"], 0) for b in boxes]
        assert max(vals) - min(vals) <= 1, (per_day, vals)
    assert sum(per_day[0].values()) == 15 and sum(per_day[1].values()) == 5


def test_a_follow_up_leaves_from_its_threads_first_mailbox(clock):
    t = Tenant()
    auto_policy(t.api)
    now = ms("2027-08-02T09:00:00Z")
    clock(now)
    boxes = [mailbox(t.api, user=u) for u in ("box1", "box2")]
    cid = campaign(t.api, [b["id"] for b in boxes], 4,
                   followUps=[{"afterDays": 2, "body": "Following up"}])
    rs = wait_for(lambda: (lambda x: len([r for r in x if r[1] == SENT]) == 4 and x)(rows(cid)),
                  timeout=90)
    assert rs, rows(cid)
    first = {r[0]: r[2] for r in rs if r[1] == SENT}
    assert set(first.values()) == {b["id"] for b in boxes}  # both mailboxes took threads
    # two days later the follow-ups fall due
    later = now + 2 * 86400_000 + 60_000
    clock(later)
    rs = wait_for(lambda: (lambda x: len([r for r in x if r[1] == SENT]) == 8 and x)(rows(cid)),
                  timeout=90)
    assert rs, rows(cid)
    thread = sql("SELECT o.to_email, COALESCE(b.public_id, ''), o.kind FROM outbound_messages o "
                 "JOIN campaigns c ON c.id = o.campaign_id "
                 "LEFT JOIN mailboxes b ON b.id = o.mailbox_id "
                 f"WHERE c.public_id = '{cid}' ORDER BY o.id")
    by_to = {}
    for to, box, kind in thread:
        by_to.setdefault(to, []).append((box, int(kind)))
    assert len(by_to) == 4
    for to, msgs in by_to.items():
        assert len(msgs) == 2 and msgs[0][0] == msgs[1][0] != "", (to, msgs)
        assert msgs[1][1] == 4  # follow_up


def test_the_warm_up_ramp_is_followed_day_by_day(clock):
    t = Tenant()
    auto_policy(t.api)
    day = ms("2027-09-06T08:00:00Z")
    clock(day)
    m = mailbox(t.api, dailyCap=4, warmup={"start": 2, "increment": 1})
    assert m["warmup"] == {"start": 2, "increment": 1} and m["capToday"] == 2
    cid = campaign(t.api, [m["id"]], 12)
    expected = [2, 3, 4, 3]  # the ramp, then the cap, then what is left
    total = 0
    for i, n in enumerate(expected):
        total += n
        rs = settled(cid, day, total)
        sent_today = [r for r in rs if r[1] == SENT and r[3] == day]
        assert len(sent_today) == n, (i, rs)
        got = t.api.get(f"/v1/mailboxes/{m['id']}").json()
        assert got["capToday"] == min(2 + i, 4), (i, got)
        day = ms(datetime.fromtimestamp(day / 1000 + 86400, timezone.utc)
                 .strftime("%Y-%m-%dT00:00:00Z"))
        if total < 12:
            assert {r[5] for r in rs if r[1] == HELD} == {day}
            clock(day)


def test_pacing_fields_are_validated():
    t = Tenant()
    bad = [
        ({"window": {"days": []}}, "window.days"),
        ({"window": {"days": ["mon", "mon"]}}, "window.days"),
        ({"window": {"days": ["monday"]}}, "window.days"),
        ({"window": {"start": "9:00"}}, "window.start"),
        ({"window": {"end": "24:01"}}, "window.end"),
        ({"window": {"start": "17:00", "end": "09:00"}}, "window.end"),
        ({"window": {"timeZone": "Mars/Olympus"}}, "window.timeZone"),
        ({"window": {"timeZone": "../../etc/passwd"}}, "window.timeZone"),
        ({"window": {"timeZone": "zone.tab"}}, "window.timeZone"),
        ({"window": {"zone": "UTC"}}, "window.zone"),
        ({"window": "9-5"}, "window"),
        ({"warmup": {"start": 0, "increment": 1}}, "warmup.start"),
        ({"warmup": {"start": 5}}, "warmup.increment"),
        ({"warmup": 5}, "warmup"),
        ({"minGapSeconds": -1}, "minGapSeconds"),
        ({"jitterSeconds": 86401}, "jitterSeconds"),
    ]
    for fields, param in bad:
        body = mailbox_body()
        body.update(fields)
        r = t.api.post("/v1/mailboxes", headers=JSON, data=json.dumps(body))
        assert_problem(r, 422, "validation_failed", param)
    m = mailbox(t.api)
    assert m["window"] == {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                           "start": "00:00", "end": "24:00", "timeZone": "UTC"}
    r = t.api.request("PATCH", f"/v1/mailboxes/{m['id']}", headers=JSON,
                      data=json.dumps({"window": {"start": "10:00", "end": "16:30",
                                                  "timeZone": "Asia/Kolkata"},
                                       "warmup": {"start": 3, "increment": 2}}))
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["window"]["start"] == "10:00" and p["window"]["end"] == "16:30"
    assert p["window"]["timeZone"] == "Asia/Kolkata" and len(p["window"]["days"]) == 7
    assert p["warmup"] == {"start": 3, "increment": 2} and p["capToday"] == 3
    r = t.api.request("PATCH", f"/v1/mailboxes/{m['id']}", headers=JSON,
                      data=json.dumps({"window": {"start": "17:00"}}))
    assert_problem(r, 422, "validation_failed", "window.end")
    r = t.api.request("PATCH", f"/v1/mailboxes/{m['id']}", headers=JSON,
                      data=json.dumps({"warmup": None}))
    assert r.status_code == 200 and r.json()["warmup"] is None


def test_cli_mailbox_add_takes_the_pacing_fields():
    from conftest import cli
    from test_mailboxes import SUB_PORT, sub_password
    t = Tenant()
    added = cli("mailbox", "add", t.ws, "--from", "box3@mailbox.test", "--host", "localhost",
                "--port", str(SUB_PORT), "--username", "box3@mailbox.test",
                "--days", "mon,wed,fri", "--start", "08:30", "--end", "16:00",
                "--time-zone", "America/New_York", "--warmup-start", "5",
                "--warmup-increment", "2", "--min-gap-seconds", "90", "--jitter-seconds", "30",
                "--password-stdin", stdin=sub_password() + "\n")
    got = t.api.get(f"/v1/mailboxes/{added}").json()
    assert got["window"] == {"days": ["mon", "wed", "fri"], "start": "08:30", "end": "16:00",
                             "timeZone": "America/New_York"}, got
    assert got["warmup"] == {"start": 5, "increment": 2}
    assert got["minGapSeconds"] == 90 and got["jitterSeconds"] == 30
    for args in (["--days", "mon,mon"], ["--start", "8:30"], ["--time-zone", "Nowhere/Land"],
                 ["--warmup-start", "5"]):
        bad = cli("mailbox", "add", t.ws, "--from", "box3@mailbox.test", "--host", "localhost",
                  "--username", "box3@mailbox.test", *args, "--password-stdin",
                  stdin="p\n", check=False)
        assert bad.returncode in (64, 65), (args, bad.returncode, bad.stderr)


def test_pause_and_cancel_still_win_over_a_paced_hold(clock):
    t = Tenant()
    auto_policy(t.api)
    night = ms("2027-10-04T02:00:00Z")  # Monday 04:00 in Berlin: outside 09:00-17:00
    clock(night)
    m = mailbox(t.api, window={"start": "09:00", "end": "17:00", "timeZone": "Europe/Berlin"})
    cid = campaign(t.api, [m["id"]], 2)
    rs = settled(cid, night, 0)
    opening = ms("2027-10-04T07:00:00Z")
    assert [(r[4], r[5]) for r in rs] == [(1, opening)] * 2, rs

    # paused before the slot: at the slot the worker holds them for the campaign instead
    r = t.api.post(f"{CAMPAIGN}/{cid}/pause", headers=JSON, data=json.dumps({"reason": "wait"}))
    assert r.status_code == 200, r.text
    clock(opening)
    rs = wait_for(lambda: (lambda x: all(r[1] == HELD and r[4] == 0 for r in x) and x)(rows(cid)),
                  timeout=60)
    assert rs, rows(cid)
    a = t.api.get(f"/v1/approvals/{rs[0][0]}").json()
    assert a["status"] == "held" and a["heldReason"] is None and a["nextSlotAt"] is None
    # resumed inside the window: they go, one after the other
    r = t.api.post(f"{CAMPAIGN}/{cid}/resume", headers=JSON, data="{}")
    assert r.status_code == 200, r.text
    settled(cid, opening, 2)

    # cancel wins over a hold: the held message is cancelled, never sent. The clock leaves
    # the window first: a campaign made while it is open may send at once, and the worker
    # can be quick enough to do so before the clock moves
    clock(ms("2027-10-04T16:00:00Z"))  # 18:00 in Berlin
    cid2 = campaign(t.api, [m["id"]], 1)
    rs = settled(cid2, ms("2027-10-04T16:00:00Z"), 0)
    r = t.api.post(f"{CAMPAIGN}/{cid2}/cancel", headers=JSON, data="{}")
    assert r.status_code in (200, 202), r.text
    assert wait_for(lambda: [r[1] for r in rows(cid2)] == [7], timeout=60), rows(cid2)


def test_the_domain_rate_holds_the_workspaces_next_message_to_a_domain_for_an_hour(clock):
    """[mailboxes] domain_per_hour = 2 on a worker of its own (the stack's runs without
    it): the third message to one domain in an hour waits for the next hour."""
    import subprocess
    from conftest import start_worker_process, stop_process
    dev, instance = os.environ["LINKCAMP_DEV"], os.environ["LINKCAMP_INSTANCE"]
    t = Tenant()
    auto_policy(t.api)
    now = ms("2027-12-01T10:20:00Z")
    clock(now)
    m = mailbox(t.api)
    subprocess.run([dev, "worker-stop", instance], check=True, timeout=60)
    own = None
    try:
        own = start_worker_process("pacing-domain-worker.log", LINKCAMP_MAILBOX_DOMAIN_PER_HOUR="2")
        tag = uuid.uuid4().hex[:6]
        body = {"type": "serp", "name": "domain " + tag, "targetUrl": "https://example.com/g",
                "sender": "relay@agency.example",
                "template": {"subject": "Hello {{contactFirstName}}", "body": "Hi there"},
                "prospects": [{"domain": f"one-{tag}.example", "contactName": f"Pat {i}",
                               "contactEmail": f"pat{i}@one-{tag}.example"} for i in range(3)],
                "mailboxIds": [m["id"]]}
        r = t.api.post(CAMPAIGN, headers=JSON, data=json.dumps(body))
        assert r.status_code == 201, r.text
        cid = r.json()["id"]
        rs = settled(cid, now, 2)
        held = [r for r in rs if r[1] == HELD]
        next_hour = ms("2027-12-01T11:00:00Z")
        assert [(r[4], r[5]) for r in held] == [(4, next_hour)], held  # domain_rate
        clock(next_hour)
        rs = settled(cid, next_hour, 3)
    finally:
        stop_process(own)
        subprocess.run([dev, "worker-start", instance], check=True, timeout=60)
