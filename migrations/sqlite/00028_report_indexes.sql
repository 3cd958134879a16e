-- The admin's forecast and attainment reports at province scale (issue 13);
-- see postgres/00028_report_indexes.sql.

-- +goose Up
CREATE INDEX idx_opps_open_close ON opportunities (expected_close, stage, monthly_fen, customer_id, owner_id)
  WHERE deleted_at IS NULL AND stage IN ('identified', 'contacted', 'visited', 'needs', 'proposal', 'negotiation');
CREATE INDEX idx_customers_grade_id ON customers (grade, id) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX idx_customers_grade_id;
DROP INDEX idx_opps_open_close;
