-- PostgreSQL's trigger that keeps the stage changes counted per month
-- looks a changed row's branch up once (see the PostgreSQL version).
-- SQLite keeps no such counts; the migration exists so that both
-- databases share one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
