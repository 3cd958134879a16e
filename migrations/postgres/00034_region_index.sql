-- The customer list's district filter (prospects.Store.Regions) read every
-- customer in scope for a DISTINCT: 92 ms for the admin over the
-- province's 100,000 on SQLite. With the districts in order per branch
-- and for the province, the list is a walk from one district to the next
-- (one index probe per district, ~150 of them). Same version in postgres/
-- and sqlite/.

-- +goose Up
CREATE INDEX idx_customers_region ON customers (region) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_branch_region ON customers (branch_id, region) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX idx_customers_branch_region;
DROP INDEX idx_customers_region;
