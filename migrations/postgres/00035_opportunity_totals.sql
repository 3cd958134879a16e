-- The province's opportunity totals kept by triggers on SQLite (see the
-- SQLite version of this migration). Nothing to do on PostgreSQL: per-
-- stage rows there would be locked by every concurrent writer of an
-- opportunity (and could deadlock two writers touching stages in a
-- different order), and its scan of the province's opportunities is fast
-- enough. The migration exists so that both databases share one version
-- sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
