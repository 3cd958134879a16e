-- Indexes for the management reports at province scale (issue 13; see the
-- PostgreSQL version and docs/reports.md). SQLite has no INCLUDE: the
-- covering columns follow the key.

-- +goose Up
CREATE INDEX idx_visit_plans_done_customer ON visit_plans (customer_id, starts_at) WHERE deleted_at IS NULL AND status = 'done';
CREATE INDEX idx_visit_plans_starts_cover ON visit_plans (starts_at, customer_id, owner_id, status) WHERE deleted_at IS NULL;
CREATE INDEX idx_stage_changes_at_cover ON stage_changes (at, opportunity_id, to_stage, id);

-- +goose Down
DROP INDEX idx_stage_changes_at_cover;
DROP INDEX idx_visit_plans_starts_cover;
DROP INDEX idx_visit_plans_done_customer;
