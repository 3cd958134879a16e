-- The need list's order (last updated first, then the id), as the
-- opportunity and proposal lists have theirs (issue 19). Without it every
-- page sorted all the needs of the reader's scope: the admin's page of 25
-- among a province's 50,000 needs took 152 ms, a director's 34 ms, and a
-- common search term (有限公司) read every match before sorting; along
-- the index they stop at the 25th row (2 ms, 5 ms and 2 ms).

-- +goose Up
CREATE INDEX idx_needs_updated ON needs (updated_at DESC, id DESC) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX idx_needs_updated;
