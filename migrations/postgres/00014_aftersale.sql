-- After-sale (售后): the per-branch settings (care frequency per grade,
-- service request categories, SLA per severity, auto-close), light care
-- touches, service requests and complaints with their events, satisfaction
-- call-backs, key dates (birthdays, founding days) and care events done.

-- +goose Up
CREATE TABLE aftersale_settings (
    branch_id          BIGINT      PRIMARY KEY,
    freq_a             INTEGER     NOT NULL CHECK (freq_a BETWEEN 1 AND 24),
    freq_b             INTEGER     NOT NULL CHECK (freq_b BETWEEN 1 AND 24),
    freq_c             INTEGER     NOT NULL CHECK (freq_c BETWEEN 1 AND 24),
    freq_d             INTEGER     NOT NULL CHECK (freq_d BETWEEN 1 AND 24),
    categories         TEXT        NOT NULL DEFAULT '',
    auto_close_days    INTEGER     NOT NULL CHECK (auto_close_days BETWEEN 1 AND 90),
    urgent_response_h  INTEGER     NOT NULL CHECK (urgent_response_h > 0),
    urgent_resolve_h   INTEGER     NOT NULL CHECK (urgent_resolve_h > 0),
    urgent_all_day     BOOLEAN     NOT NULL DEFAULT FALSE,
    major_response_h   INTEGER     NOT NULL CHECK (major_response_h > 0),
    major_resolve_h    INTEGER     NOT NULL CHECK (major_resolve_h > 0),
    major_all_day      BOOLEAN     NOT NULL DEFAULT FALSE,
    normal_response_h  INTEGER     NOT NULL CHECK (normal_response_h > 0),
    normal_resolve_h   INTEGER     NOT NULL CHECK (normal_resolve_h > 0),
    normal_all_day     BOOLEAN     NOT NULL DEFAULT FALSE,
    version            INTEGER     NOT NULL DEFAULT 1,
    created_by         BIGINT,
    updated_by         BIGINT,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);

CREATE TABLE care_touches (
    id          BIGSERIAL PRIMARY KEY,
    customer_id BIGINT       NOT NULL REFERENCES customers (id),
    kind        VARCHAR(16)  NOT NULL CHECK (kind IN ('call', 'meeting', 'wechat', 'email')),
    touched_on  DATE         NOT NULL,
    user_id     BIGINT       NOT NULL REFERENCES users (id),
    summary     VARCHAR(500) NOT NULL DEFAULT '',
    version     INTEGER      NOT NULL DEFAULT 1,
    created_by  BIGINT,
    updated_by  BIGINT,
    created_at  TIMESTAMPTZ  NOT NULL,
    updated_at  TIMESTAMPTZ  NOT NULL,
    deleted_at  TIMESTAMPTZ
);
CREATE INDEX idx_care_touches_customer ON care_touches (customer_id, touched_on) WHERE deleted_at IS NULL;

