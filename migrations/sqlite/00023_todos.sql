-- Same version and columns as postgres/00023_todos.sql.
-- Free-standing to-dos (待办), optionally linked to one record and
-- assigned to a user in the creator's scope.

-- +goose Up
CREATE TABLE todos (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    title               TEXT     NOT NULL,
    due_at              DATETIME NOT NULL,
    all_day             BOOLEAN  NOT NULL DEFAULT FALSE,
    link_type           TEXT     NOT NULL DEFAULT '' CHECK (link_type IN ('', 'customer', 'opportunity', 'contract', 'request')),
    link_id             INTEGER,
    customer_id         INTEGER  REFERENCES customers (id),
    owner_id            INTEGER  NOT NULL REFERENCES users (id),
    team_id             INTEGER,
    branch_id           INTEGER,
    created_by          INTEGER  NOT NULL REFERENCES users (id),
    done_at             DATETIME,
    done_by             INTEGER,
    overdue_notified_at DATETIME,
    version             INTEGER  NOT NULL DEFAULT 1,
    created_at          DATETIME NOT NULL,
    updated_at          DATETIME NOT NULL,
    deleted_at          DATETIME
);
CREATE INDEX idx_todos_owner ON todos (owner_id, due_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_todos_created_by ON todos (created_by, due_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_todos_team ON todos (team_id, due_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_todos_branch ON todos (branch_id, due_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_todos_overdue ON todos (due_at) WHERE done_at IS NULL AND overdue_notified_at IS NULL AND deleted_at IS NULL;
CREATE INDEX idx_todos_customer ON todos (customer_id) WHERE deleted_at IS NULL;

-- +goose Down
DROP TABLE todos;
