-- Vacuum the big, busy tables after a fixed number of changed rows, not
-- a fifth of the table (issue 19). The pages of the province read their
-- recent rows through index-only scans (a month's visits per day and
-- owner, the visits behind the activity report and the targets'
-- actuals, the coverage probes); an index-only scan reads a row's heap
-- page unless the visibility map says the page is all visible, and only
-- a vacuum sets that. With the defaults (20 % of the table changed, or
-- inserted) visit_plans, at 1,000,000 rows, was vacuumed after 200,000
-- writes: months of a province's visits. After the visit reminders'
-- first run marked 33,000 visits, the admin's month calendar took
-- 96-108 ms on a first look instead of 37-40, a director's targets page
-- 67 instead of 22; a VACUUM of the table (under a second) gave it back.
-- With these a table is vacuumed after ~2,000 changed or inserted rows
-- (a vacuum reads only the pages not all visible: a second or less).
-- +goose Up
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['visit_plans', 'visit_records', 'opportunities', 'stage_changes',
                             'customers', 'contacts', 'care_last_contacts', 'contracts'] LOOP
        EXECUTE format('ALTER TABLE %I SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000, '
                       'autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 2000)', t);
    END LOOP;
END $$;
-- +goose StatementEnd
-- The planner's statistics of the three tables the lists filter on most
-- follow them sooner too.
ALTER TABLE visit_plans SET (autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE opportunities SET (autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE customers SET (autovacuum_analyze_scale_factor = 0.02);

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['visit_plans', 'visit_records', 'opportunities', 'stage_changes',
                             'customers', 'contacts', 'care_last_contacts', 'contracts'] LOOP
        EXECUTE format('ALTER TABLE %I RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, '
                       'autovacuum_vacuum_insert_scale_factor, autovacuum_vacuum_insert_threshold, '
                       'autovacuum_analyze_scale_factor)', t);
    END LOOP;
END $$;
-- +goose StatementEnd
