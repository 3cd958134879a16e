-- PostgreSQL keeps the visits counted per manager and week (see the
-- PostgreSQL version). SQLite's reports count the visits themselves; the
-- migration exists so that both databases share one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
