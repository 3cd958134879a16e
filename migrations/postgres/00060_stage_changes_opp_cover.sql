-- An opportunity's stage changes read from the index alone (issue 19).
-- Reports narrowed to some customers (a team, a branch, an industry, a
-- grade) or over a period whose edges are not whole kept months find
-- their stage changes through their opportunities: one probe of
-- idx_stage_changes_opp per opportunity, then each change's row from the
-- table for its stages and its next change (velocity), or for the stage it
-- left (the funnel's stage at a past period's end). The admin's funnel
-- of a past month probes every opportunity changed since its end that
-- way; with the stages and the next change in the index the probes stop
-- there (~110 -> ~88 ms on a first look after a write; docs/performance.md
-- § Stage changes from the index).
--
-- The key is unchanged, so the trigger's and the funnel's "the change
-- before or after" still walk it in (at, id) order.

-- +goose Up
DROP INDEX idx_stage_changes_opp;
CREATE INDEX idx_stage_changes_opp ON stage_changes (opportunity_id, at, id) INCLUDE (to_stage, from_stage, next_at, next_stage);

-- +goose Down
DROP INDEX idx_stage_changes_opp;
CREATE INDEX idx_stage_changes_opp ON stage_changes (opportunity_id, at, id);
