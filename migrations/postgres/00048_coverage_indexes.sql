-- The coverage report's two reads (issue 19). Its sums read the live A
-- and B customers' owner and grade: idx_customers_grade_id (00028) gave
-- their ids without the rows, and now carries the owner too, so the
-- admin's ~30,000 are read without a heap visit each (a bitmap heap scan
-- of ~4,200 pages, ~18 ms). Its list of uncovered customers, by owner,
-- grade and name, was sorted after every customer had been probed for a
-- visit; along idx_customers_uncovered it is read in that order and stops
-- after the first 500 uncovered (the admin's coverage
-- report 89 -> ~35 ms on a first look after a write).
-- +goose Up
CREATE INDEX idx_customers_grade_owner ON customers (grade, id) INCLUDE (owner_id) WHERE deleted_at IS NULL;
DROP INDEX idx_customers_grade_id;
CREATE INDEX idx_customers_uncovered ON customers (owner_id, grade, name, id) WHERE deleted_at IS NULL AND grade IN ('A', 'B');

-- +goose Down
DROP INDEX idx_customers_uncovered;
CREATE INDEX idx_customers_grade_id ON customers (grade, id) WHERE deleted_at IS NULL;
DROP INDEX idx_customers_grade_owner;
