-- The stage changes also counted per day, for PostgreSQL's velocity (see
-- the PostgreSQL version): SQLite keeps no stage dwell counts; the
-- migration exists so that both databases share one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
