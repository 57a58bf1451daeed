-- 012: ix_outbound_due (status, due_at, id) has served no query since the claim moved to
-- ix_outbound_queue (008); every status change of every message (claim, sent, failed)
-- still had to move an entry in it. The reaper keeps ix_outbound_lease, the lists
-- ix_outbound_ws_status, the campaign actions ix_outbound_campaign.
ALTER TABLE outbound_messages DROP KEY ix_outbound_due;
