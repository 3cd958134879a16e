-- Same version and columns as postgres/00004_needs.sql.
-- Customer analysis (客户分析): the customer's current services and who
-- supplies them, pain points, IT budget and decision calendar; and needs
-- (需求) with their status. Money is integer fen.

-- +goose Up
CREATE TABLE customer_analyses (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id       INTEGER      NOT NULL REFERENCES customers (id),
    pain_points       TEXT        NOT NULL DEFAULT '',
    it_budget_fen     INTEGER      NOT NULL DEFAULT 0 CHECK (it_budget_fen >= 0),
    decision_calendar TEXT        NOT NULL DEFAULT '',
    notes             TEXT        NOT NULL DEFAULT '',
    version           INTEGER     NOT NULL DEFAULT 1,
    created_by        INTEGER,
    updated_by        INTEGER,
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL
);
CREATE UNIQUE INDEX ux_customer_analyses_customer ON customer_analyses (customer_id);

CREATE TABLE customer_services (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id       INTEGER       NOT NULL REFERENCES customers (id),
    service           TEXT  NOT NULL CHECK (service IN ('voice', 'mobile', 'broadband', 'dedicated_line', 'idc_cloud', 'iot', 'other')),
    supplier          TEXT  NOT NULL CHECK (supplier IN ('cmcc', 'ctcc', 'cucc', 'cbn', 'other', 'self')),
    description       TEXT NOT NULL DEFAULT '',
    monthly_spend_fen INTEGER       NOT NULL DEFAULT 0 CHECK (monthly_spend_fen >= 0),
    contract_end      DATE,
    version           INTEGER      NOT NULL DEFAULT 1,
    created_by        INTEGER,
    updated_by        INTEGER,
    created_at        DATETIME  NOT NULL,
    updated_at        DATETIME  NOT NULL,
    deleted_at        DATETIME
);
CREATE INDEX idx_customer_services_customer ON customer_services (customer_id) WHERE deleted_at IS NULL;
-- Competitor contracts ending soon are found by date across customers.
CREATE INDEX idx_customer_services_end ON customer_services (contract_end) WHERE deleted_at IS NULL;
CREATE INDEX idx_customer_services_deleted ON customer_services (deleted_at);

CREATE TABLE needs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id     INTEGER      NOT NULL REFERENCES customers (id),
    category        TEXT NOT NULL CHECK (category IN ('voice', 'data', 'cloud', 'iot', 'industry_app', 'other')),
    description     TEXT        NOT NULL,
    priority        TEXT  NOT NULL CHECK (priority IN ('high', 'medium', 'low')),
    contact_id      INTEGER      REFERENCES contacts (id),
    status          TEXT NOT NULL CHECK (status IN ('open', 'addressed', 'closed')),
    opportunity_id  INTEGER      REFERENCES opportunities (id),
    -- The visit record it came from; no foreign key (visits is a sibling module).
    source_visit_id INTEGER,
    owner_id        INTEGER      NOT NULL REFERENCES users (id),
    version         INTEGER     NOT NULL DEFAULT 1,
    created_by      INTEGER,
    updated_by      INTEGER,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    deleted_at      DATETIME
);
CREATE INDEX idx_needs_customer ON needs (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_needs_owner_status ON needs (owner_id, status) WHERE deleted_at IS NULL;
CREATE INDEX idx_needs_status ON needs (status) WHERE deleted_at IS NULL;
CREATE INDEX idx_needs_deleted ON needs (deleted_at);

-- +goose Down
DROP TABLE needs;
DROP TABLE customer_services;
DROP TABLE customer_analyses;
