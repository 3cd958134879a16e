-- Indexes for the management reports at province scale (issue 13; the
-- plans are in docs/reports.md). Same version in postgres/ and sqlite/.
--   coverage:  "was this customer visited (done) in the window" and "his
--              last done visit" are one index probe each, without reading
--              the planned and cancelled visits.
--   activity:  a period's visits with their customer, owner and status
--              come from the index alone (index-only scan), not from
--              ~17,000 heap pages per branch-month.
--   velocity:  a period's stage changes with their opportunity, stage and
--              id (the LEAD's order) likewise.

-- +goose Up
CREATE INDEX idx_visit_plans_done_customer ON visit_plans (customer_id, starts_at) WHERE deleted_at IS NULL AND status = 'done';
CREATE INDEX idx_visit_plans_starts_cover ON visit_plans (starts_at) INCLUDE (customer_id, owner_id, status) WHERE deleted_at IS NULL;
CREATE INDEX idx_stage_changes_at_cover ON stage_changes (at) INCLUDE (opportunity_id, to_stage, id);

-- +goose Down
DROP INDEX idx_stage_changes_at_cover;
DROP INDEX idx_visit_plans_starts_cover;
DROP INDEX idx_visit_plans_done_customer;
