-- A customer's visits in start order carry their id, for PostgreSQL's
-- deep pages of a branch's or a team's visits (see the PostgreSQL
-- version): SQLite walks those pages in time order and keeps 00055's
-- index; the migration exists so that both databases share one version
-- sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
