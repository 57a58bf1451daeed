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
