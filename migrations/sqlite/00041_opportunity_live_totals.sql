-- The live opportunities' totals per stage (issue 19): on PostgreSQL an
-- index for their sum; SQLite reads the per-stage rows its triggers keep
-- (00035). The migration exists so that both databases share one version
-- sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