CREATE TABLE service_requests (
    id                 BIGSERIAL PRIMARY KEY,
    customer_id        BIGINT        NOT NULL REFERENCES customers (id),
    kind               VARCHAR(16)   NOT NULL CHECK (kind IN ('request', 'complaint')),
    category           VARCHAR(64)   NOT NULL,
    severity           VARCHAR(16)   NOT NULL CHECK (severity IN ('urgent', 'major', 'normal')),
    channel            VARCHAR(16)   NOT NULL,
    description        TEXT          NOT NULL,
    affected           VARCHAR(300)  NOT NULL DEFAULT '',
    contact_id         BIGINT,
    status             VARCHAR(16)   NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved', 'closed', 'reopened')),
    first_responder_id BIGINT        NOT NULL REFERENCES users (id),
    handler_id         BIGINT        NOT NULL REFERENCES users (id),
    all_day            BOOLEAN       NOT NULL DEFAULT FALSE,
    clock_from         TIMESTAMPTZ   NOT NULL,
    response_due_at    TIMESTAMPTZ   NOT NULL,
    warn_at            TIMESTAMPTZ   NOT NULL,
    resolve_due_at     TIMESTAMPTZ   NOT NULL,
    director_at        TIMESTAMPTZ   NOT NULL,
    responded_at       TIMESTAMPTZ,
    warned_at          TIMESTAMPTZ,
    breached_at        TIMESTAMPTZ,
    escalation         INTEGER       NOT NULL DEFAULT 0,
    cycle              INTEGER       NOT NULL DEFAULT 1,
    resolved_at        TIMESTAMPTZ,
    closed_at          TIMESTAMPTZ,
    resolution         TEXT          NOT NULL DEFAULT '',
    root_cause         VARCHAR(500)  NOT NULL DEFAULT '',
    recovery           VARCHAR(500)  NOT NULL DEFAULT '',
    callback_id        BIGINT,
    version            INTEGER       NOT NULL DEFAULT 1,
    created_by         BIGINT,
    updated_by         BIGINT,
    created_at         TIMESTAMPTZ   NOT NULL,
    updated_at         TIMESTAMPTZ   NOT NULL,
    deleted_at         TIMESTAMPTZ
);
CREATE INDEX idx_service_requests_customer ON service_requests (customer_id) WHERE deleted_at IS NULL;
-- The SLA job and the breaching lists read open requests by deadline.
CREATE INDEX idx_service_requests_open ON service_requests (status, resolve_due_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_service_requests_handler ON service_requests (handler_id, status) WHERE deleted_at IS NULL;

CREATE TABLE service_request_events (
    id          BIGSERIAL PRIMARY KEY,
    request_id  BIGINT       NOT NULL REFERENCES service_requests (id),
    customer_id BIGINT       NOT NULL,
    action      VARCHAR(32)  NOT NULL,
    from_status VARCHAR(16)  NOT NULL DEFAULT '',
    to_status   VARCHAR(16)  NOT NULL DEFAULT '',
    by_id       BIGINT,
    to_user_id  BIGINT,
    at          TIMESTAMPTZ  NOT NULL,
    note        VARCHAR(1000) NOT NULL DEFAULT ''
);
CREATE INDEX idx_service_request_events_request ON service_request_events (request_id, at);
CREATE INDEX idx_service_request_events_customer ON service_request_events (customer_id, at);

CREATE TABLE callbacks (
    id           BIGSERIAL PRIMARY KEY,
    customer_id  BIGINT        NOT NULL REFERENCES customers (id),
    reason       VARCHAR(16)   NOT NULL CHECK (reason IN ('contract', 'complaint', 'quarterly')),
    source_key   VARCHAR(64)   NOT NULL,
    source_id    BIGINT,
    due_on       DATE          NOT NULL,
    status       VARCHAR(16)   NOT NULL CHECK (status IN ('open', 'done')),
    q_attitude   INTEGER       NOT NULL DEFAULT 0,
    q_skill      INTEGER       NOT NULL DEFAULT 0,
    q_speed      INTEGER       NOT NULL DEFAULT 0,
    q_result     INTEGER       NOT NULL DEFAULT 0,
    recommend    BOOLEAN       NOT NULL DEFAULT FALSE,
    comment      VARCHAR(1000) NOT NULL DEFAULT '',
    answered_by  VARCHAR(100)  NOT NULL DEFAULT '',
    done_by      BIGINT,
    done_at      TIMESTAMPTZ,
    request_id   BIGINT,
    version      INTEGER       NOT NULL DEFAULT 1,
    created_by   BIGINT,
    updated_by   BIGINT,
    created_at   TIMESTAMPTZ   NOT NULL,
    updated_at   TIMESTAMPTZ   NOT NULL
);
-- One task per source (a contract, a resolved complaint's cycle, a quarter).
CREATE UNIQUE INDEX ux_callbacks_source ON callbacks (source_key);
CREATE INDEX idx_callbacks_customer ON callbacks (customer_id, status);
CREATE INDEX idx_callbacks_open ON callbacks (status, due_on);

CREATE TABLE care_dates (
    id          BIGSERIAL PRIMARY KEY,
    customer_id BIGINT       NOT NULL REFERENCES customers (id),
    kind        VARCHAR(16)  NOT NULL CHECK (kind IN ('birthday', 'founding')),
    contact_id  BIGINT,
    month       INTEGER      NOT NULL CHECK (month BETWEEN 1 AND 12),
    day         INTEGER      NOT NULL CHECK (day BETWEEN 1 AND 31),
    year        INTEGER,
    label       VARCHAR(100) NOT NULL DEFAULT '',
    version     INTEGER      NOT NULL DEFAULT 1,
    created_by  BIGINT,
    updated_by  BIGINT,
    created_at  TIMESTAMPTZ  NOT NULL,
    updated_at  TIMESTAMPTZ  NOT NULL,
    deleted_at  TIMESTAMPTZ
);
CREATE INDEX idx_care_dates_customer ON care_dates (customer_id) WHERE deleted_at IS NULL;

CREATE TABLE care_done (
    id          BIGSERIAL PRIMARY KEY,
    customer_id BIGINT       NOT NULL REFERENCES customers (id),
    event_key   VARCHAR(64)  NOT NULL,
    on_date     DATE         NOT NULL,
    how         VARCHAR(16)  NOT NULL,
    note        VARCHAR(500) NOT NULL DEFAULT '',
    by_id       BIGINT       NOT NULL,
    created_at  TIMESTAMPTZ  NOT NULL
);
-- An event on a date is marked done once.
CREATE UNIQUE INDEX ux_care_done ON care_done (customer_id, event_key, on_date);

-- +goose Down
DROP TABLE care_done;
DROP TABLE care_dates;
DROP TABLE callbacks;
DROP TABLE service_request_events;
DROP TABLE service_requests;
DROP TABLE care_touches;
DROP TABLE aftersale_settings;
