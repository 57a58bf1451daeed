-- 190: the inbound list's filters and count read from its indexes. The list and its total
-- test each message's class, campaign and whether it matched a prospect; with those
-- columns only in the row, the count fetched a row per message of the workspace, and
-- where one workspace held about half of the table (the bench's data set) MariaDB scanned
-- the whole table instead, every workspace's mail, on every list request. A campaign's
-- list now reads ix_inbound_campaign; its class and match are in that index too. The
-- order the lists page by is unchanged (docs/first-reads.md, "The inbound list").
ALTER TABLE inbound_messages
  DROP KEY ix_inbound_ws,
  ADD KEY ix_inbound_ws (workspace_id, received_at, id, klass, campaign_id, relationship_id),
  DROP KEY ix_inbound_campaign,
  ADD KEY ix_inbound_campaign (campaign_id, received_at, id, klass, workspace_id, relationship_id);
