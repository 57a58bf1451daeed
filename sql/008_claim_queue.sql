-- 008: the worker's claim reads the due queue in index order. Two statuses are claimable
-- (1 scheduled, 9 deferred); an index on (status, due_at) cannot give one order over both,
-- so every claim sorted all of them. queue_due is due_at while a message is claimable and
-- NULL otherwise, maintained by the server, so the claim is one ordered range read.
ALTER TABLE outbound_messages
  ADD COLUMN queue_due DATETIME(3) AS (IF(status IN (1, 9), due_at, NULL)) STORED,
  ADD KEY ix_outbound_queue (queue_due, id);
