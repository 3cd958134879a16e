-- Same version and columns as postgres/00025_owner_changed_at.sql
-- (customers.owner_changed_at: when the owner last changed; the pool's
-- idle clock restarts from it). Existing customers take the time of their
-- last reassignment from the audit trail.

-- +goose Up
ALTER TABLE customers ADD COLUMN owner_changed_at DATETIME;
UPDATE customers SET owner_changed_at = (
    SELECT MAX(a.at) FROM audit_log a
    WHERE a.entity = 'customer' AND a.entity_id = customers.id AND a.action = 'reassign');

-- +goose Down
ALTER TABLE customers DROP COLUMN owner_changed_at;
