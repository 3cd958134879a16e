-- Indexes for the portal's pages at province scale (issue 19; the plans
-- are in docs/performance.md). Same version in postgres/ and sqlite/.
--   totals:   the sums of a chief rep's or a director's opportunities (the
--             board's column totals, the list's totals, the home page's
--             pipeline) come from the index alone, probed per customer of
--             the scope, not from ~35,000 heap rows of a branch.
--   overdue:  one's planned visits before now, latest first (the home
--             page's and the visit list's "overdue"), one index range.

-- +goose Up
CREATE INDEX idx_opps_customer_totals ON opportunities (customer_id)
  INCLUDE (stage, monthly_fen, one_time_fen, probability, stage_changed_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_visit_plans_owner_planned ON visit_plans (owner_id, starts_at) WHERE deleted_at IS NULL AND status = 'planned';

-- +goose Down
DROP INDEX idx_visit_plans_owner_planned;
DROP INDEX idx_opps_customer_totals;
