-- PostgreSQL's autovacuum settings for the busy tables (see the
-- PostgreSQL version). SQLite has no visibility map: nothing to do; the
-- migration exists so that both databases share one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
