-- Group customers, key persons, qualification, opportunities and the
-- stage history of the pipeline.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE customers (
    id               BIGSERIAL PRIMARY KEY,
    name             VARCHAR(200) NOT NULL,
    credit_code      VARCHAR(18)  NOT NULL,
    industry         VARCHAR(32)  NOT NULL,
    grade            CHAR(1)      NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D')),
    headcount        INTEGER      NOT NULL DEFAULT 0,
    annual_spend_fen BIGINT       NOT NULL DEFAULT 0,
    address          VARCHAR(300) NOT NULL DEFAULT '',
    region           VARCHAR(100) NOT NULL DEFAULT '',
    status           VARCHAR(16)  NOT NULL CHECK (status IN ('prospect', 'active', 'dormant', 'churned')),
    competitors      VARCHAR(100) NOT NULL DEFAULT '',
    owner_id         BIGINT       NOT NULL REFERENCES users (id),
    chief_rep_id     BIGINT       REFERENCES users (id),
    team_id          BIGINT       NOT NULL REFERENCES teams (id),
    branch_id        BIGINT       NOT NULL REFERENCES branches (id),
    qual_pay         VARCHAR(8)   NOT NULL DEFAULT '',
    qual_pay_note    VARCHAR(300) NOT NULL DEFAULT '',
    qual_need        VARCHAR(8)   NOT NULL DEFAULT '',
    qual_need_note   VARCHAR(300) NOT NULL DEFAULT '',
    qual_authority   VARCHAR(8)   NOT NULL DEFAULT '',
    qual_authority_note VARCHAR(300) NOT NULL DEFAULT '',
    qual_acceptance  VARCHAR(8)   NOT NULL DEFAULT '',
    qual_acceptance_note VARCHAR(300) NOT NULL DEFAULT '',
    qual_score       INTEGER      NOT NULL DEFAULT 0,
    search_text      TEXT         NOT NULL DEFAULT '',
    version          INTEGER      NOT NULL DEFAULT 1,
    created_by       BIGINT,
    updated_by       BIGINT,
    created_at       TIMESTAMPTZ  NOT NULL,
    updated_at       TIMESTAMPTZ  NOT NULL,
    deleted_at       TIMESTAMPTZ
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
-- Substring search over name, code and key person names (Chinese too).
CREATE INDEX idx_customers_search ON customers USING gin (search_text gin_trgm_ops);

CREATE TABLE contacts (
    id           BIGSERIAL PRIMARY KEY,
    customer_id  BIGINT       NOT NULL REFERENCES customers (id),
    name         VARCHAR(100) NOT NULL,
    title        VARCHAR(100) NOT NULL DEFAULT '',
    mobile       VARCHAR(20)  NOT NULL DEFAULT '',
    phone        VARCHAR(24)  NOT NULL DEFAULT '',
    email        VARCHAR(200) NOT NULL DEFAULT '',
    role         VARCHAR(16)  NOT NULL CHECK (role IN ('decision', 'influencer', 'user', 'gatekeeper')),
    attitude     VARCHAR(16)  NOT NULL DEFAULT 'neutral',
    birthday     DATE,
    preferences  VARCHAR(500) NOT NULL DEFAULT '',
    notes        TEXT         NOT NULL DEFAULT '',
    version      INTEGER      NOT NULL DEFAULT 1,
    created_by   BIGINT,
    updated_by   BIGINT,
    created_at   TIMESTAMPTZ  NOT NULL,
    updated_at   TIMESTAMPTZ  NOT NULL,
    deleted_at   TIMESTAMPTZ
);
CREATE INDEX idx_contacts_customer ON contacts (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_contacts_deleted ON contacts (deleted_at);

CREATE TABLE opportunities (
    id             BIGSERIAL PRIMARY KEY,
    customer_id    BIGINT       NOT NULL REFERENCES customers (id),
    title          VARCHAR(200) NOT NULL,
    products       VARCHAR(300) NOT NULL DEFAULT '',
    monthly_fen    BIGINT       NOT NULL DEFAULT 0,
    one_time_fen   BIGINT       NOT NULL DEFAULT 0,
    expected_close DATE,
    stage          VARCHAR(16)  NOT NULL,
    probability    INTEGER      NOT NULL DEFAULT 0 CHECK (probability BETWEEN 0 AND 100),
    owner_id       BIGINT       NOT NULL REFERENCES users (id),
    lost_reason    VARCHAR(16)  NOT NULL DEFAULT '',
    lost_note      VARCHAR(500) NOT NULL DEFAULT '',
    stage_changed_at TIMESTAMPTZ NOT NULL,
    version        INTEGER      NOT NULL DEFAULT 1,
    created_by     BIGINT,
    updated_by     BIGINT,
    created_at     TIMESTAMPTZ  NOT NULL,
    updated_at     TIMESTAMPTZ  NOT NULL,
    deleted_at     TIMESTAMPTZ
);
CREATE INDEX idx_opps_customer ON opportunities (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_opps_stage ON opportunities (stage, expected_close) WHERE deleted_at IS NULL;
CREATE INDEX idx_opps_owner ON opportunities (owner_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_opps_deleted ON opportunities (deleted_at);

CREATE TABLE stage_changes (
    id             BIGSERIAL PRIMARY KEY,
    opportunity_id BIGINT      NOT NULL REFERENCES opportunities (id),
    from_stage     VARCHAR(16) NOT NULL DEFAULT '',
    to_stage       VARCHAR(16) NOT NULL,
    by_id          BIGINT      NOT NULL,
    at             TIMESTAMPTZ NOT NULL,
    note           VARCHAR(500) NOT NULL DEFAULT ''
);
CREATE INDEX idx_stage_changes_opp ON stage_changes (opportunity_id, at);
CREATE INDEX idx_stage_changes_at ON stage_changes (at);

-- +goose Down
DROP TABLE stage_changes;
DROP TABLE opportunities;
DROP TABLE contacts;
DROP TABLE customers;
