-- Indexes for the portal's pages at province scale (issue 19; see the
-- PostgreSQL version and docs/performance.md). SQLite has no INCLUDE: the
-- covering columns follow the key.

-- +goose Up
CREATE INDEX idx_opps_customer_totals ON opportunities (customer_id, stage, monthly_fen, one_time_fen, probability, stage_changed_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_visit_plans_owner_planned ON visit_plans (owner_id, starts_at) WHERE deleted_at IS NULL AND status = 'planned';

-- +goose Down
DROP INDEX idx_visit_plans_owner_planned;
DROP INDEX idx_opps_customer_totals;
