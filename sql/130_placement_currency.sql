-- 130: a placement's price is an amount in an ISO 4217 currency (issue 17,
-- docs/placements.md "price"). placements.price_cents keeps its name and now counts the
-- minor units of price_currency (cents, or yen for JPY, or fils for KWD: ISO 4217's
-- exponent, src/util/money.c); price_currency is NULL exactly when price_cents is.
-- workspaces.currency is the workspace's default currency: a price sent as a bare
-- number, without priceCurrency, is in it (the API before this migration). Every
-- workspace so far priced in it, so the prices already stored are given it.
ALTER TABLE workspaces
  ADD COLUMN currency CHAR(3) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT 'USD';
ALTER TABLE placements
  ADD COLUMN price_currency CHAR(3) CHARACTER SET ascii COLLATE ascii_bin NULL;
UPDATE placements p JOIN workspaces w ON w.id = p.workspace_id
  SET p.price_currency = w.currency WHERE p.price_cents IS NOT NULL;
