-- Free-standing to-dos (待办): made from anywhere (home, a customer, an
-- opportunity, a contract, a service request), due at a time (or on a
-- day), optionally linked to one record (link_type + link_id, with the
-- linked record's customer in customer_id) and assigned to a user in the
-- creator's scope. owner_id is the assignee; team_id and branch_id are the
-- assignee's at assignment, so the standard scope columns apply. A visit's
-- next step stays in visit_todos (00007).

-- +goose Up
CREATE TABLE todos (
    id                  BIGSERIAL PRIMARY KEY,
    title               VARCHAR(200) NOT NULL,
    due_at              TIMESTAMPTZ  NOT NULL,
    all_day             BOOLEAN      NOT NULL DEFAULT FALSE,
    link_type           VARCHAR(16)  NOT NULL DEFAULT '' CHECK (link_type IN ('', 'customer', 'opportunity', 'contract', 'request')),
    link_id             BIGINT,
    customer_id         BIGINT       REFERENCES customers (id),
    owner_id            BIGINT       NOT NULL REFERENCES users (id),
    team_id             BIGINT,
    branch_id           BIGINT,
    created_by          BIGINT       NOT NULL REFERENCES users (id),
    done_at             TIMESTAMPTZ,
    done_by             BIGINT,
    overdue_notified_at TIMESTAMPTZ,
    version             INTEGER      NOT NULL DEFAULT 1,
    created_at          TIMESTAMPTZ  NOT NULL,
    updated_at          TIMESTAMPTZ  NOT NULL,
    deleted_at          TIMESTAMPTZ
);
-- The agenda and "mine": one assignee's to-dos by due time.
CREATE INDEX idx_todos_owner ON todos (owner_id, due_at) WHERE deleted_at IS NULL;
-- "Assigned by me".
CREATE INDEX idx_todos_created_by ON todos (created_by, due_at) WHERE deleted_at IS NULL;
-- The team and branch views.
CREATE INDEX idx_todos_team ON todos (team_id, due_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_todos_branch ON todos (branch_id, due_at) WHERE deleted_at IS NULL;
-- The overdue job: open to-dos not yet notified, by due time.
CREATE INDEX idx_todos_overdue ON todos (due_at) WHERE done_at IS NULL AND overdue_notified_at IS NULL AND deleted_at IS NULL;
CREATE INDEX idx_todos_customer ON todos (customer_id) WHERE deleted_at IS NULL;

-- +goose Down
DROP TABLE todos;
