-- Same version and columns as postgres/00003_visits.sql.
-- Visit plans with their preparation checklist, the people met and going,
-- visit records, and the per-user calendar feed tokens.

-- +goose Up
CREATE TABLE visit_plans (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id     INTEGER       NOT NULL REFERENCES customers (id),
    owner_id        INTEGER       NOT NULL REFERENCES users (id),
    starts_at       DATETIME  NOT NULL,
    duration_min    INTEGER      NOT NULL DEFAULT 60 CHECK (duration_min BETWEEN 5 AND 720),
    kind            TEXT  NOT NULL CHECK (kind IN ('first', 'needs', 'demo', 'signing', 'care', 'complaint')),
    objective       TEXT         NOT NULL,
    location        TEXT NOT NULL DEFAULT '',
    status          TEXT  NOT NULL CHECK (status IN ('planned', 'done', 'cancelled', 'missed')),
    cancel_reason   TEXT NOT NULL DEFAULT '',
    chk_background  BOOLEAN      NOT NULL DEFAULT 0,
    chk_materials   BOOLEAN      NOT NULL DEFAULT 0,
    chk_cards       BOOLEAN      NOT NULL DEFAULT 0,
    chk_demo        BOOLEAN      NOT NULL DEFAULT 0,
    chk_quotation   BOOLEAN      NOT NULL DEFAULT 0,
    chk_appointment BOOLEAN      NOT NULL DEFAULT 0,
    prev_visit_id   INTEGER,
    version         INTEGER      NOT NULL DEFAULT 1,
    created_by      INTEGER,
    updated_by      INTEGER,
    created_at      DATETIME  NOT NULL,
    updated_at      DATETIME  NOT NULL,
    deleted_at      DATETIME
);
CREATE INDEX idx_visit_plans_owner ON visit_plans (owner_id, starts_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_visit_plans_customer ON visit_plans (customer_id, starts_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_visit_plans_starts ON visit_plans (starts_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_visit_plans_status ON visit_plans (status, starts_at);
CREATE INDEX idx_visit_plans_deleted ON visit_plans (deleted_at);

CREATE TABLE visit_contacts (
    visit_id   INTEGER NOT NULL REFERENCES visit_plans (id),
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    PRIMARY KEY (visit_id, contact_id)
);

CREATE TABLE visit_participants (
    visit_id INTEGER NOT NULL REFERENCES visit_plans (id),
    user_id  INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (visit_id, user_id)
);
CREATE INDEX idx_visit_participants_user ON visit_participants (user_id);

CREATE TABLE visit_records (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    visit_id      INTEGER      NOT NULL UNIQUE REFERENCES visit_plans (id),
    discussed     TEXT        NOT NULL,
    attitude      TEXT NOT NULL CHECK (attitude IN ('positive', 'neutral', 'negative')),
    needs_text    TEXT        NOT NULL DEFAULT '',
    next_step     TEXT        NOT NULL DEFAULT '',
    next_date     DATE,
    next_visit_id INTEGER,
    version       INTEGER     NOT NULL DEFAULT 1,
    created_by    INTEGER,
    updated_by    INTEGER,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);

CREATE TABLE calendar_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER      NOT NULL UNIQUE REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE calendar_tokens;
DROP TABLE visit_records;
DROP TABLE visit_participants;
DROP TABLE visit_contacts;
DROP TABLE visit_plans;
