-- The coverage report's two reads (issue 19; PostgreSQL's 00048 says
-- why). SQLite has no INCLUDE: the owner is the index's last column.
-- +goose Up
CREATE INDEX idx_customers_grade_owner ON customers (grade, id, owner_id) WHERE deleted_at IS NULL;
DROP INDEX idx_customers_grade_id;
CREATE INDEX idx_customers_uncovered ON customers (owner_id, grade, name, id) WHERE deleted_at IS NULL AND grade IN ('A', 'B');

-- +goose Down
DROP INDEX idx_customers_uncovered;
CREATE INDEX idx_customers_grade_id ON customers (grade, id) WHERE deleted_at IS NULL;
DROP INDEX idx_customers_grade_owner;
