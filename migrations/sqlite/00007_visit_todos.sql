-- Same version and columns as postgres/00007_visit_todos.sql.
-- To-dos (待办): the agreed next step of a visit when it is not another
-- visit, with a due date; shown on the owner's agenda until done.

-- +goose Up
CREATE TABLE visit_todos (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER   NOT NULL REFERENCES customers (id),
    owner_id    INTEGER   NOT NULL REFERENCES users (id),
    visit_id    INTEGER   REFERENCES visit_plans (id),
    title       TEXT      NOT NULL,
    due_date    DATE      NOT NULL,
    done_at     DATETIME,
    done_by     INTEGER,
    created_by  INTEGER,
    created_at  DATETIME  NOT NULL,
    updated_at  DATETIME  NOT NULL
);
CREATE UNIQUE INDEX ux_visit_todos_visit ON visit_todos (visit_id) WHERE visit_id IS NOT NULL;
CREATE INDEX idx_visit_todos_open ON visit_todos (owner_id, due_date) WHERE done_at IS NULL;
CREATE INDEX idx_visit_todos_customer ON visit_todos (customer_id);

-- +goose Down
DROP TABLE visit_todos;
