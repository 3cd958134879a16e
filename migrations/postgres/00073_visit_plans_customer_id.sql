-- A customer's visits in start order carry their id (issue 19). A
-- branch's or a team's deep page of visits is found from its customers,
-- each reading its visits in start order (visits' probedPage), and the
-- page's order breaks ties by the id: without the id in the index every
-- entry read visited the table (a director's page 400, ~77,000 visits:
-- ~70 ms of SQL; index-only ~21). The id joins the key, so the order
-- (customer, start, id) is the index's own; what 00055 made it carry
-- stays.

-- +goose Up
DROP INDEX idx_visit_plans_customer;
CREATE INDEX idx_visit_plans_customer ON visit_plans (customer_id, starts_at, id) INCLUDE (owner_id, status) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX idx_visit_plans_customer;
CREATE INDEX idx_visit_plans_customer ON visit_plans (customer_id, starts_at) INCLUDE (owner_id, status) WHERE deleted_at IS NULL;
