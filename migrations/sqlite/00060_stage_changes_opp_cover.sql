-- An opportunity's stage changes read from the index alone on PostgreSQL
-- (see the PostgreSQL version). The portal's SQLite reports are not read
-- at a province's size through this index: nothing to do here; the
-- migration exists so that both databases share one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
