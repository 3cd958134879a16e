-- The opportunities' title pairs on SQLite (see the SQLite version).
-- PostgreSQL has the GIN index idx_opps_title_bigrams on the same pairs
-- (00037): nothing to do here; the migration exists so that both
-- databases share one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
