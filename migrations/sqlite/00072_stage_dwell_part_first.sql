-- The kept stage dwell counts keyed by part before month, on PostgreSQL
-- (see the PostgreSQL version): SQLite keeps no stage dwell counts; the
-- migration exists so that both databases share one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
