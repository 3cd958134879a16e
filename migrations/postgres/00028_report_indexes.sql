-- The admin's forecast and attainment reports at province scale (issue 13),
-- index-only. Same version in postgres/ and sqlite/ (SQLite has no
-- INCLUDE: the columns are keys there).
--   open_close: the open opportunities by expected close date and stage,
--               covering the value and the scope columns (customer, owner):
--               the forecast's six months (~130,000 of the province's
--               212,000 opportunities) are one index range, summed per
--               day and stage as they come, instead of a scan of the
--               whole table (4,200 pages) with a month computed per row.
--   grade_id:   the live customers' ids by grade: the A/B visits line of
--               the province's actuals looks the month's visits up in the
--               A and B customers' ids, index-only; without it that lookup
--               read ~4,000 heap pages of customers for their grade, once
--               per parallel worker. (A partial index of the A and B ids
--               alone was tried: the coverage report's scan of a branch's
--               A and B customers then preferred it to the branch index
--               and read every A and B customer of the province.)

-- +goose Up
CREATE INDEX idx_opps_open_close ON opportunities (expected_close, stage) INCLUDE (monthly_fen, customer_id, owner_id)
  WHERE deleted_at IS NULL AND stage IN ('identified', 'contacted', 'visited', 'needs', 'proposal', 'negotiation');
CREATE INDEX idx_customers_grade_id ON customers (grade, id) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX idx_customers_grade_id;
DROP INDEX idx_opps_open_close;
