-- A visit's status and start, of the live visits only. The index of
-- 00003 held the deleted ones too, so reading it cost a visit of the table
-- for each row, and PostgreSQL preferred walking the visits from today on
-- along idx_visit_plans_starts_cover, testing each one's status, to ask
-- "is any visit done, missed or cancelled from today on?" (the visit
-- list's upcoming part of such a filter: 66,000 visits for none, 5-6 ms;
-- issue 19, docs/performance.md § Searches for a common word). Partial,
-- it answers from the index alone, and serves every reader of the old
-- one: they all read live visits.

-- +goose Up
CREATE INDEX idx_visit_plans_status_live ON visit_plans (status, starts_at) WHERE deleted_at IS NULL;
DROP INDEX idx_visit_plans_status;

-- +goose Down
CREATE INDEX idx_visit_plans_status ON visit_plans (status, starts_at);
DROP INDEX idx_visit_plans_status_live;
