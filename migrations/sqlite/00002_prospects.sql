-- Same version and columns as postgres/00002_prospects.sql (no trigram
-- index: SQLite scans search_text with LIKE).
-- Group customers, key persons, qualification, opportunities and the
-- stage history of the pipeline.

-- +goose Up
CREATE TABLE customers (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT NOT NULL,
    credit_code      TEXT  NOT NULL,
    industry         TEXT  NOT NULL,
    grade            TEXT      NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D')),
    headcount        INTEGER      NOT NULL DEFAULT 0,
    annual_spend_fen INTEGER       NOT NULL DEFAULT 0,
    address          TEXT NOT NULL DEFAULT '',
    region           TEXT NOT NULL DEFAULT '',
    status           TEXT  NOT NULL CHECK (status IN ('prospect', 'active', 'dormant', 'churned')),
    competitors      TEXT NOT NULL DEFAULT '',
    owner_id         INTEGER       NOT NULL REFERENCES users (id),
    chief_rep_id     INTEGER       REFERENCES users (id),
    team_id          INTEGER       NOT NULL REFERENCES teams (id),
    branch_id        INTEGER       NOT NULL REFERENCES branches (id),
    qual_pay         TEXT   NOT NULL DEFAULT '',
    qual_pay_note    TEXT NOT NULL DEFAULT '',
    qual_need        TEXT   NOT NULL DEFAULT '',
    qual_need_note   TEXT NOT NULL DEFAULT '',
    qual_authority   TEXT   NOT NULL DEFAULT '',
    qual_authority_note TEXT NOT NULL DEFAULT '',
    qual_acceptance  TEXT   NOT NULL DEFAULT '',
    qual_acceptance_note TEXT NOT NULL DEFAULT '',
    qual_score       INTEGER      NOT NULL DEFAULT 0,
    search_text      TEXT         NOT NULL DEFAULT '',
    version          INTEGER      NOT NULL DEFAULT 1,
    created_by       INTEGER,
    updated_by       INTEGER,
    created_at       DATETIME  NOT NULL,
    updated_at       DATETIME  NOT NULL,
    deleted_at       DATETIME
);
-- A credit code is unique among live customers; a deleted one may return.
CREATE UNIQUE INDEX ux_customers_credit_code ON customers (credit_code) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_owner ON customers (owner_id, updated_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_team ON customers (team_id, updated_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_branch ON customers (branch_id, updated_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_chief ON customers (chief_rep_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_updated ON customers (updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_customers_grade ON customers (grade);
CREATE INDEX idx_customers_industry ON customers (industry);
CREATE INDEX idx_customers_status ON customers (status);
CREATE INDEX idx_customers_deleted ON customers (deleted_at);

CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id  INTEGER       NOT NULL REFERENCES customers (id),
    name         TEXT NOT NULL,
    title        TEXT NOT NULL DEFAULT '',
    mobile       TEXT  NOT NULL DEFAULT '',
    phone        TEXT  NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    role         TEXT  NOT NULL CHECK (role IN ('decision', 'influencer', 'user', 'gatekeeper')),
    attitude     TEXT  NOT NULL DEFAULT 'neutral',
    birthday     DATE,
    preferences  TEXT NOT NULL DEFAULT '',
    notes        TEXT         NOT NULL DEFAULT '',
    version      INTEGER      NOT NULL DEFAULT 1,
    created_by   INTEGER,
    updated_by   INTEGER,
    created_at   DATETIME  NOT NULL,
    updated_at   DATETIME  NOT NULL,
    deleted_at   DATETIME
);
CREATE INDEX idx_contacts_customer ON contacts (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_contacts_deleted ON contacts (deleted_at);

CREATE TABLE opportunities (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id    INTEGER       NOT NULL REFERENCES customers (id),
    title          TEXT NOT NULL,
    products       TEXT NOT NULL DEFAULT '',
    monthly_fen    INTEGER       NOT NULL DEFAULT 0,
    one_time_fen   INTEGER       NOT NULL DEFAULT 0,
    expected_close DATE,
    stage          TEXT  NOT NULL,
    probability    INTEGER      NOT NULL DEFAULT 0 CHECK (probability BETWEEN 0 AND 100),
    owner_id       INTEGER       NOT NULL REFERENCES users (id),
    lost_reason    TEXT  NOT NULL DEFAULT '',
    lost_note      TEXT NOT NULL DEFAULT '',
    stage_changed_at DATETIME NOT NULL,
    version        INTEGER      NOT NULL DEFAULT 1,
    created_by     INTEGER,
    updated_by     INTEGER,
    created_at     DATETIME  NOT NULL,
    updated_at     DATETIME  NOT NULL,
    deleted_at     DATETIME
);
CREATE INDEX idx_opps_customer ON opportunities (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_opps_stage ON opportunities (stage, expected_close) WHERE deleted_at IS NULL;
CREATE INDEX idx_opps_owner ON opportunities (owner_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_opps_deleted ON opportunities (deleted_at);

CREATE TABLE stage_changes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    opportunity_id INTEGER      NOT NULL REFERENCES opportunities (id),
    from_stage     TEXT NOT NULL DEFAULT '',
    to_stage       TEXT NOT NULL,
    by_id          INTEGER      NOT NULL,
    at             DATETIME NOT NULL,
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idx_stage_changes_opp ON stage_changes (opportunity_id, at);
CREATE INDEX idx_stage_changes_at ON stage_changes (at);

-- +goose Down
DROP TABLE stage_changes;
DROP TABLE opportunities;
DROP TABLE contacts;
DROP TABLE customers;
