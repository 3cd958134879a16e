-- Customer analysis (客户分析): the customer's current services and who
-- supplies them, pain points, IT budget and decision calendar; and needs
-- (需求) with their status. Money is integer fen.

-- +goose Up
CREATE TABLE customer_analyses (
    id                BIGSERIAL PRIMARY KEY,
    customer_id       BIGINT      NOT NULL REFERENCES customers (id),
    pain_points       TEXT        NOT NULL DEFAULT '',
    it_budget_fen     BIGINT      NOT NULL DEFAULT 0 CHECK (it_budget_fen >= 0),
    decision_calendar TEXT        NOT NULL DEFAULT '',
    notes             TEXT        NOT NULL DEFAULT '',
    version           INTEGER     NOT NULL DEFAULT 1,
    created_by        BIGINT,
    updated_by        BIGINT,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX ux_customer_analyses_customer ON customer_analyses (customer_id);

CREATE TABLE customer_services (
    id                BIGSERIAL PRIMARY KEY,
    customer_id       BIGINT       NOT NULL REFERENCES customers (id),
    service           VARCHAR(16)  NOT NULL CHECK (service IN ('voice', 'mobile', 'broadband', 'dedicated_line', 'idc_cloud', 'iot', 'other')),
    supplier          VARCHAR(16)  NOT NULL CHECK (supplier IN ('cmcc', 'ctcc', 'cucc', 'cbn', 'other', 'self')),
    description       VARCHAR(200) NOT NULL DEFAULT '',
    monthly_spend_fen BIGINT       NOT NULL DEFAULT 0 CHECK (monthly_spend_fen >= 0),
    contract_end      DATE,
    version           INTEGER      NOT NULL DEFAULT 1,
    created_by        BIGINT,
    updated_by        BIGINT,
    created_at        TIMESTAMPTZ  NOT NULL,
    updated_at        TIMESTAMPTZ  NOT NULL,
    deleted_at        TIMESTAMPTZ
);
CREATE INDEX idx_customer_services_customer ON customer_services (customer_id) WHERE deleted_at IS NULL;
-- Competitor contracts ending soon are found by date across customers.
CREATE INDEX idx_customer_services_end ON customer_services (contract_end) WHERE deleted_at IS NULL;
CREATE INDEX idx_customer_services_deleted ON customer_services (deleted_at);

CREATE TABLE needs (
    id              BIGSERIAL PRIMARY KEY,
    customer_id     BIGINT      NOT NULL REFERENCES customers (id),
    category        VARCHAR(16) NOT NULL CHECK (category IN ('voice', 'data', 'cloud', 'iot', 'industry_app', 'other')),
    description     TEXT        NOT NULL,
    priority        VARCHAR(8)  NOT NULL CHECK (priority IN ('high', 'medium', 'low')),
    contact_id      BIGINT      REFERENCES contacts (id),
    status          VARCHAR(16) NOT NULL CHECK (status IN ('open', 'addressed', 'closed')),
    opportunity_id  BIGINT      REFERENCES opportunities (id),
    -- The visit record it came from; no foreign key (visits is a sibling module).
    source_visit_id BIGINT,
    owner_id        BIGINT      NOT NULL REFERENCES users (id),
    version         INTEGER     NOT NULL DEFAULT 1,
    created_by      BIGINT,
    updated_by      BIGINT,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    deleted_at      TIMESTAMPTZ
);
CREATE INDEX idx_needs_customer ON needs (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_needs_owner_status ON needs (owner_id, status) WHERE deleted_at IS NULL;
CREATE INDEX idx_needs_status ON needs (status) WHERE deleted_at IS NULL;
CREATE INDEX idx_needs_deleted ON needs (deleted_at);

-- +goose Down
DROP TABLE needs;
DROP TABLE customer_services;
DROP TABLE customer_analyses;
