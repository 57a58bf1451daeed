-- 009: a workspace's data version. Every transaction that changes what the campaign
-- endpoints show (campaigns, their counters, day aggregates, notes, relationships) adds
-- one to it before it commits (src/core/versions.c), so linkcamp-fcgi can answer a
-- repeated read from its response cache after one primary-key read of this column.
ALTER TABLE workspaces ADD COLUMN data_version BIGINT UNSIGNED NOT NULL DEFAULT 0;
