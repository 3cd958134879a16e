-- The reasons given for missed lines, read from an index (issue 19). The
-- attainment report counts, for every look, the reasons of the period's
-- submitted and signed-off reviews (reports.Store.Reasons): PostgreSQL
-- read all of the province's review lines (~40,000, two thirds without a
-- reason) for those with one, 34 ms of a year's first look. The lines
-- with a reason, with what the count groups by, are a small index read
-- alone (13 ms).

-- +goose Up
CREATE INDEX idx_review_lines_reason ON review_lines (review_id) INCLUDE (reason, line) WHERE reason <> '';

-- +goose Down
DROP INDEX idx_review_lines_reason;
