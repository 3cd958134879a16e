-- The overdue visits of a team (issue 19; see the PostgreSQL version and
-- docs/performance.md § Overdue visits).

-- +goose Up
CREATE INDEX idx_visit_plans_customer_planned ON visit_plans (customer_id, starts_at)
    WHERE deleted_at IS NULL AND status = 'planned';

-- +goose Down
DROP INDEX idx_visit_plans_customer_planned;
