-- The visits and key persons kept per month beside their week pieces on
-- PostgreSQL (see the PostgreSQL version). SQLite keeps no such counts
-- (its reports count the visits and key persons): nothing to do here; the
-- migration exists so that both databases share one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
