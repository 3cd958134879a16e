-- The overdue visits of a team (issue 19; docs/performance.md § Overdue
-- visits). The visit list's overdue panel asks for the planned visits of a
-- scope that started before now, latest first. PostgreSQL estimates that
-- most planned visits are in the past (status and start are independent
-- to it; in fact planned ones are mostly ahead), so it read the province's
-- 9,854 overdue visits backwards through idx_visit_plans_status and probed
-- each one's customer for the chief rep's 2,000: 38,000 buffers, 38 ms.
-- The store now starts from the scope's customers for an own or team
-- scope, and this index gives each customer's planned visits directly.

-- +goose Up
CREATE INDEX idx_visit_plans_customer_planned ON visit_plans (customer_id, starts_at)
    WHERE deleted_at IS NULL AND status = 'planned';

-- +goose Down
DROP INDEX idx_visit_plans_customer_planned;
