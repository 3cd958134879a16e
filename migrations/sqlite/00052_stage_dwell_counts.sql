-- PostgreSQL keeps the stage changes counted per month, branch, stage and
-- whole days spent (see the PostgreSQL version). SQLite's velocity report
-- reads the stage changes themselves; the migration exists so that both
-- databases share one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
