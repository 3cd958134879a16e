-- The reasons given for missed lines, read from an index (see the
-- PostgreSQL version): SQLite has no INCLUDE, so what the count groups by
-- follows the review as trailing keys.

-- +goose Up
CREATE INDEX idx_review_lines_reason ON review_lines (review_id, reason, line) WHERE reason <> '';

-- +goose Down
DROP INDEX idx_review_lines_reason;
