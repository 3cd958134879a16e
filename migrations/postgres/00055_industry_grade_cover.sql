-- A report narrowed to an industry or a grade counts the records of that
-- industry's or grade's customers (the attainment's actuals, the
-- activity): the kept counts, which are per manager and not per
-- customer, cannot answer it. Those reads start from the customers of the
-- industry (~10,000 of the province's 100,000) and probe each one's
-- visits, so both sides are made index-only (issue 19, docs/reports.md §
-- Narrowed to an industry or a grade):
--
-- - the customers of an industry, with their owner and grade: before, a
--   bitmap heap scan of ~10,000 rows over the whole table (~10 ms). A
--   grade has its own already (idx_customers_grade_owner, 00048).
-- - a customer's visits with their owner and status: before, a heap
--   fetch per visit, so the planner scanned the year's ~880,000 visits
--   and hashed them against the industry's customers (the activity's
--   visits of a year, 133 ms; the attainment's done ones, 137 ms).
--   Index-only probes: 40 ms and 33 ms. Rebuilt under its own name with
--   the two columns included; its keys, which every other read of a
--   customer's visits uses, are as they were.

-- +goose Up
CREATE INDEX idx_customers_industry_owner ON customers (industry, id) INCLUDE (owner_id, grade) WHERE deleted_at IS NULL;
DROP INDEX idx_visit_plans_customer;
CREATE INDEX idx_visit_plans_customer ON visit_plans (customer_id, starts_at) INCLUDE (owner_id, status) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX idx_visit_plans_customer;
CREATE INDEX idx_visit_plans_customer ON visit_plans (customer_id, starts_at) WHERE deleted_at IS NULL;
DROP INDEX idx_customers_industry_owner;
