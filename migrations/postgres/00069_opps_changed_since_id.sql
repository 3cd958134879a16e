-- The opportunities changed since a past funnel's end, read from their
-- index alone (issue 19). Those that existed at the end are probed for
-- their stage then (reports' stageAtEnd: the change before the end, by
-- the opportunity's id), and idx_opps_changed_since (00067) did not carry
-- the id: PostgreSQL read the whole table instead (a seq scan of 211,000
-- opportunities for the ~17,500 of the second quarter's end: ~29 of the
-- statement's ~70 ms; from the index ~8). The index is made again with
-- the id; its Down restores 00067's.

-- +goose Up
DROP INDEX idx_opps_changed_since;
CREATE INDEX idx_opps_changed_since ON opportunities (stage_changed_at)
    INCLUDE (created_at, customer_id, stage, monthly_fen, one_time_fen, id) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX idx_opps_changed_since;
CREATE INDEX idx_opps_changed_since ON opportunities (stage_changed_at)
    INCLUDE (created_at, customer_id, stage, monthly_fen, one_time_fen) WHERE deleted_at IS NULL;
