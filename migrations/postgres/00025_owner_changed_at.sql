-- When a customer's owner last changed (issue 17). Same version and
-- columns as sqlite/00025_owner_changed_at.sql.
--   owner_changed_at: stamped by every save that changes owner_id (a
--     reassignment, a move into the pool, a claim or an assignment from
--     it); NULL when the owner never changed. The pool's nightly job
--     counts a customer's idle days from the latest of its creation, its
--     last contact, its last pool move and this, so a customer just given
--     to someone is not warned about or pooled the next night.
-- Existing customers take the time of their last reassignment from the
-- audit trail (action "reassign"), so one reassigned before this
-- migration is not pooled the night after it either.

-- +goose Up
ALTER TABLE customers ADD COLUMN owner_changed_at TIMESTAMPTZ;
UPDATE customers SET owner_changed_at = (
    SELECT MAX(a.at) FROM audit_log a
    WHERE a.entity = 'customer' AND a.entity_id = customers.id AND a.action = 'reassign');

-- +goose Down
ALTER TABLE customers DROP COLUMN owner_changed_at;
