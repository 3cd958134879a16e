-- PostgreSQL keeps the key persons counted per creator and week piece,
-- and covering indexes for the proposals sent and contracts signed in a
-- period (see the PostgreSQL version). SQLite's reports read the key
-- persons themselves; the migration exists so that both databases share
-- one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
