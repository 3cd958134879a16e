-- To-dos (待办): the agreed next step of a visit when it is not another
-- visit (send the quotation, arrange a site survey …), with a due date;
-- shown on the owner's agenda until done.

-- +goose Up
CREATE TABLE visit_todos (
    id          BIGSERIAL PRIMARY KEY,
    customer_id BIGINT       NOT NULL REFERENCES customers (id),
    owner_id    BIGINT       NOT NULL REFERENCES users (id),
    visit_id    BIGINT       REFERENCES visit_plans (id),
    title       VARCHAR(500) NOT NULL,
    due_date    DATE         NOT NULL,
    done_at     TIMESTAMPTZ,
    done_by     BIGINT,
    created_by  BIGINT,
    created_at  TIMESTAMPTZ  NOT NULL,
    updated_at  TIMESTAMPTZ  NOT NULL
);
-- A visit record leads to at most one to-do.
CREATE UNIQUE INDEX ux_visit_todos_visit ON visit_todos (visit_id) WHERE visit_id IS NOT NULL;
-- The agenda: one owner's open to-dos by due date.
CREATE INDEX idx_visit_todos_open ON visit_todos (owner_id, due_date) WHERE done_at IS NULL;
CREATE INDEX idx_visit_todos_customer ON visit_todos (customer_id);

-- +goose Down
DROP TABLE visit_todos;
