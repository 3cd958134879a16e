-- SQLite's planner at province scale: soft-delete indexes of the deleted
-- rows only, and planner statistics at a sound bound (see the SQLite
-- version of this migration). Nothing to do on PostgreSQL, whose planner
-- does not take an index of deleted_at for the live rows and whose
-- autovacuum keeps its own statistics; the migration exists so that both
-- databases share one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
