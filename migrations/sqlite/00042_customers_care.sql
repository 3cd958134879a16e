-- The care list's customers by id with what their state needs (issue 19):
-- an index for PostgreSQL's index-only pass. SQLite's planner kept to its
-- status index with it (the admin's care list 154-180 ms either way), so
-- it gets none; the migration exists so that both databases share one
-- version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
