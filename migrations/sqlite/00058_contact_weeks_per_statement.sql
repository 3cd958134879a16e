-- PostgreSQL counts key persons inserted many at once once per statement
-- (see the PostgreSQL version). SQLite keeps no such counts; the
-- migration exists so that both databases share one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
