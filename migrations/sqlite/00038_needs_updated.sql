-- The need list's order (last updated first, then the id), as the
-- opportunity and proposal lists have theirs (issue 19): a page stops at
-- its 25th row along the index instead of sorting every need of the
-- reader's scope (see the PostgreSQL migration for the figures).

-- +goose Up
CREATE INDEX idx_needs_updated ON needs (updated_at DESC, id DESC) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX idx_needs_updated;
