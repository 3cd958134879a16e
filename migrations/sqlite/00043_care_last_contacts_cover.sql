-- The customers' last contacts by customer, with the date (issue 19): an
-- index for PostgreSQL's merge of the care list's customers with their
-- last contacts. SQLite joins them by nested loops over the primary key
-- whatever the index, so it gets none; the migration exists so that both
-- databases share one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
