-- Same version and columns as postgres/00022_pool.sql.
-- The shared customer pool (公海): each branch's rule, the customers in
-- its pool, every move into and out of it, and the owner's warnings.
-- A pooled customer is owned by the branch's pool holder (pool_rules.
-- holder_id), a disabled user that cannot sign in: owner_id stays NOT NULL
-- and a reference, and every customer scope (own, team, branch) keeps
-- working unchanged.

-- +goose Up
CREATE TABLE pool_rules (
    id           INTEGER     PRIMARY KEY AUTOINCREMENT,
    branch_id    BIGINT      NOT NULL UNIQUE REFERENCES branches (id),
    enabled      BOOLEAN     NOT NULL DEFAULT 0,
    idle_days    INTEGER     NOT NULL DEFAULT 90 CHECK (idle_days BETWEEN 14 AND 3650),
    warn_days    INTEGER     NOT NULL DEFAULT 7 CHECK (warn_days BETWEEN 1 AND 60),
    claim_limit  INTEGER     NOT NULL DEFAULT 10 CHECK (claim_limit BETWEEN 0 AND 1000),
    holder_id    BIGINT      REFERENCES users (id),
    version      INTEGER     NOT NULL DEFAULT 1,
    created_by   BIGINT,
    updated_by   BIGINT,
    created_at   DATETIME    NOT NULL,
    updated_at   DATETIME    NOT NULL
);

CREATE TABLE pool_entries (
    customer_id   BIGINT      PRIMARY KEY REFERENCES customers (id),
    branch_id     BIGINT      NOT NULL REFERENCES branches (id),
    from_owner_id BIGINT      REFERENCES users (id),
    pooled_at     DATETIME    NOT NULL
);
CREATE INDEX idx_pool_entries_branch ON pool_entries (branch_id, pooled_at DESC);

CREATE TABLE pool_moves (
    id            INTEGER     PRIMARY KEY AUTOINCREMENT,
    customer_id   BIGINT      NOT NULL REFERENCES customers (id),
    branch_id     BIGINT      NOT NULL REFERENCES branches (id),
    kind          VARCHAR(16) NOT NULL CHECK (kind IN ('pooled', 'claimed', 'assigned')),
    from_owner_id BIGINT,
    to_owner_id   BIGINT,
    actor_id      BIGINT,
    at            DATETIME    NOT NULL
);
CREATE INDEX idx_pool_moves_customer ON pool_moves (customer_id, at);
-- The monthly claim limit counts a user's claims in a month.
CREATE INDEX idx_pool_moves_claims ON pool_moves (to_owner_id, kind, at);

CREATE TABLE pool_warnings (
    customer_id BIGINT      PRIMARY KEY REFERENCES customers (id),
    owner_id    BIGINT      NOT NULL REFERENCES users (id),
    due_on      DATE        NOT NULL,
    warned_at   DATETIME    NOT NULL
);

-- The nightly job reads customers by branch and grade; the index on
-- (branch_id, updated_at) and idx_customers_grade cover it.

-- +goose Down
DROP TABLE pool_warnings;
DROP TABLE pool_moves;
DROP TABLE pool_entries;
DROP TABLE pool_rules;
