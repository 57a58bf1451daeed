-- 020: an honest funnel (docs/metrics.md). relationships.funnel holds the facts the
-- campaign counters are computed from (src/core/funnel.h): 1 drafted, 2 sent, 4 hard-bounced
-- after a send, 8 opened, 16 replied after a send. Bounces, opens and replies are facts only
-- once the relationship was sent something, so a reply from a prospect who was never
-- written to counts nowhere. The facts are derived from the stamps kept so far, and the
-- drafted/sent/delivered/opened/replied counters of every campaign are recomputed from them.
-- campaigns.launched_at: NULL while a campaign is a draft that was never launched.
ALTER TABLE relationships ADD COLUMN funnel TINYINT UNSIGNED NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN launched_at DATETIME(3) NULL;

UPDATE campaigns SET launched_at = created_at WHERE status <> 0;

UPDATE relationships SET funnel =
    IF(drafted_at IS NOT NULL, 1, 0)
  | IF(first_sent_at IS NOT NULL, 2, 0)
  | IF(first_sent_at IS NOT NULL AND bounced_at IS NOT NULL AND bounced_at >= first_sent_at, 4, 0)
  | IF(first_sent_at IS NOT NULL AND opened_at IS NOT NULL, 8, 0)
  | IF(first_sent_at IS NOT NULL AND last_reply_at IS NOT NULL AND last_reply_at >= first_sent_at, 16, 0);

-- a prospect shown as replied who was never sent anything is a prospect again
UPDATE relationships SET status = 0 WHERE status = 5 AND first_sent_at IS NULL;

UPDATE campaigns c SET
  drafts_count = (SELECT COUNT(*) FROM relationships r WHERE r.campaign_id = c.id AND (r.funnel & 3) <> 0),
  sent_count = (SELECT COUNT(*) FROM relationships r WHERE r.campaign_id = c.id AND (r.funnel & 2) <> 0),
  delivered_count = (SELECT COUNT(*) FROM relationships r WHERE r.campaign_id = c.id
    AND (r.funnel & 2) <> 0 AND ((r.funnel & 4) = 0 OR (r.funnel & 24) <> 0)),
  opened_count = (SELECT COUNT(*) FROM relationships r WHERE r.campaign_id = c.id
    AND (r.funnel & 2) <> 0 AND (r.funnel & 8) <> 0),
  replied_count = (SELECT COUNT(*) FROM relationships r WHERE r.campaign_id = c.id
    AND (r.funnel & 2) <> 0 AND (r.funnel & 16) <> 0);
