-- The customer and opportunity lists sort by the column a header names.
-- The default order (last updated) had its index; the others did not, so
-- a list of the whole province sorted every live row for one page: the
-- admin's opportunities by value, expected close, stage or title ~120-147
-- ms, customers by name, score, spend or headcount ~30-43 ms on the first
-- look after a write (issue 19, docs/performance.md § Lists sorted by a
-- header). With these the page is an index walk that stops at its last
-- row. Each is partial on the live rows, as the lists are.
--
-- The expected close sorts NULL (not set) last either way: ascending
-- reads the first index forward; descending, NULLS LAST, reads the
-- second (NULLs first) backward. The stage sorts in pipeline order:
-- the expression is prospects.stageRank's, written identically so that
-- the planner matches it.

-- +goose Up
CREATE INDEX idx_opps_value ON opportunities (monthly_fen, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_opps_close ON opportunities (expected_close, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_opps_close_nulls_first ON opportunities (expected_close NULLS FIRST, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_opps_title ON opportunities (title, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_opps_stage_rank ON opportunities ((CASE stage WHEN 'identified' THEN 0 WHEN 'contacted' THEN 1 WHEN 'visited' THEN 2 WHEN 'needs' THEN 3 WHEN 'proposal' THEN 4 WHEN 'negotiation' THEN 5 WHEN 'won' THEN 6 WHEN 'lost' THEN 7 END), id) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_name ON customers (name, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_score ON customers (qual_score, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_spend ON customers (annual_spend_fen, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_headcount ON customers (headcount, id) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX idx_customers_headcount;
DROP INDEX idx_customers_spend;
DROP INDEX idx_customers_score;
DROP INDEX idx_customers_name;
DROP INDEX idx_opps_stage_rank;
DROP INDEX idx_opps_title;
DROP INDEX idx_opps_close_nulls_first;
DROP INDEX idx_opps_close;
DROP INDEX idx_opps_value;
