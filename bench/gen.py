#!/usr/bin/python3
"""bench/gen.py: the benchmark data set as tab-separated files for LOAD DATA.

Every campaign gets a funnel history of events (drafts, approvals, sends with follow-ups,
opens, replies, placements, bounces, pauses and resumes). The events of a campaign are
then applied in (occurred_at, id) order by `Campaign.apply`, a line-by-line mirror of
events_record() in src/core/events.c, so the counters in campaigns, the stamps and
status of relationships, campaign_days and campaign_state_notes are exactly what the
application would have written. bench/verify.c checks that claim by replaying a sample
of the generated events through the real events_record() and comparing.

Usage: gen.py OUTDIR WORKSPACES_TSV CAMPAIGNS_PER_WS RELS_PER_CAMPAIGN EVENTS_PER_CAMPAIGN SEED
WORKSPACES_TSV has lines "id<TAB>public_id<TAB>key1,key2,..." (the keys are the API keys
of that workspace; they only go to the wrk target lists).

Outputs in OUTDIR: campaigns.tsv relationships.tsv events.tsv campaign_days.tsv
notes.tsv follow_ups.tsv (LOAD DATA input, columns as in bench/run), targets.tsv ("key<TAB>campaign
public id", every campaign), keys.tsv (one key a line) and counts.env.
The data set is deterministic for a given seed, except that "now" is the time it runs.
"""
import base64
import random
import sys
import time

DAY = 86400000
HOUR = 3600000
MINUTE = 60000

# event types: the order of enum event_type in src/core/core.h
(CREATED, DRAFT, APPROVAL, SENT, OPENED, REPLY, PLACED, BOUNCED, PAUSED, RESUMED, REQUESTED,
 REJECTED, SCHEDULED, CANCELLED, COMPLETED) = range(15)
EVENT_NAMES = ("campaign_created", "draft_created", "approval_completed", "email_sent",
               "email_opened", "reply_received", "link_placed", "email_bounced",
               "campaign_paused", "campaign_resumed", "approval_requested",
               "approval_rejected", "message_scheduled", "campaign_cancelled",
               "campaign_completed")
# Events that need the campaign to be sending: none after a pause, cancel or completion.
OUTREACH = (DRAFT, REQUESTED, APPROVAL, SCHEDULED, SENT, BOUNCED)
# campaign_days kinds (enum timeline_kind)
TL_CREATED, TL_DRAFTS, TL_APPROVALS, TL_SENT, TL_FIRST_REPLY, TL_FIRST_PLACED = range(6)
# relationship statuses (enum rel_status)
R_PROSPECT, R_AWAITING, R_SCHEDULED, R_SENT, R_OPENED, R_REPLIED, R_PLACED, R_BOUNCED = range(8)
R_DECLINED = 9
# campaign statuses (enum campaign_status) and counters (enum campaign_counter)
C_DRAFT, C_ACTIVE, C_PAUSED, C_COMPLETED, C_CANCELLED = range(5)
K_DRAFTS, K_SENT, K_DELIVERED, K_OPENED, K_REPLIED, K_PLACED, K_PENDING = range(7)
# funnel facts (relationships.funnel, core/funnel.h) and the funnel events that set them
F_DRAFTED, F_SENT, F_BOUNCED, F_OPENED, F_REPLIED = 1, 2, 4, 8, 16

TYPE_PREFIX = ("scmp_", "ccmp_", "xcmp_")
ASCII_FOLD = str.maketrans("áéíóúöüëäåçñøł", "aeiououeaacnol")


def bit(*xs):
    m = 0
    for x in xs:
        m |= 1 << x
    return m


BEFORE_SENT = bit(R_PROSPECT, R_AWAITING, R_SCHEDULED)

_day_cache = {}


def day_str(ms):
    d = ms // DAY
    s = _day_cache.get(d)
    if s is None:
        s = time.strftime("%Y-%m-%d", time.gmtime(d * 86400))
        _day_cache[d] = s
    return s


