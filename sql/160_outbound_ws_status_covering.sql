-- 160: the approval queue's count reads ix_outbound_ws_status alone. Counting a
-- workspace's messages of one status tested each message's kind and campaign in its row,
-- a primary-key lookup per message; where one workspace held about half of the table
-- (the mixed benchmark's queues of 1,600 messages), MariaDB scanned the whole table
-- instead, on every view of the queue. With kind and campaign_id after the order's
-- (created_at, id), the count is read from the index, the lists test their filters before
-- they fetch a row, and the order the lists page by is unchanged (docs/first-reads.md).
ALTER TABLE outbound_messages
  DROP KEY ix_outbound_ws_status,
  ADD KEY ix_outbound_ws_status (workspace_id, status, created_at, id, kind, campaign_id);
