-- The visit reminders already sent (issue 19; see the PostgreSQL version).

-- +goose Up
ALTER TABLE visit_plans ADD COLUMN prep_reminded_at datetime;
ALTER TABLE visit_plans ADD COLUMN record_reminded_at datetime;
CREATE INDEX idx_visit_plans_to_remind ON visit_plans (starts_at)
    WHERE deleted_at IS NULL AND status = 'planned' AND record_reminded_at IS NULL;

-- +goose Down
DROP INDEX idx_visit_plans_to_remind;
ALTER TABLE visit_plans DROP COLUMN record_reminded_at;
ALTER TABLE visit_plans DROP COLUMN prep_reminded_at;
