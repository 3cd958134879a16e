-- The open opportunities counted per expected-close day and stage on
-- PostgreSQL (see the PostgreSQL version). SQLite's forecast reads
-- idx_opps_open_close: nothing to do here; the migration exists so that
-- both databases share one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
