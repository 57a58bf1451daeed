-- 081: triage of unmatched inbound mail (issue 16; docs/inbound.md, "Triage").
-- triage_decision: NULL undecided, 0 matched to a relationship, 1 matched and unsubscribed,
-- 2 dismissed; who and when alongside. triage_at is received_at while a message waits for
-- a person (its workspace known, no prospect found, undecided, not a delayed DSN) and NULL
-- otherwise, kept by the server, so the list is one range of ix_inbound_triage however much
-- mail the workspace has matched.
ALTER TABLE inbound_messages
  ADD COLUMN triage_decision TINYINT UNSIGNED NULL,
  ADD COLUMN triaged_by VARCHAR(200) NULL,
  ADD COLUMN triaged_at DATETIME(3) NULL,
  ADD COLUMN triage_at DATETIME(3) AS (IF(workspace_id IS NOT NULL AND relationship_id IS NULL
    AND triage_decision IS NULL AND klass <> 4, received_at, NULL)) STORED,
  ADD KEY ix_inbound_triage (workspace_id, triage_at, id);

-- A mailbox whose server delivers plus addresses (local+tag@domain to local@domain) may
-- carry each message's reply token in its Reply-To (docs/inbound.md, "Matching", step 2).
ALTER TABLE mailboxes ADD COLUMN plus_reply_to TINYINT NOT NULL DEFAULT 0;
