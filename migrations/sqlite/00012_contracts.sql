-- Same version and columns as postgres/00012_contracts.sql.
-- Contracts (签署协议 / 业务实施): contracts and their amendments
-- (revisions), line items carried over from the accepted proposal or
-- priced from the catalogue, approvals, the lifecycle events the customer
-- timeline shows, implementation tasks, attachments with their bytes, and
-- the per-branch, per-year number sequence.

-- +goose Up
CREATE TABLE contract_numbers (
    branch_id INTEGER  NOT NULL,
    year      INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (branch_id, year)
);

CREATE TABLE contracts (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    number                TEXT  NOT NULL,
    revision              INTEGER      NOT NULL DEFAULT 1,
    root_id               INTEGER,
    is_current            BOOLEAN      NOT NULL DEFAULT 0,
    customer_id           INTEGER       NOT NULL REFERENCES customers (id),
    opportunity_id        INTEGER       REFERENCES opportunities (id),
    proposal_id           INTEGER       REFERENCES proposals (id),
    proposal_ref          TEXT  NOT NULL DEFAULT '',
    predecessor_id        INTEGER,
    renewed_by_id         INTEGER,
    owner_id              INTEGER       NOT NULL REFERENCES users (id),
    branch_id             INTEGER       NOT NULL,
    title                 TEXT NOT NULL,
    status                TEXT  NOT NULL CHECK (status IN ('draft', 'pending', 'approved', 'signed', 'active', 'expiring', 'expired', 'terminated', 'renewed', 'superseded')),
    signed_on             DATE,
    start_on              DATE         NOT NULL,
    end_on                DATE         NOT NULL,
    term_months           INTEGER      NOT NULL CHECK (term_months BETWEEN 1 AND 120),
    monthly_fen           INTEGER       NOT NULL DEFAULT 0,
    one_time_fen          INTEGER       NOT NULL DEFAULT 0,
    total_fen             INTEGER       NOT NULL DEFAULT 0,
    payment_terms         TEXT  NOT NULL CHECK (payment_terms IN ('monthly', 'quarterly', 'yearly', 'one_off')),
    payment_due_day       INTEGER      NOT NULL CHECK (payment_due_day BETWEEN 1 AND 28),
    our_signatory_id      INTEGER,
    customer_signatory_id INTEGER,
    notes                 TEXT         NOT NULL DEFAULT '',
    needs_chief           BOOLEAN      NOT NULL DEFAULT 0,
    needs_director        BOOLEAN      NOT NULL DEFAULT 0,
    chief_approved_by     INTEGER,
    director_approved_by  INTEGER,
    submitted_at          DATETIME,
    signed_at             DATETIME,
    activated_at          DATETIME,
    terminated_on         DATE,
    termination_reason    TEXT NOT NULL DEFAULT '',
    version               INTEGER      NOT NULL DEFAULT 1,
    created_by            INTEGER,
    updated_by            INTEGER,
    created_at            DATETIME  NOT NULL,
    updated_at            DATETIME  NOT NULL,
    deleted_at            DATETIME
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
CREATE INDEX idx_contracts_current_end ON contracts (status, end_on) WHERE is_current = 1 AND deleted_at IS NULL;
CREATE INDEX idx_contracts_updated ON contracts (updated_at) WHERE is_current = 1 AND deleted_at IS NULL;

CREATE TABLE contract_lines (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id       INTEGER       NOT NULL REFERENCES contracts (id),
    position          INTEGER      NOT NULL,
    product_id        INTEGER       NOT NULL,
    product_code      TEXT  NOT NULL,
    product_name      TEXT NOT NULL,
    product_name_en   TEXT NOT NULL DEFAULT '',
    unit              TEXT  NOT NULL,
    quantity          INTEGER       NOT NULL CHECK (quantity > 0),
    term_months       INTEGER      NOT NULL CHECK (term_months BETWEEN 1 AND 120),
    monthly_list_fen  INTEGER       NOT NULL,
    one_time_list_fen INTEGER       NOT NULL,
    rate              INTEGER      NOT NULL CHECK (rate BETWEEN 0 AND 10000),
    floor_rate        INTEGER      NOT NULL,
    monthly_net_fen   INTEGER       NOT NULL,
    one_time_net_fen  INTEGER       NOT NULL,
    total_fen         INTEGER       NOT NULL
);
CREATE INDEX idx_contract_lines_contract ON contract_lines (contract_id, position);

CREATE TABLE contract_approvals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id INTEGER        NOT NULL REFERENCES contracts (id),
    level       TEXT   NOT NULL CHECK (level IN ('chief', 'director')),
    decision    TEXT   NOT NULL CHECK (decision IN ('approved', 'rejected')),
    by_id       INTEGER        NOT NULL,
    at          DATETIME   NOT NULL,
    comment     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idx_contract_approvals_contract ON contract_approvals (contract_id, at);

CREATE TABLE contract_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id INTEGER       NOT NULL REFERENCES contracts (id),
    customer_id INTEGER       NOT NULL,
    action      TEXT  NOT NULL,
    from_status TEXT  NOT NULL DEFAULT '',
    to_status   TEXT  NOT NULL DEFAULT '',
    by_id       INTEGER,
    at          DATETIME  NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idx_contract_events_customer ON contract_events (customer_id, at);
CREATE INDEX idx_contract_events_contract ON contract_events (contract_id, at);

-- Tasks and attachments hang off the contract's first revision (root), so
-- they stay with it through amendments.
CREATE TABLE contract_tasks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id  INTEGER       NOT NULL REFERENCES contracts (id),
    position     INTEGER      NOT NULL,
    kind         TEXT  NOT NULL CHECK (kind IN ('open', 'cutover', 'acceptance', 'free')),
    title        TEXT NOT NULL,
    product_code TEXT  NOT NULL DEFAULT '',
    owner_id     INTEGER       NOT NULL REFERENCES users (id),
    due_on       DATE         NOT NULL,
    status       TEXT  NOT NULL CHECK (status IN ('todo', 'doing', 'done')),
    note         TEXT NOT NULL DEFAULT '',
    done_at      DATETIME,
    version      INTEGER      NOT NULL DEFAULT 1,
    created_by   INTEGER,
    updated_by   INTEGER,
    created_at   DATETIME  NOT NULL,
    updated_at   DATETIME  NOT NULL,
    deleted_at   DATETIME
);
CREATE INDEX idx_contract_tasks_contract ON contract_tasks (contract_id, position) WHERE deleted_at IS NULL;
-- Overdue tasks by owner (home panel) and by due date (the daily job).
CREATE INDEX idx_contract_tasks_open ON contract_tasks (owner_id, due_on) WHERE status <> 'done' AND deleted_at IS NULL;
CREATE INDEX idx_contract_tasks_due ON contract_tasks (due_on) WHERE status <> 'done' AND deleted_at IS NULL;

-- The bytes of attachments, by key: the default store, shared by every
-- app instance on the database (an S3-compatible store can replace it).
CREATE TABLE contract_files (
    file_key   TEXT PRIMARY KEY,
    data       BLOB       NOT NULL,
    size_bytes INTEGER      NOT NULL,
    created_at DATETIME NOT NULL
);

CREATE TABLE contract_attachments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id  INTEGER       NOT NULL REFERENCES contracts (id),
    blob_key     TEXT  NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT  NOT NULL,
    size_bytes   INTEGER       NOT NULL,
    sha256       TEXT  NOT NULL,
    uploaded_by  INTEGER       NOT NULL REFERENCES users (id),
    created_at   DATETIME  NOT NULL,
    deleted_at   DATETIME,
    deleted_by   INTEGER
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
