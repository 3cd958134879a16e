-- Same version and columns as postgres/00006_proposals.sql.
-- Solution proposals (整体解决方案): versions, sections, line items priced
-- from the catalogue, the needs they answer, and approvals.

-- +goose Up
CREATE TABLE proposals (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    number              TEXT  NOT NULL,
    version             INTEGER      NOT NULL DEFAULT 1,
    root_id             INTEGER,
    customer_id         INTEGER       NOT NULL REFERENCES customers (id),
    opportunity_id      INTEGER       REFERENCES opportunities (id),
    owner_id            INTEGER       NOT NULL REFERENCES users (id),
    title               TEXT NOT NULL,
    status              TEXT  NOT NULL CHECK (status IN ('draft', 'pending', 'approved', 'sent', 'accepted', 'rejected', 'superseded')),
    valid_until         DATE,
    background          TEXT         NOT NULL DEFAULT '',
    needs_analysis      TEXT         NOT NULL DEFAULT '',
    solution            TEXT         NOT NULL DEFAULT '',
    implementation      TEXT         NOT NULL DEFAULT '',
    commitments         TEXT         NOT NULL DEFAULT '',
    monthly_fen         INTEGER       NOT NULL DEFAULT 0,
    one_time_fen        INTEGER       NOT NULL DEFAULT 0,
    total_fen           INTEGER       NOT NULL DEFAULT 0,
    needs_chief         BOOLEAN      NOT NULL DEFAULT 0,
    needs_director      BOOLEAN      NOT NULL DEFAULT 0,
    chief_approved_by   INTEGER,
    director_approved_by INTEGER,
    sent_at             DATETIME,
    decided_at          DATETIME,
    lock_version        INTEGER      NOT NULL DEFAULT 1,
    created_by          INTEGER,
    updated_by          INTEGER,
    created_at          DATETIME  NOT NULL,
    updated_at          DATETIME  NOT NULL,
    deleted_at          DATETIME
);
CREATE UNIQUE INDEX ux_proposals_number_version ON proposals (number, version);
CREATE INDEX idx_proposals_customer ON proposals (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_proposals_status ON proposals (status, updated_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_proposals_root ON proposals (root_id);

CREATE TABLE proposal_lines (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id       INTEGER       NOT NULL REFERENCES proposals (id),
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
CREATE INDEX idx_proposal_lines_proposal ON proposal_lines (proposal_id, position);

CREATE TABLE proposal_needs (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id),
    need_id     INTEGER NOT NULL,
    PRIMARY KEY (proposal_id, need_id)
);

CREATE TABLE proposal_approvals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id INTEGER       NOT NULL REFERENCES proposals (id),
    level       TEXT  NOT NULL CHECK (level IN ('chief', 'director')),
    decision    TEXT  NOT NULL CHECK (decision IN ('approved', 'rejected')),
    by_id       INTEGER       NOT NULL,
    at          DATETIME  NOT NULL,
    comment     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idx_proposal_approvals_proposal ON proposal_approvals (proposal_id, at);

-- +goose Down
DROP TABLE proposal_approvals;
DROP TABLE proposal_needs;
DROP TABLE proposal_lines;
DROP TABLE proposals;
