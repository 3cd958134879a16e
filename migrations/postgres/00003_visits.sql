-- Visit plans with their preparation checklist, the people met and going,
-- visit records, and the per-user calendar feed tokens.

-- +goose Up
CREATE TABLE visit_plans (
    id              BIGSERIAL PRIMARY KEY,
    customer_id     BIGINT       NOT NULL REFERENCES customers (id),
    owner_id        BIGINT       NOT NULL REFERENCES users (id),
    starts_at       TIMESTAMPTZ  NOT NULL,
    duration_min    INTEGER      NOT NULL DEFAULT 60 CHECK (duration_min BETWEEN 5 AND 720),
    kind            VARCHAR(16)  NOT NULL CHECK (kind IN ('first', 'needs', 'demo', 'signing', 'care', 'complaint')),
    objective       TEXT         NOT NULL,
    location        VARCHAR(200) NOT NULL DEFAULT '',
    status          VARCHAR(16)  NOT NULL CHECK (status IN ('planned', 'done', 'cancelled', 'missed')),
    cancel_reason   VARCHAR(500) NOT NULL DEFAULT '',
    chk_background  BOOLEAN      NOT NULL DEFAULT FALSE,
    chk_materials   BOOLEAN      NOT NULL DEFAULT FALSE,
    chk_cards       BOOLEAN      NOT NULL DEFAULT FALSE,
    chk_demo        BOOLEAN      NOT NULL DEFAULT FALSE,
    chk_quotation   BOOLEAN      NOT NULL DEFAULT FALSE,
    chk_appointment BOOLEAN      NOT NULL DEFAULT FALSE,
    prev_visit_id   BIGINT,
    version         INTEGER      NOT NULL DEFAULT 1,
    created_by      BIGINT,
    updated_by      BIGINT,
    created_at      TIMESTAMPTZ  NOT NULL,
    updated_at      TIMESTAMPTZ  NOT NULL,
    deleted_at      TIMESTAMPTZ
);
CREATE INDEX idx_visit_plans_owner ON visit_plans (owner_id, starts_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_visit_plans_customer ON visit_plans (customer_id, starts_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_visit_plans_starts ON visit_plans (starts_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_visit_plans_status ON visit_plans (status, starts_at);
CREATE INDEX idx_visit_plans_deleted ON visit_plans (deleted_at);

CREATE TABLE visit_contacts (
    visit_id   BIGINT NOT NULL REFERENCES visit_plans (id),
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    PRIMARY KEY (visit_id, contact_id)
);

CREATE TABLE visit_participants (
    visit_id BIGINT NOT NULL REFERENCES visit_plans (id),
    user_id  BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (visit_id, user_id)
);
CREATE INDEX idx_visit_participants_user ON visit_participants (user_id);

CREATE TABLE visit_records (
    id            BIGSERIAL PRIMARY KEY,
    visit_id      BIGINT      NOT NULL UNIQUE REFERENCES visit_plans (id),
    discussed     TEXT        NOT NULL,
    attitude      VARCHAR(16) NOT NULL CHECK (attitude IN ('positive', 'neutral', 'negative')),
    needs_text    TEXT        NOT NULL DEFAULT '',
    next_step     TEXT        NOT NULL DEFAULT '',
    next_date     DATE,
    next_visit_id BIGINT,
    version       INTEGER     NOT NULL DEFAULT 1,
    created_by    BIGINT,
    updated_by    BIGINT,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE calendar_tokens (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT      NOT NULL UNIQUE REFERENCES users (id),
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE calendar_tokens;
DROP TABLE visit_records;
DROP TABLE visit_participants;
DROP TABLE visit_contacts;
DROP TABLE visit_plans;