def sqltime(ms):
    """The DATETIME(3) text sqltime_format() writes: YYYY-MM-DD HH:MM:SS.mmm (UTC)."""
    r = ms % DAY
    return "%s %02d:%02d:%02d.%03d" % (day_str(ms), r // HOUR, r // MINUTE % 60,
                                       r // 1000 % 60, r % 1000)


def nul(s):
    return "\\N" if s is None else s


def tsv(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


class Rel:
    __slots__ = ("id", "public_id", "domain", "name", "email", "status", "drafted",
                 "first_sent", "last_contacted", "opened", "last_reply", "placed", "bounced",
                 "link", "updated", "funnel")

    def __init__(self, rid, public_id, domain, name, email, created):
        self.id, self.public_id = rid, public_id
        self.domain, self.name, self.email = domain, name, email
        self.status = R_PROSPECT
        self.drafted = self.first_sent = self.last_contacted = self.opened = None
        self.last_reply = self.placed = self.bounced = self.link = None
        self.updated = created
        self.funnel = 0


class Campaign:
    """One campaign's stored state, moved only by apply() and set_status()."""

    def __init__(self, cid, ws_id, public_id, ctype, status, created):
        self.id, self.ws_id, self.public_id, self.type = cid, ws_id, public_id, ctype
        self.status = status
        self.created = self.updated = created
        self.paused_at = self.pause_reason = None
        self.counters = [0] * 7
        self.first_reply = self.first_placed = None
        self.days = {}   # (day, kind) -> count
        self.notes = []  # (at, kind, reason)

    # store_campaign_counter_add: GREATEST(col + delta, 0), updated_at = at
    def counter(self, k, delta, at):
        v = self.counters[k] + delta
        self.counters[k] = v if v > 0 else 0
        self.updated = at

    @staticmethod
    def funnel_counts(facts):
        """funnel_counts() of src/core/funnel.c: drafted, sent, delivered, opened, replied."""
        sent = facts & F_SENT != 0
        delivered = sent and (not facts & F_BOUNCED or facts & (F_OPENED | F_REPLIED) != 0)
        return (sent or facts & F_DRAFTED != 0, sent, delivered,
                delivered and facts & F_OPENED != 0, delivered and facts & F_REPLIED != 0)

    def funnel_move(self, r, fact, at):
        """funnel_move() of src/core/events.c: a bounce, open or reply counts only after a
        send; the counters move by what the relationship's new facts change. Returns
        whether the event counted."""
        if fact in (F_BOUNCED, F_OPENED, F_REPLIED) and not r.funnel & F_SENT:
            return False
        nxt = r.funnel | fact
        if nxt != r.funnel:
            before, after = self.funnel_counts(r.funnel), self.funnel_counts(nxt)
            r.funnel = nxt
            moved = [int(b) - int(a) for a, b in zip(before, after)]
            if any(moved):  # store_campaign_counters_add: one statement, one updated_at
                for k, d in zip((K_DRAFTS, K_SENT, K_DELIVERED, K_OPENED, K_REPLIED), moved):
                    if d:
                        self.counter(k, d, at)
        return True

    def day_add(self, at, kind):
        key = (day_str(at), kind)
        self.days[key] = self.days.get(key, 0) + 1

    # store_campaign_set_status: only from from_status; pause fields describe a pause
    def set_status(self, from_status, to_status, reason, at):
        if self.status != from_status:
            return
        self.status = to_status
        self.updated = at
        self.paused_at = at if to_status == C_PAUSED else None
        self.pause_reason = reason if to_status == C_PAUSED else None

    @staticmethod
    def advance(r, status, from_mask, at):
        # store_rel_advance: status and updated_at change only from a status in the mask
        if (1 << r.status) & from_mask:
            r.status = status
            r.updated = at

    def apply(self, etype, at, r, detail):
        """events_record() of src/core/events.c, case by case."""
        if etype == CREATED:
            self.day_add(at, TL_CREATED)
        elif etype == DRAFT:
            self.funnel_move(r, F_DRAFTED, at)
            if r.drafted is None:
                r.drafted = at
            self.day_add(at, TL_DRAFTS)
        elif etype == REQUESTED:
            self.counter(K_PENDING, 1, at)
            self.advance(r, R_AWAITING, bit(R_PROSPECT), at)
        elif etype == REJECTED:
            self.counter(K_PENDING, -1, at)
            self.advance(r, R_PROSPECT, bit(R_AWAITING), at)
        elif etype == SCHEDULED:
            self.advance(r, R_SCHEDULED, bit(R_PROSPECT, R_AWAITING), at)
        elif etype in (CANCELLED, COMPLETED):
            pass
        elif etype == APPROVAL:
            self.counter(K_PENDING, -1, at)
            self.advance(r, R_SCHEDULED, bit(R_PROSPECT, R_AWAITING), at)
            self.day_add(at, TL_APPROVALS)
        elif etype == SENT:
            r.last_contacted = at
            self.funnel_move(r, F_SENT, at)
            if r.first_sent is None:
                r.first_sent = at
            self.advance(r, R_SENT, BEFORE_SENT, at)
            self.day_add(at, TL_SENT)
        elif etype == OPENED:
            if not self.funnel_move(r, F_OPENED, at):
                return
            if r.opened is None:
                r.opened = at
            self.advance(r, R_OPENED, BEFORE_SENT | bit(R_SENT), at)
        elif etype == REPLY:
            if not self.funnel_move(r, F_REPLIED, at):
                return
            r.last_reply = at
            self.advance(r, R_REPLIED, BEFORE_SENT | bit(R_SENT, R_OPENED, R_BOUNCED), at)
            if self.first_reply is None:
                self.first_reply = at
                self.day_add(at, TL_FIRST_REPLY)
        elif etype == PLACED:
            if r.placed is None:
                r.placed = at
                self.counter(K_PLACED, 1, at)
            if detail is not None:
                r.link = detail
            self.advance(r, R_PLACED,
                         BEFORE_SENT | bit(R_SENT, R_OPENED, R_REPLIED, R_DECLINED), at)
            if self.first_placed is None:
                self.first_placed = at
                self.day_add(at, TL_FIRST_PLACED)
        elif etype == BOUNCED:
            # after a send it takes the prospect out of "delivered" unless they opened or
            # replied; refused before any send it only shows
            self.funnel_move(r, F_BOUNCED, at)
            if r.bounced is None:
                r.bounced = at
            self.advance(r, R_BOUNCED, BEFORE_SENT | bit(R_SENT, R_OPENED), at)
        elif etype == PAUSED:
            self.notes.append((at, 0, detail))
        elif etype == RESUMED:
            self.notes.append((at, 1, detail))
        else:
            raise ValueError("event type %d" % etype)


FIRST = ("Marina", "Oskar", "Priya", "Jonas", "Leila", "Tomás", "Aiko", "Dev", "Grace",
         "Noor", "Felix", "Sofia", "Mateo", "Hana", "Ravi", "Zoë", "Łukasz", "Amara", "Chen",
         "Ingrid", "Kwame", "Olga", "Pablo", "Yusuf", "Elif", "Björn", "Nadia", "Sven")
LAST = ("Keller", "Okafor", "Lindqvist", "Moreau", "Sato", "Novak", "Haddad", "Brennan",
        "Costa", "Weber", "Nguyen", "Ivanova", "Mensah", "García", "Kowalski", "Müller",
        "Rossi", "Tanaka", "Dubois", "Andersen")
WORDS = ("engineering", "devlead", "shipfast", "teamtopology", "buildlog", "stack", "pmtools",
         "agile", "codecraft", "remote", "product", "sprint", "infra", "cto", "ops", "cloud",
         "data", "growth", "saas", "startup", "design", "mobile", "security", "api", "devops",
         "analytics", "marketing", "founder", "scale", "platform")
SUFFIX = ("weekly", "daily", "digest", "journal", "review", "notes", "hq", "hub", "corner",
          "matters", "insider", "report", "lab", "times", "central")
TLDS = ("com", "io", "dev", "net", "co", "org", "blog")
TOPICS = ("best PM software for engineering teams", "vs monday.com", "developer-tools roundup",
          "engineering metrics dashboards", "best API monitoring tools", "vs Datadog",
          "status-page partners", "top CI/CD platforms", "remote onboarding guide",
          "vs Jira", "incident response checklist", "SaaS pricing pages", "café-style "
          "team rituals", "observability for startups", "best code review tools",
          "vs Linear", "on-call survival guide", "feature flag platforms")
PAUSE_REASONS = ("Need to revisit messaging", "Client asked to hold outreach",
                 "Waiting for the new landing page", "Budget review this quarter",
                 "Too many bounces: cleaning the list")
RESUME_REASONS = ("New templates approved", "Landing page is live", None)
BODY = ("Hi {{contactFirstName}},\n\nI enjoyed your piece on {{domain}} and thought our "
        "guide could be useful to your readers: it compares the tools teams actually use, "
        "with numbers from real projects.\n\nWould you consider linking to it?\n\nBest,\n"
        "Sam\n")

FOLLOW_UP_BODY = ("Hi {{contactFirstName}},\n\nJust checking whether you saw my note about "
                  "our guide (follow-up %d).\n\nBest,\nSam\n")


class Gen:
    def __init__(self, out, workspaces, per_ws, rels, events, seed):
        self.out, self.workspaces, self.per_ws = out, workspaces, per_ws
        self.rels_per, self.events_per, self.seed = rels, events, seed
        self.now = (int(time.time() * 1000) // MINUTE) * MINUTE
        self.cid = self.rid = self.eid = self.nid = 0
        self.f = {n: open("%s/%s.tsv" % (out, n), "w", encoding="utf-8", newline="\n")
                  for n in ("campaigns", "relationships", "events", "campaign_days", "notes",
                            "targets", "follow_ups")}
        self.domains = ["%s-%s.%s" % (a, b, t) for a in WORDS for b in SUFFIX for t in TLDS]
        self.stats = dict(campaigns=0, relationships=0, events=0, campaign_days=0, notes=0,
                          follow_ups=0)

    @staticmethod
    def pid(rng, prefix):
        """A public id with the shape id_new() gives: prefix + 22 base64url characters."""
        return prefix + base64.urlsafe_b64encode(
            rng.getrandbits(128).to_bytes(16, "little")).decode()[:22]

    def run(self):
        for wi, (ws_id, ws_public, keys) in enumerate(self.workspaces):
            plans = [self.plan(wi, ws_id, k) for k in range(self.per_ws)]
            # Repeated opens (the pixel loads again) bring every workspace to its share of
            # events; campaigns too young or without opens pass their share to older ones.
            want = self.events_per * self.per_ws
            have = sum(len(p["evs"]) for p in plans)
            for p in sorted(plans, key=lambda p: p["t0"]):
                if have >= want:
                    break
                have += self.pad(p, max(0, min(want - have,
                                               self.events_per - len(p["evs"]))))
            for p in sorted(plans, key=lambda p: p["t0"]):
                if have >= want:
                    break
                have += self.pad(p, want - have)
            for k, p in enumerate(plans):
                self.emit(p, keys, k)
        for fh in self.f.values():
            fh.close()
        with open("%s/keys.tsv" % self.out, "w") as fh:
            for _, _, keys in self.workspaces:
                for key in keys:
                    fh.write(key + "\n")
        with open("%s/counts.env" % self.out, "w") as fh:
            for k, v in self.stats.items():
                fh.write("N_%s=%d\n" % (k.upper(), v))
            fh.write("GEN_NOW_MS=%d\n" % self.now)

    def plan(self, wi, ws_id, k):
        """One campaign, its prospects and the events of its history, not yet applied."""
        self.cid += 1
        cid = self.cid
        rng = random.Random(self.seed * 1000003 + cid)
        now = self.now
        # k = 0 is the oldest: two years of history, the newest a day old.
        age = 730 * DAY - k * (729 * DAY) // max(self.per_ws - 1, 1)
        t0 = now - age + rng.randrange(8 * HOUR, 18 * HOUR) - 24 * HOUR
        t0 -= t0 % 1000
        u = rng.random()
        ctype = 0 if u < 0.40 else (1 if u < 0.75 else 2)
        u = rng.random()
        old = age > 365 * DAY
        if old:
            fate = "completed" if u < 0.80 else ("cancelled" if u < 0.95 else "paused")
        else:
            fate = ("active" if u < 0.80 else "paused" if u < 0.90 else "new" if u < 0.94
                    else "cancelled" if u < 0.98 else "completed")
        public_id = self.pid(rng, TYPE_PREFIX[ctype])
        c = Campaign(cid, ws_id, public_id, ctype, C_ACTIVE, t0)  # as drafts.c inserts it
        topic = TOPICS[rng.randrange(len(TOPICS))]
        name = "%s #%d" % (topic, k + 1)
        brand = "client%03d" % (wi + 1)
        target = "https://%s.example/guides/%s-%d" % (brand, WORDS[rng.randrange(30)], k + 1)
        sender = "outreach@%s.example" % brand
        subject = "A resource for your readers: %s" % topic
        # Follow-ups (campaign_follow_ups): one in a quarter of the campaigns, a second one
        # in a twentieth; every follow-up sent is three events (requested, approved, sent).
        u = rng.random()
        follow_ups = [(1, 4), (2, 7)] if u < 0.05 else [(1, 4)] if u < 0.30 else []

        # When outreach stops: a pause, a cancellation or a completion.
        stop = None          # no outreach event (drafts, approvals, sends) after this instant
        end = None           # cancelled/completed at this instant: no event at all after it
        pause_at = resume_at = None
        if fate == "paused":
            pause_at = min(t0 + rng.randrange(6, 40) * DAY + rng.randrange(DAY),
                           now - rng.randrange(HOUR, 5 * DAY))
            pause_at = max(pause_at, t0 + HOUR)
            stop = pause_at
        elif fate in ("completed", "cancelled"):
            span = rng.randrange(45, 120) * DAY if fate == "completed" else \
                rng.randrange(5, 30) * DAY
            end = min(t0 + span + rng.randrange(DAY), now - HOUR)
            end = max(end, t0 + HOUR)
            stop = end
        elif fate == "active" and rng.random() < 0.15 and age > 20 * DAY:
            pause_at = t0 + rng.randrange(6, 12) * DAY + rng.randrange(DAY)
            resume_at = pause_at + rng.randrange(1, 4) * DAY + rng.randrange(DAY)
        limit = min(end if end is not None else now, now)

        evs = []  # (at, seq, type, rel index, detail, message id)
        seq = 0

        def ev(at, etype, ri=-1, detail=None, msg=None):
            nonlocal seq
            if at > limit:
                return False
            if etype in OUTREACH:
                if stop is not None and at > stop:
                    return False
                if resume_at is not None and pause_at < at < resume_at:
                    return False
            evs.append((at, seq, etype, ri, detail, msg))
            seq += 1
            return True

        ev(t0, CREATED)
        rels = []
        awaiting = set()  # prospects whose latest message waits for approval
        used = set()
        for j in range(self.rels_per):
            self.rid += 1
            # About one contact in six shares its domain with another contact.
            if j > 0 and rng.random() < 0.17:
                domain = rels[rng.randrange(len(rels))].domain
            else:
                domain = self.domains[rng.randrange(len(self.domains))]
            first, last = FIRST[rng.randrange(len(FIRST))], LAST[rng.randrange(len(LAST))]
            local = "%s.%s%d" % (first.lower(), last.lower(), j + 1)
            local = local.replace("ł", "l").translate(ASCII_FOLD)
            email = "%s@%s" % (local, domain)
            if email in used:
                email = "c%d.%s" % (j, email)
            used.add(email)
            r = Rel(self.rid, self.pid(rng, "rel_"), domain, "%s %s" % (first, last), email,
                    t0)
            rels.append(r)
            if fate == "new":
                continue
            u = rng.random()
            if u < 0.08:
                continue  # still a prospect: no draft yet
            # The draft enters the outbox awaiting approval (the default policy).
            td = t0 + HOUR + (j // 10) * DAY + rng.randrange(6 * HOUR)
            msg = self.pid(rng, "out_")
            if not ev(td, DRAFT, j, None, msg):
                continue
            ev(td, REQUESTED, j, None, msg)
            awaiting.add(j)
            if u < 0.12:
                continue  # still awaiting approval
            ta = td + rng.randrange(HOUR, 30 * HOUR)
            if u < 0.16:
                if ev(ta, REJECTED, j, None, msg):
                    awaiting.discard(j)
                continue
            if not ev(ta, APPROVAL, j, None, msg):
                continue
            awaiting.discard(j)
            if u < 0.19:
                continue  # approved, scheduled for later
            ts = ta + rng.randrange(30 * MINUTE, 24 * HOUR)
            if rng.random() < 0.03:
                ev(ts, BOUNCED, j, None, msg)  # refused at RCPT: 5.1.1, never delivered
                continue
            if not ev(ts, SENT, j, None, msg):
                continue
            reply_at = None
            if rng.random() < 0.58:
                opened_at = ts + rng.randrange(10 * MINUTE, 3 * DAY)
                ev(opened_at, OPENED, j, None, msg)
                if rng.random() < 0.30:
                    reply_at = opened_at + rng.randrange(HOUR, 7 * DAY)
            elif rng.random() < 0.06:
                reply_at = ts + rng.randrange(6 * HOUR, 8 * DAY)
            # Each send queues the next follow-up (drafts_follow_up_tx), awaiting approval;
            # a reply before its approval gets it rejected, before its send cancelled.
            prev = ts
            for step, after in follow_ups:
                fmsg = self.pid(rng, "out_")
                if not ev(prev, REQUESTED, j, None, fmsg):
                    break
                awaiting.add(j)
                decided = prev + rng.randrange(HOUR, 2 * DAY)
                if reply_at is not None and reply_at < decided:
                    if ev(decided, REJECTED, j, None, fmsg):
                        awaiting.discard(j)
                    break
                if not ev(decided, APPROVAL, j, None, fmsg):
                    break
                awaiting.discard(j)
                send = prev + after * DAY + rng.randrange(10 * MINUTE)
                if reply_at is not None and reply_at < send:
                    break  # cancelled by the worker: no event
                if rng.random() < 0.01:
                    ev(send, BOUNCED, j, None, fmsg)
                    break
                if not ev(send, SENT, j, None, fmsg):
                    break
                prev = send
            if reply_at is not None and ev(reply_at, REPLY, j):
                if rng.random() < 0.35:
                    ev(reply_at + rng.randrange(12 * HOUR, 4 * DAY), REPLY, j)
                if rng.random() < 0.45:
                    link = "https://%s/%s-%s-%d" % (domain, WORDS[rng.randrange(30)],
                                                   SUFFIX[rng.randrange(15)], j + 1)
                    ev(reply_at + rng.randrange(2 * DAY, 30 * DAY), PLACED, j, link)

        if pause_at is not None:
            ev(pause_at, PAUSED, -1, PAUSE_REASONS[rng.randrange(len(PAUSE_REASONS))])
            if resume_at is not None:
                ev(resume_at, RESUMED, -1, RESUME_REASONS[rng.randrange(len(RESUME_REASONS))])
        if end is not None:
            # campaigns_transition(): pending messages end, approvals still open are rejected
            for j in sorted(awaiting):
                ev(end, REJECTED, j)
            ev(end, COMPLETED if fate == "completed" else CANCELLED)

        return dict(c=c, rng=rng, evs=evs, rels=rels, t0=t0, limit=limit, seq=seq, name=name,
                    target=target, sender=sender, subject=subject, follow_ups=follow_ups)

    @staticmethod
    def pad(p, n):
        """Adds up to n repeated opens to plan p; returns how many it added."""
        rng, evs, limit = p["rng"], p["evs"], p["limit"]
        opened = [e for e in evs if e[2] == OPENED]
        added = 0
        while added < n and opened:
            e = opened[rng.randrange(len(opened))]
            at = e[0] + rng.randrange(HOUR, 20 * DAY)
            if at > limit:
                at = e[0] + rng.randrange(limit - e[0] + 1)
            evs.append((at, p["seq"], OPENED, e[3], None, e[5]))
            p["seq"] += 1
            added += 1
        return added

    def emit(self, p, keys, k):
        """Applies a plan's events in order and writes every row it gives."""
        c, rng, evs, rels = p["c"], p["rng"], p["evs"], p["rels"]
        cid, ws_id, public_id, ctype, t0 = c.id, c.ws_id, c.public_id, c.type, p["t0"]
        name, target, sender, subject = p["name"], p["target"], p["sender"], p["subject"]
        evs.sort()
        # Apply in (occurred_at, id) order, as the application would have recorded them.
        fe = self.f["events"]
        out = []
        wsid = str(ws_id)
        cids = str(cid)
        for at, _, etype, ri, detail, msg in evs:
            r = rels[ri] if ri >= 0 else None
            # campaigns_transition() changes the status, then records the event
            if etype == PAUSED:
                c.set_status(C_ACTIVE, C_PAUSED, detail, at)
            elif etype == RESUMED:
                c.set_status(C_PAUSED, C_ACTIVE, None, at)
            elif etype in (CANCELLED, COMPLETED):
                c.set_status(c.status, C_CANCELLED if etype == CANCELLED else C_COMPLETED, None,
                             at)
            c.apply(etype, at, r, detail)
            self.eid += 1
            out.append("%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" % (
                self.eid, self.pid(rng, "evt_"), wsid, cids, r.id if r else "\\N",
                nul(msg), EVENT_NAMES[etype], sqltime(at), nul(detail)))
        fe.write("".join(out))
        self.stats["events"] += len(evs)

        cn = c.counters
        self.f["campaigns"].write("\t".join((
            cids, public_id, wsid, str(ctype), tsv(name), target, sender, str(c.status),
            tsv(subject), tsv(BODY), sqltime(c.created), sqltime(c.updated),
            nul(c.paused_at is not None and sqltime(c.paused_at) or None),
            nul(c.pause_reason), str(cn[K_DRAFTS]), str(cn[K_SENT]), str(cn[K_DELIVERED]),
            str(cn[K_OPENED]), str(cn[K_REPLIED]), str(cn[K_PLACED]), str(cn[K_PENDING]),
            nul(c.first_reply is not None and sqltime(c.first_reply) or None),
            nul(c.first_placed is not None and sqltime(c.first_placed) or None))) + "\n")
        self.stats["campaigns"] += 1
        created = sqltime(t0)
        lines = []
        for r in rels:
            lines.append("\t".join((
                str(r.id), r.public_id, wsid, cids, r.domain, tsv(r.name), r.email,
                str(r.status), nul(r.link), created, sqltime(r.updated),
                *(sqltime(x) if x is not None else "\\N" for x in (
                    r.drafted, r.first_sent, r.last_contacted, r.opened, r.last_reply,
                    r.placed, r.bounced)), str(r.funnel))) + "\n")
        self.f["relationships"].write("".join(lines))
        self.stats["relationships"] += len(rels)
        for (day, kind), n in sorted(c.days.items()):
            self.f["campaign_days"].write("%s\t%s\t%d\t%d\n" % (cids, day, kind, n))
        self.stats["campaign_days"] += len(c.days)
        for at, kind, reason in c.notes:
            self.nid += 1
            self.f["notes"].write("%d\t%s\t%s\t%d\t%s\n" % (self.nid, cids, sqltime(at), kind,
                                                           nul(reason)))
        self.stats["notes"] += len(c.notes)
        for step, after in p["follow_ups"]:
            self.f["follow_ups"].write("%s\t%d\t%d\t%s\n" % (
                cids, step, after, tsv(FOLLOW_UP_BODY % step)))
        self.stats["follow_ups"] += len(p["follow_ups"])
        self.f["targets"].write("%s\t%s\n" % (keys[k % len(keys)], public_id))


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    out, wsfile = sys.argv[1], sys.argv[2]
    per_ws, rels, events, seed = (int(x) for x in sys.argv[3:7])
    workspaces = []
    with open(wsfile) as fh:
        for line in fh:
            ws_id, ws_public, keys = line.rstrip("\n").split("\t")
            workspaces.append((int(ws_id), ws_public, keys.split(",")))
    Gen(out, workspaces, per_ws, rels, events, seed).run()


if __name__ == "__main__":
    main()
