-- The opportunities changed since a moment, from their index alone on
-- PostgreSQL (see the PostgreSQL version and 00067): SQLite has no such
-- index; nothing to do here; the migration exists so that both databases
-- share one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
