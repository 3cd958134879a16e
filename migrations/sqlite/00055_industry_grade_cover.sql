-- The reads of a report narrowed to an industry or a grade start from
-- that industry's customers and probe each one's visits (see the
-- PostgreSQL version). SQLite has no INCLUDE: the columns those reads
-- need are trailing keys, so that both probes stay in the index.

-- +goose Up
CREATE INDEX idx_customers_industry_owner ON customers (industry, id, owner_id, grade) WHERE deleted_at IS NULL;
DROP INDEX idx_visit_plans_customer;
CREATE INDEX idx_visit_plans_customer ON visit_plans (customer_id, starts_at, owner_id, status) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX idx_visit_plans_customer;
CREATE INDEX idx_visit_plans_customer ON visit_plans (customer_id, starts_at) WHERE deleted_at IS NULL;
DROP INDEX idx_customers_industry_owner;
