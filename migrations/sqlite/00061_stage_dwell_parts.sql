-- The province's stage changes counted per industry and per grade on
-- PostgreSQL (see the PostgreSQL version). SQLite keeps no stage dwell
-- counts (its velocity reads the stage changes): nothing to do here; the
-- migration exists so that both databases share one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
