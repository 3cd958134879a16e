-- The change each opportunity was in at a moment, found by when it was
-- left (issue 19). The admin's funnel of a past period needs, for every
-- opportunity that entered its stage since the end and existed at it, the
-- stage it was in then: the change made before the end and left at or
-- after it (at < end <= next_at, next_at kept by 00051). reports'
-- pastFunnel probed idx_stage_changes_opp once per opportunity (~17,000
-- for September's end, ~20,000 for October's: 45–67 ms); along this
-- index those changes are one range, hash-joined to the changed
-- opportunities of idx_opps_changed_since (~12–25 ms). A change not yet
-- left (next_at NULL) is today's stage and never needed here.

-- +goose Up
CREATE INDEX idx_stage_changes_next ON stage_changes (next_at)
    INCLUDE (at, opportunity_id, to_stage) WHERE next_at IS NOT NULL;

-- +goose Down
DROP INDEX idx_stage_changes_next;
