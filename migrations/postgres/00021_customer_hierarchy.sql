-- Customer hierarchy (集团 → 成员单位, issue 17): a customer may belong to
-- a parent customer, at any depth. Same version and columns as
-- sqlite/00021_customer_hierarchy.sql.
--   parent_id: the group (or intermediate unit) this customer belongs to;
--              NULL for a top-level customer. The service refuses cycles
--              (a customer may not be its own ancestor); every recursive
--              query also uses UNION, so even a cycle written by hand in
--              SQL ends the walk instead of looping.
-- The index serves both directions the hierarchy is walked in: a page's
-- children (the tree, level by level) and a subtree's recursive CTE
-- (roll-ups, the list's "this group and its members" filter).

-- +goose Up
ALTER TABLE customers ADD COLUMN parent_id BIGINT REFERENCES customers (id);
CREATE INDEX idx_customers_parent ON customers (parent_id, name) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX idx_customers_parent;
ALTER TABLE customers DROP COLUMN parent_id;
