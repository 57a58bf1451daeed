"""Counts the application keeps instead of counting rows on every request must equal the
rows, after everything the earlier test modules did: sends, replies, bounces,
unsubscribes, placements, approvals, rejections, and the worker crashes of test_zy."""
from conftest import sql


def test_workspace_relationship_counts_equal_the_rows():
    wrong = sql("SELECT w.public_id, w.relationships_count, w.contacted_count, "
                "(SELECT COUNT(*) FROM relationships r WHERE r.workspace_id = w.id), "
                "(SELECT COUNT(*) FROM relationships r WHERE r.workspace_id = w.id "
                " AND r.status IN (3, 4)) FROM workspaces w")
    bad = [row for row in wrong if row[1] != row[3] or row[2] != row[4]]
    assert len(wrong) > 10  # every test workspace, the demo's included
    assert bad == [], bad


def test_campaign_counts_by_type_and_status_equal_the_rows():
    bad = sql("SELECT g.workspace_id, g.type, g.status, g.n, w.n FROM "
              "(SELECT workspace_id, type, status, COUNT(*) AS n FROM campaigns "
              " GROUP BY workspace_id, type, status) g "
              "LEFT JOIN workspace_campaign_counts w USING (workspace_id, type, status) "
              "WHERE w.n IS NULL OR w.n <> g.n")
    assert bad == [], bad


def test_campaign_funnel_counters_equal_the_facts_of_their_relationships():
    """Every campaign's drafted/sent/delivered/opened/replied counters are the sum of what its
    relationships' funnel facts add (docs/metrics.md, src/core/funnel.c), and obey
    replied <= delivered <= sent <= drafted, opened <= delivered."""
    def n(cond):
        return f"(SELECT COUNT(*) FROM relationships r WHERE r.campaign_id = c.id AND {cond})"
    sent = "(r.funnel & 2) <> 0"
    delivered = f"{sent} AND ((r.funnel & 4) = 0 OR (r.funnel & 24) <> 0)"
    wrong = sql("SELECT c.public_id, c.drafts_count, c.sent_count, c.delivered_count, c.opened_count, "
                "c.replied_count FROM campaigns c WHERE "
                f"c.drafts_count <> {n('(r.funnel & 3) <> 0')} OR c.sent_count <> {n(sent)} "
                f"OR c.delivered_count <> {n(delivered)} "
                f"OR c.opened_count <> {n(delivered + ' AND (r.funnel & 8) <> 0')} "
                f"OR c.replied_count <> {n(delivered + ' AND (r.funnel & 16) <> 0')} "
                "OR NOT (c.replied_count <= c.delivered_count AND c.delivered_count <= c.sent_count "
                "AND c.sent_count <= c.drafts_count AND c.opened_count <= c.delivered_count)")
    assert wrong == [], wrong


def test_waiting_counts_equal_the_messages_awaiting_approval():
    """The approval queue's counts (approval_waiting, sql/180) equal the messages awaiting
    approval by workspace, campaign and kind, whatever moved them: sends and drafts,
    approvals and rejections, campaigns ended, stale schedules sent back to approval."""
    assert int(sql("SELECT COUNT(*) FROM outbound_messages WHERE status = 0")[0][0]) > 10
    assert int(sql("SELECT COUNT(*) FROM approval_decisions")[0][0]) > 10
    bad = sql("SELECT g.workspace_id, g.campaign_id, g.kind, g.n, w.n FROM "
              "(SELECT workspace_id, campaign_id, kind, COUNT(*) AS n FROM outbound_messages "
              " WHERE status = 0 GROUP BY workspace_id, campaign_id, kind) g "
              "LEFT JOIN approval_waiting w USING (workspace_id, campaign_id, kind) "
              "WHERE w.n IS NULL OR w.n <> g.n "
              "UNION ALL SELECT w.workspace_id, w.campaign_id, w.kind, NULL, w.n "
              "FROM approval_waiting w WHERE w.n <> (SELECT COUNT(*) FROM outbound_messages m "
              " WHERE m.workspace_id = w.workspace_id AND m.campaign_id = w.campaign_id "
              " AND m.kind = w.kind AND m.status = 0)")
    assert bad == [], bad


def test_inbound_counts_equal_the_inbound_mail():
    """The inbound list's counts (inbound_counts, sql/190) equal the workspaces' inbound mail
    by campaign, class and match, whatever moved them: mail piped, posted and read over
    IMAP, bounces, replies matched by hand in triage."""
    # not vacuous: the full suite stores hundreds, the cluster's subset (scripts/cluster) a few
    assert int(sql("SELECT COUNT(*) FROM inbound_messages WHERE workspace_id IS NOT NULL")[0][0]) > 0
    bad = sql("SELECT g.workspace_id, g.c, g.klass, g.m, g.n, k.n FROM "
              "(SELECT workspace_id, COALESCE(campaign_id, 0) AS c, klass, "
              " relationship_id IS NOT NULL AS m, COUNT(*) AS n FROM inbound_messages "
              " WHERE workspace_id IS NOT NULL GROUP BY workspace_id, c, klass, m) g "
              "LEFT JOIN inbound_counts k ON k.workspace_id = g.workspace_id AND "
              " k.campaign_id = g.c AND k.klass = g.klass AND k.matched = g.m "
              "WHERE k.n IS NULL OR k.n <> g.n "
              "UNION ALL SELECT k.workspace_id, k.campaign_id, k.klass, k.matched, NULL, k.n "
              "FROM inbound_counts k WHERE k.n <> (SELECT COUNT(*) FROM inbound_messages i "
              " WHERE i.workspace_id = k.workspace_id AND COALESCE(i.campaign_id, 0) = "
              " k.campaign_id AND i.klass = k.klass AND (i.relationship_id IS NOT NULL) = k.matched)")
    assert bad == [], bad


def test_campaign_pending_approvals_equal_the_messages_awaiting_approval():
    """A campaign's pending approvals (its answer's counter, kept by the approval events)
    agree with the queue's counts and the messages: the two counters serve two readers
    (the campaign's answer, the queue by kind) and must never tell them different things."""
    bad = sql("SELECT c.public_id, c.pending_approvals, "
              "(SELECT COUNT(*) FROM outbound_messages m WHERE m.campaign_id = c.id "
              " AND m.status = 0) AS n FROM campaigns c HAVING c.pending_approvals <> n")
    assert bad == [], bad
