-- The customer and opportunity lists sorted by a header's column read an
-- index of that column instead of sorting every live row (see the
-- PostgreSQL version; SQLite's admin sorted the province's opportunities
-- in 136-169 ms, its customers by score in 189). SQLite sorts NULL first
-- ascending and has no NULLS FIRST in an index: one index serves the
-- expected close.

-- +goose Up
CREATE INDEX idx_opps_value ON opportunities (monthly_fen, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_opps_close ON opportunities (expected_close, id) WHERE deleted_at IS NULL;
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
DROP INDEX idx_opps_close;
DROP INDEX idx_opps_value;
