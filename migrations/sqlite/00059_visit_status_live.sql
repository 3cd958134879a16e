-- The live visits' status index on PostgreSQL (see the PostgreSQL
-- version). SQLite reads idx_visit_plans_status for the same question
-- already: nothing to do here; the migration exists so that both
-- databases share one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
