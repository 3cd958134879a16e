-- The live opportunities' totals per stage without their customers (issue
-- 19). The admin's board columns and home pipeline summed every open
-- opportunity joined to its live customer: ~100 ms on a first look after
-- any opportunity written in the province (a hash join over 100,000 open
-- opportunities and 100,000 customers). prospects.Store.provinceTotals
-- now sums the live opportunities alone, less those of the deleted
-- customers (a handful along their index); with this index that sum is an
-- index-only pass of ~15 ms. SQLite keeps the same totals in rows of its
-- own (00035).

-- +goose Up
CREATE INDEX idx_opps_live_totals ON opportunities (stage) INCLUDE (monthly_fen, one_time_fen, probability) WHERE deleted_at IS NULL;
ANALYZE opportunities;

-- +goose Down
DROP INDEX idx_opps_live_totals;
