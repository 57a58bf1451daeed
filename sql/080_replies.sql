-- 080: replies from the mailbox itself (issue 16; docs/inbound.md, docs/suppressions.md).

-- Out-of-office: the day an auto-reply says its writer is back (NULL: none given).
-- klass 4: delayed (a DSN with Action: delayed, informational).
ALTER TABLE inbound_messages ADD COLUMN ooo_return DATE NULL;

-- Do-not-email. A row is an address (kind 0, "ann@site.example") or a whole domain (kind 1,
-- "site.example") in `email`; workspace_id 0 makes it account-wide (every workspace of
-- account_id, an agency's list for all its clients). The primary key answers "is this
-- recipient suppressed for this workspace?" with one range read: account, then the address
-- and its domain, then the workspace or 0 (docs/suppressions.md). source says who added it:
-- api, import, unsubscribe_link, unsubscribe_reply, hard_bounce, triage. id orders the
-- list's pages (created_at, id).
ALTER TABLE suppressions
  ADD COLUMN id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE FIRST,
  ADD COLUMN account_id BIGINT UNSIGNED NOT NULL DEFAULT 0 AFTER id,
  ADD COLUMN kind TINYINT UNSIGNED NOT NULL DEFAULT 0 AFTER email,
  MODIFY COLUMN reason VARCHAR(200) NOT NULL,
  ADD COLUMN source VARCHAR(40) NOT NULL DEFAULT 'api' AFTER reason,
  ADD COLUMN created_by VARCHAR(200) NOT NULL DEFAULT 'system' AFTER source;
UPDATE suppressions s JOIN workspaces w ON w.id = s.workspace_id
  SET s.account_id = w.account_id,
      s.source = CASE s.reason WHEN 'hard_bounce' THEN 'hard_bounce'
                               WHEN 'unsubscribed' THEN 'unsubscribe_link' ELSE 'api' END;
ALTER TABLE suppressions DROP PRIMARY KEY,
  ADD PRIMARY KEY (account_id, email, workspace_id),
  ADD KEY ix_suppressions_list (account_id, workspace_id, created_at, id);

-- Workspace policy: an unsubscribe (link or reply) also suppresses the sender's domain
-- (never a free-mail provider's: docs/suppressions.md).
ALTER TABLE workspaces ADD COLUMN unsubscribe_suppresses_domain TINYINT NOT NULL DEFAULT 0;
