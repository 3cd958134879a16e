-- Solution proposals (整体解决方案): versions, sections, line items priced
-- from the catalogue, the needs they answer, and approvals.

-- +goose Up
CREATE TABLE proposals (
    id                  BIGSERIAL PRIMARY KEY,
    number              VARCHAR(32)  NOT NULL,
    version             INTEGER      NOT NULL DEFAULT 1,
    root_id             BIGINT,
    customer_id         BIGINT       NOT NULL REFERENCES customers (id),
    opportunity_id      BIGINT       REFERENCES opportunities (id),
    owner_id            BIGINT       NOT NULL REFERENCES users (id),
    title               VARCHAR(200) NOT NULL,
    status              VARCHAR(16)  NOT NULL CHECK (status IN ('draft', 'pending', 'approved', 'sent', 'accepted', 'rejected', 'superseded')),
    valid_until         DATE,
    background          TEXT         NOT NULL DEFAULT '',
    needs_analysis      TEXT         NOT NULL DEFAULT '',
    solution            TEXT         NOT NULL DEFAULT '',
    implementation      TEXT         NOT NULL DEFAULT '',
    commitments         TEXT         NOT NULL DEFAULT '',
    monthly_fen         BIGINT       NOT NULL DEFAULT 0,
    one_time_fen        BIGINT       NOT NULL DEFAULT 0,
    total_fen           BIGINT       NOT NULL DEFAULT 0,
    needs_chief         BOOLEAN      NOT NULL DEFAULT FALSE,
    needs_director      BOOLEAN      NOT NULL DEFAULT FALSE,
    chief_approved_by   BIGINT,
    director_approved_by BIGINT,
    sent_at             TIMESTAMPTZ,
    decided_at          TIMESTAMPTZ,
    lock_version        INTEGER      NOT NULL DEFAULT 1,
    created_by          BIGINT,
    updated_by          BIGINT,
    created_at          TIMESTAMPTZ  NOT NULL,
    updated_at          TIMESTAMPTZ  NOT NULL,
    deleted_at          TIMESTAMPTZ
);
CREATE UNIQUE INDEX ux_proposals_number_version ON proposals (number, version);
CREATE INDEX idx_proposals_customer ON proposals (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_proposals_status ON proposals (status, updated_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_proposals_root ON proposals (root_id);

CREATE TABLE proposal_lines (
    id                BIGSERIAL PRIMARY KEY,
    proposal_id       BIGINT       NOT NULL REFERENCES proposals (id),
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
CREATE INDEX idx_proposal_lines_proposal ON proposal_lines (proposal_id, position);

CREATE TABLE proposal_needs (
    proposal_id BIGINT NOT NULL REFERENCES proposals (id),
    need_id     BIGINT NOT NULL,
    PRIMARY KEY (proposal_id, need_id)
);

CREATE TABLE proposal_approvals (
    id          BIGSERIAL PRIMARY KEY,
    proposal_id BIGINT       NOT NULL REFERENCES proposals (id),
    level       VARCHAR(16)  NOT NULL CHECK (level IN ('chief', 'director')),
    decision    VARCHAR(16)  NOT NULL CHECK (decision IN ('approved', 'rejected')),
    by_id       BIGINT       NOT NULL,
    at          TIMESTAMPTZ  NOT NULL,
    comment     VARCHAR(1000) NOT NULL DEFAULT ''
);
CREATE INDEX idx_proposal_approvals_proposal ON proposal_approvals (proposal_id, at);

-- +goose Down
DROP TABLE proposal_approvals;
DROP TABLE proposal_needs;
DROP TABLE proposal_lines;
DROP TABLE proposals;
