-- The change each opportunity was in at a moment, by when it was left,
-- for the PostgreSQL funnel of a past period (see the PostgreSQL
-- version): SQLite reads a past funnel in one pass and keeps no such
-- index; the migration exists so that both databases share one version
-- sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
