-- SQLite's planner at province scale (issue 19; docs/performance.md
-- § SQLite).
--
-- 1. The soft-delete indexes hold only the deleted rows. An index of
--    deleted_at over every row has one value (NULL) for all the live ones,
--    and SQLite, which treats "deleted_at IS NULL" as an equality, took it
--    as the way into a table: the admin's opportunity list walked all
--    100,000 live customers through idx_customers_deleted, joined their
--    opportunities and sorted them (158 ms) instead of reading the
--    opportunities in the list's order and stopping at 25. The trash
--    lists ("deleted_at IS NOT NULL") still have their index. PostgreSQL
--    never chose these indexes for the live rows and keeps them as they
--    are. The live customers' ids get a partial index of their own
--    (idx_customers_live): an aggregate over the province joins every
--    live customer, and without it SQLite read them through another
--    index of the whole table (the admin's opportunity totals: 690 ms,
--    100 ms with it).
-- 2. The planner statistics at a sound bound. db.Optimize used to analyse
--    at most 400 entries per index, which caps every rows-per-value
--    estimate at about 401: an index whose entries share one value looked
--    selective. Optimize now reads up to 100,000 entries
--    (db.AnalysisLimit), but PRAGMA optimize analyses a table again only
--    when it has grown or shrunk a great deal, so the statistics written
--    under the old bound are replaced here once.

-- +goose Up
DROP INDEX idx_customers_deleted;
CREATE INDEX idx_customers_deleted ON customers (deleted_at) WHERE deleted_at IS NOT NULL;
DROP INDEX idx_contacts_deleted;
CREATE INDEX idx_contacts_deleted ON contacts (deleted_at) WHERE deleted_at IS NOT NULL;
DROP INDEX idx_opps_deleted;
CREATE INDEX idx_opps_deleted ON opportunities (deleted_at) WHERE deleted_at IS NOT NULL;
DROP INDEX idx_visit_plans_deleted;
CREATE INDEX idx_visit_plans_deleted ON visit_plans (deleted_at) WHERE deleted_at IS NOT NULL;
DROP INDEX idx_needs_deleted;
CREATE INDEX idx_needs_deleted ON needs (deleted_at) WHERE deleted_at IS NOT NULL;
DROP INDEX idx_customer_services_deleted;
CREATE INDEX idx_customer_services_deleted ON customer_services (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX idx_customers_live ON customers (id) WHERE deleted_at IS NULL;
PRAGMA analysis_limit=100000;
ANALYZE;

-- +goose Down
DROP INDEX idx_customers_live;
DROP INDEX idx_customer_services_deleted;
CREATE INDEX idx_customer_services_deleted ON customer_services (deleted_at);
DROP INDEX idx_needs_deleted;
CREATE INDEX idx_needs_deleted ON needs (deleted_at);
DROP INDEX idx_visit_plans_deleted;
CREATE INDEX idx_visit_plans_deleted ON visit_plans (deleted_at);
DROP INDEX idx_opps_deleted;
CREATE INDEX idx_opps_deleted ON opportunities (deleted_at);
DROP INDEX idx_contacts_deleted;
CREATE INDEX idx_contacts_deleted ON contacts (deleted_at);
DROP INDEX idx_customers_deleted;
CREATE INDEX idx_customers_deleted ON customers (deleted_at);
