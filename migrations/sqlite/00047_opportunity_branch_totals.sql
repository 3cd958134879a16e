-- Each branch's opportunity totals per stage on PostgreSQL, kept as a
-- base and appended deltas (see the PostgreSQL version). SQLite reads a
-- director's sums from the branch's customers: nothing to do here; the
-- migration exists so that both databases share one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
