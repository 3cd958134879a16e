-- Contracts (签署协议 / 业务实施): contracts and their amendments
-- (revisions), line items carried over from the accepted proposal or
-- priced from the catalogue, approvals, the lifecycle events the customer
-- timeline shows, implementation tasks, attachments with their bytes, and
-- the per-branch, per-year number sequence.

-- +goose Up
CREATE TABLE contract_numbers (
    branch_id BIGINT  NOT NULL,
    year      INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (branch_id, year)
);

CREATE TABLE contracts (
    id                    BIGSERIAL PRIMARY KEY,
    number                VARCHAR(64)  NOT NULL,
    revision              INTEGER      NOT NULL DEFAULT 1,
    root_id               BIGINT,
    is_current            BOOLEAN      NOT NULL DEFAULT FALSE,
    customer_id           BIGINT       NOT NULL REFERENCES customers (id),
    opportunity_id        BIGINT       REFERENCES opportunities (id),
    proposal_id           BIGINT       REFERENCES proposals (id),
    proposal_ref          VARCHAR(64)  NOT NULL DEFAULT '',
    predecessor_id        BIGINT,
    renewed_by_id         BIGINT,
    owner_id              BIGINT       NOT NULL REFERENCES users (id),
    branch_id             BIGINT       NOT NULL,
    title                 VARCHAR(200) NOT NULL,
    status                VARCHAR(16)  NOT NULL CHECK (status IN ('draft', 'pending', 'approved', 'signed', 'active', 'expiring', 'expired', 'terminated', 'renewed', 'superseded')),
    signed_on             DATE,
    start_on              DATE         NOT NULL,
    end_on                DATE         NOT NULL,
    term_months           INTEGER      NOT NULL CHECK (term_months BETWEEN 1 AND 120),
    monthly_fen           BIGINT       NOT NULL DEFAULT 0,
    one_time_fen          BIGINT       NOT NULL DEFAULT 0,
    total_fen             BIGINT       NOT NULL DEFAULT 0,
    payment_terms         VARCHAR(16)  NOT NULL CHECK (payment_terms IN ('monthly', 'quarterly', 'yearly', 'one_off')),
    payment_due_day       INTEGER      NOT NULL CHECK (payment_due_day BETWEEN 1 AND 28),
    our_signatory_id      BIGINT,
    customer_signatory_id BIGINT,
    notes                 TEXT         NOT NULL DEFAULT '',
    needs_chief           BOOLEAN      NOT NULL DEFAULT FALSE,
    needs_director        BOOLEAN      NOT NULL DEFAULT FALSE,
    chief_approved_by     BIGINT,
    director_approved_by  BIGINT,
    submitted_at          TIMESTAMPTZ,
    signed_at             TIMESTAMPTZ,
    activated_at          TIMESTAMPTZ,
    terminated_on         DATE,
    termination_reason    VARCHAR(500) NOT NULL DEFAULT '',
    version               INTEGER      NOT NULL DEFAULT 1,
    created_by            BIGINT,
    updated_by            BIGINT,
    created_at            TIMESTAMPTZ  NOT NULL,
    updated_at            TIMESTAMPTZ  NOT NULL,
    deleted_at            TIMESTAMPTZ
);
-- A number names one contract; its amendments share it with their own
-- revision. Numbers are never reused (the sequence only goes up and
-- deleted contracts keep theirs).
CREATE UNIQUE INDEX ux_contracts_number_revision ON contracts (number, revision);
-- One live contract per accepted proposal version, one live successor per
-- renewed contract (amendments of either carry the link with their revision).
CREATE UNIQUE INDEX ux_contracts_proposal ON contracts (proposal_id, revision) WHERE proposal_id IS NOT NULL AND deleted_at IS NULL;
CREATE UNIQUE INDEX ux_contracts_predecessor ON contracts (predecessor_id, revision) WHERE predecessor_id IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX idx_contracts_customer ON contracts (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_contracts_root ON contracts (root_id);
-- Lists, the expiring page and the renewal job read current revisions by
-- status and end date.
CREATE INDEX idx_contracts_current_end ON contracts (status, end_on) WHERE is_current AND deleted_at IS NULL;
CREATE INDEX idx_contracts_updated ON contracts (updated_at) WHERE is_current AND deleted_at IS NULL;

CREATE TABLE contract_lines (
    id                BIGSERIAL PRIMARY KEY,
    contract_id       BIGINT       NOT NULL REFERENCES contracts (id),
    position          INTEGER      NOT NULL,
    product_id        BIGINT       NOT NULL,
    product_code      VARCHAR(32)  NOT NULL,
    product_name      VARCHAR(200) NOT NULL,
    product_name_en   VARCHAR(200) NOT NULL DEFAULT '',
    unit              VARCHAR(32)  NOT NULL,
    quantity          BIGINT       NOT NULL CHECK (quantity > 0),
    term_months       INTEGER      NOT NULL CHECK (term_months BETWEEN 1 AND 120),
    monthly_list_fen  BIGINT       NOT NULL,
    one_time_list_fen BIGINT       NOT NULL,
    rate              INTEGER      NOT NULL CHECK (rate BETWEEN 0 AND 10000),
    floor_rate        INTEGER      NOT NULL,
    monthly_net_fen   BIGINT       NOT NULL,
    one_time_net_fen  BIGINT       NOT NULL,
    total_fen         BIGINT       NOT NULL
);
CREATE INDEX idx_contract_lines_contract ON contract_lines (contract_id, position);

CREATE TABLE contract_approvals (
    id          BIGSERIAL PRIMARY KEY,
    contract_id BIGINT        NOT NULL REFERENCES contracts (id),
    level       VARCHAR(16)   NOT NULL CHECK (level IN ('chief', 'director')),
    decision    VARCHAR(16)   NOT NULL CHECK (decision IN ('approved', 'rejected')),
    by_id       BIGINT        NOT NULL,
    at          TIMESTAMPTZ   NOT NULL,
    comment     VARCHAR(1000) NOT NULL DEFAULT ''
);
CREATE INDEX idx_contract_approvals_contract ON contract_approvals (contract_id, at);

CREATE TABLE contract_events (
    id          BIGSERIAL PRIMARY KEY,
    contract_id BIGINT       NOT NULL REFERENCES contracts (id),
    customer_id BIGINT       NOT NULL,
    action      VARCHAR(32)  NOT NULL,
    from_status VARCHAR(16)  NOT NULL DEFAULT '',
    to_status   VARCHAR(16)  NOT NULL DEFAULT '',
    by_id       BIGINT,
    at          TIMESTAMPTZ  NOT NULL,
    note        VARCHAR(500) NOT NULL DEFAULT ''
);
CREATE INDEX idx_contract_events_customer ON contract_events (customer_id, at);
CREATE INDEX idx_contract_events_contract ON contract_events (contract_id, at);

-- Tasks and attachments hang off the contract's first revision (root), so
-- they stay with it through amendments.
CREATE TABLE contract_tasks (
    id           BIGSERIAL PRIMARY KEY,
    contract_id  BIGINT       NOT NULL REFERENCES contracts (id),
    position     INTEGER      NOT NULL,
    kind         VARCHAR(16)  NOT NULL CHECK (kind IN ('open', 'cutover', 'acceptance', 'free')),
    title        VARCHAR(200) NOT NULL,
    product_code VARCHAR(32)  NOT NULL DEFAULT '',
    owner_id     BIGINT       NOT NULL REFERENCES users (id),
    due_on       DATE         NOT NULL,
    status       VARCHAR(16)  NOT NULL CHECK (status IN ('todo', 'doing', 'done')),
    note         VARCHAR(1000) NOT NULL DEFAULT '',
    done_at      TIMESTAMPTZ,
    version      INTEGER      NOT NULL DEFAULT 1,
    created_by   BIGINT,
    updated_by   BIGINT,
    created_at   TIMESTAMPTZ  NOT NULL,
    updated_at   TIMESTAMPTZ  NOT NULL,
    deleted_at   TIMESTAMPTZ
);
CREATE INDEX idx_contract_tasks_contract ON contract_tasks (contract_id, position) WHERE deleted_at IS NULL;
-- Overdue tasks by owner (home panel) and by due date (the daily job).
CREATE INDEX idx_contract_tasks_open ON contract_tasks (owner_id, due_on) WHERE status <> 'done' AND deleted_at IS NULL;
CREATE INDEX idx_contract_tasks_due ON contract_tasks (due_on) WHERE status <> 'done' AND deleted_at IS NULL;

-- The bytes of attachments, by key: the default store, shared by every
-- app instance on the database (an S3-compatible store can replace it).
CREATE TABLE contract_files (
    file_key   VARCHAR(64) PRIMARY KEY,
    data       BYTEA       NOT NULL,
    size_bytes BIGINT      NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE contract_attachments (
    id           BIGSERIAL PRIMARY KEY,
    contract_id  BIGINT       NOT NULL REFERENCES contracts (id),
    blob_key     VARCHAR(64)  NOT NULL,
    file_name    VARCHAR(255) NOT NULL,
    content_type VARCHAR(64)  NOT NULL,
    size_bytes   BIGINT       NOT NULL,
    sha256       VARCHAR(64)  NOT NULL,
    uploaded_by  BIGINT       NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ  NOT NULL,
    deleted_at   TIMESTAMPTZ,
    deleted_by   BIGINT
);
CREATE INDEX idx_contract_attachments_contract ON contract_attachments (contract_id) WHERE deleted_at IS NULL;

-- +goose Down
DROP TABLE contract_attachments;
DROP TABLE contract_files;
DROP TABLE contract_tasks;
DROP TABLE contract_events;
DROP TABLE contract_approvals;
DROP TABLE contract_lines;
DROP TABLE contracts;
DROP TABLE contract_numbers;
