-- The live customers counted per manager, branch and part on PostgreSQL
-- (see the PostgreSQL version). SQLite keeps no such counts (its reports
-- count the customers): nothing to do here; the migration exists so that
-- both databases share one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
