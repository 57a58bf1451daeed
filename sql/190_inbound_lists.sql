-- 190: the inbound list filtered from its indexes, its total from kept counts. The list
-- and its total test each message's class, campaign and whether it matched a prospect.
-- With those columns only in the row, the count fetched a row per message of the
-- workspace, and where one workspace held about half of the table (the bench's data set)
-- MariaDB scanned the whole table instead, every workspace's mail, on every request. The
-- filters now read ix_inbound_ws, or ix_inbound_campaign for a campaign's mail, before a
-- row is fetched; the order the lists page by is unchanged (docs/first-reads.md, "The
-- inbound list").
ALTER TABLE inbound_messages
  DROP KEY ix_inbound_ws,
  ADD KEY ix_inbound_ws (workspace_id, received_at, id, klass, campaign_id, relationship_id),
  DROP KEY ix_inbound_campaign,
  ADD KEY ix_inbound_campaign (campaign_id, received_at, id, klass, workspace_id, relationship_id);

-- The list's total from counts kept per workspace, campaign (0: none), class and whether
-- the mail matched a prospect: a row per campaign and class however much mail the
-- workspace has had. Moved by the statements that insert inbound mail and that match it
-- by hand (triage); `linkcamp counts` checks and repairs them.
CREATE TABLE inbound_counts (
  workspace_id BIGINT UNSIGNED NOT NULL,
  campaign_id BIGINT UNSIGNED NOT NULL,
  klass TINYINT UNSIGNED NOT NULL,
  matched TINYINT UNSIGNED NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, campaign_id, klass, matched)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO inbound_counts (workspace_id, campaign_id, klass, matched, n)
  SELECT workspace_id, COALESCE(campaign_id, 0), klass, relationship_id IS NOT NULL, COUNT(*)
  FROM inbound_messages WHERE workspace_id IS NOT NULL
  GROUP BY workspace_id, COALESCE(campaign_id, 0), klass, relationship_id IS NOT NULL;
