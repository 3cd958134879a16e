-- Same version and columns as postgres/00021_customer_hierarchy.sql
-- (customers.parent_id: the group a customer belongs to, any depth).

-- +goose Up
ALTER TABLE customers ADD COLUMN parent_id INTEGER REFERENCES customers (id);
CREATE INDEX idx_customers_parent ON customers (parent_id, name) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX idx_customers_parent;
ALTER TABLE customers DROP COLUMN parent_id;
