-- The visits and key persons counted per week piece also per industry
-- and per grade on PostgreSQL (see the PostgreSQL version). SQLite keeps
-- no such counts (its reports count the visits and key persons): nothing
-- to do here; the migration exists so that both databases share one
-- version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
