-- The opportunities changed since a moment, from an index (issue 19).
-- The admin's funnel of a past period is today's funnel corrected by the
-- opportunities that are not as they were at the period's end
-- (reports.Store.pastFunnel): those that entered their stage since, and
-- the odd ones created since in a stage entered before their creation.
-- Without an index on when an opportunity entered its stage PostgreSQL
-- read the whole table for them (~60 ms for 211,000 opportunities on a
-- first look after a write, of the page's ~110). Each index carries what
-- the funnel sums, so it is read alone; the second holds only the odd
-- rows (none in a province seeded or entered through the portal's forms).

-- +goose Up
CREATE INDEX idx_opps_changed_since ON opportunities (stage_changed_at)
    INCLUDE (created_at, customer_id, stage, monthly_fen, one_time_fen) WHERE deleted_at IS NULL;
CREATE INDEX idx_opps_changed_before_created ON opportunities (created_at)
    INCLUDE (stage_changed_at, customer_id, stage, monthly_fen, one_time_fen) WHERE deleted_at IS NULL AND stage_changed_at < created_at;

-- +goose Down
DROP INDEX idx_opps_changed_before_created;
DROP INDEX idx_opps_changed_since;
