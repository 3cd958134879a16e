-- The visit reminders already sent (issue 19). visits.reminders runs every
-- 15 minutes and read every planned visit of the last 30 days and the next
-- 24 hours to send each one's reminder, kept once by its dedupe key: in a
-- province ~36,000 visits a run, 1.6–2.0 s of the database's time, to
-- send nothing new. The job now marks the visits it has told their owner
-- about, and reads only those whose record reminder is still to come
-- through this index: the visits of the next day and those just ended.

-- +goose Up
ALTER TABLE visit_plans ADD COLUMN prep_reminded_at timestamptz;
ALTER TABLE visit_plans ADD COLUMN record_reminded_at timestamptz;
CREATE INDEX idx_visit_plans_to_remind ON visit_plans (starts_at)
    WHERE deleted_at IS NULL AND status = 'planned' AND record_reminded_at IS NULL;

-- +goose Down
DROP INDEX idx_visit_plans_to_remind;
ALTER TABLE visit_plans DROP COLUMN record_reminded_at;
ALTER TABLE visit_plans DROP COLUMN prep_reminded_at;
