-- The care list's customers by id with what their state needs (issue 19).
-- The care list reads every customer the care plan covers (in service or
-- dormant) with its grade and branch (its frequency) and joins it to its
-- last contact; for the admin that was a pass over the province's 100,000
-- customers' rows (~40 of the statement's ~130 ms on a first look after a
-- write). This index holds exactly those customers and columns, so the
-- pass is index-only; their names and owners are read for the page's rows
-- only (aftersale.Store.CareListQuery). Partial on the statuses written
-- out in that statement.

-- +goose Up
CREATE INDEX idx_customers_care ON customers (id) INCLUDE (grade, branch_id) WHERE deleted_at IS NULL AND status IN ('active', 'dormant');
ANALYZE customers;

-- +goose Down
DROP INDEX idx_customers_care;
