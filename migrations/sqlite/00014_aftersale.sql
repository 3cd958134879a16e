-- Same version and columns as postgres/00014_aftersale.sql.
-- After-sale (售后): the per-branch settings (care frequency per grade,
-- service request categories, SLA per severity, auto-close), light care
-- touches, service requests and complaints with their events, satisfaction
-- call-backs, key dates (birthdays, founding days) and care events done.

-- +goose Up
CREATE TABLE aftersale_settings (
    branch_id          INTEGER      PRIMARY KEY,
    freq_a             INTEGER     NOT NULL CHECK (freq_a BETWEEN 1 AND 24),
    freq_b             INTEGER     NOT NULL CHECK (freq_b BETWEEN 1 AND 24),
    freq_c             INTEGER     NOT NULL CHECK (freq_c BETWEEN 1 AND 24),
    freq_d             INTEGER     NOT NULL CHECK (freq_d BETWEEN 1 AND 24),
    categories         TEXT        NOT NULL DEFAULT '',
    auto_close_days    INTEGER     NOT NULL CHECK (auto_close_days BETWEEN 1 AND 90),
    urgent_response_h  INTEGER     NOT NULL CHECK (urgent_response_h > 0),
    urgent_resolve_h   INTEGER     NOT NULL CHECK (urgent_resolve_h > 0),
    urgent_all_day     BOOLEAN     NOT NULL DEFAULT 0,
    major_response_h   INTEGER     NOT NULL CHECK (major_response_h > 0),
    major_resolve_h    INTEGER     NOT NULL CHECK (major_resolve_h > 0),
    major_all_day      BOOLEAN     NOT NULL DEFAULT 0,
    normal_response_h  INTEGER     NOT NULL CHECK (normal_response_h > 0),
    normal_resolve_h   INTEGER     NOT NULL CHECK (normal_resolve_h > 0),
    normal_all_day     BOOLEAN     NOT NULL DEFAULT 0,
    version            INTEGER     NOT NULL DEFAULT 1,
    created_by         INTEGER,
    updated_by         INTEGER,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL
);

CREATE TABLE care_touches (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER       NOT NULL REFERENCES customers (id),
    kind        TEXT  NOT NULL CHECK (kind IN ('call', 'meeting', 'wechat', 'email')),
    touched_on  DATE         NOT NULL,
    user_id     INTEGER       NOT NULL REFERENCES users (id),
    summary     TEXT NOT NULL DEFAULT '',
    version     INTEGER      NOT NULL DEFAULT 1,
    created_by  INTEGER,
    updated_by  INTEGER,
    created_at  DATETIME  NOT NULL,
    updated_at  DATETIME  NOT NULL,
    deleted_at  DATETIME
);
CREATE INDEX idx_care_touches_customer ON care_touches (customer_id, touched_on) WHERE deleted_at IS NULL;

CREATE TABLE service_requests (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id        INTEGER        NOT NULL REFERENCES customers (id),
    kind               TEXT   NOT NULL CHECK (kind IN ('request', 'complaint')),
    category           TEXT   NOT NULL,
    severity           TEXT   NOT NULL CHECK (severity IN ('urgent', 'major', 'normal')),
    channel            TEXT   NOT NULL,
    description        TEXT          NOT NULL,
    affected           TEXT  NOT NULL DEFAULT '',
    contact_id         INTEGER,
    status             TEXT   NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved', 'closed', 'reopened')),
    first_responder_id INTEGER        NOT NULL REFERENCES users (id),
    handler_id         INTEGER        NOT NULL REFERENCES users (id),
    all_day            BOOLEAN       NOT NULL DEFAULT 0,
    clock_from         DATETIME   NOT NULL,
    response_due_at    DATETIME   NOT NULL,
    warn_at            DATETIME   NOT NULL,
    resolve_due_at     DATETIME   NOT NULL,
    director_at        DATETIME   NOT NULL,
    responded_at       DATETIME,
    warned_at          DATETIME,
    breached_at        DATETIME,
    escalation         INTEGER       NOT NULL DEFAULT 0,
    cycle              INTEGER       NOT NULL DEFAULT 1,
    resolved_at        DATETIME,
    closed_at          DATETIME,
    resolution         TEXT          NOT NULL DEFAULT '',
    root_cause         TEXT  NOT NULL DEFAULT '',
    recovery           TEXT  NOT NULL DEFAULT '',
    callback_id        INTEGER,
    version            INTEGER       NOT NULL DEFAULT 1,
    created_by         INTEGER,
    updated_by         INTEGER,
    created_at         DATETIME   NOT NULL,
    updated_at         DATETIME   NOT NULL,
    deleted_at         DATETIME
);
CREATE INDEX idx_service_requests_customer ON service_requests (customer_id) WHERE deleted_at IS NULL;
-- The SLA job and the breaching lists read open requests by deadline.
CREATE INDEX idx_service_requests_open ON service_requests (status, resolve_due_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_service_requests_handler ON service_requests (handler_id, status) WHERE deleted_at IS NULL;

CREATE TABLE service_request_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id  INTEGER       NOT NULL REFERENCES service_requests (id),
    customer_id INTEGER       NOT NULL,
    action      TEXT  NOT NULL,
    from_status TEXT  NOT NULL DEFAULT '',
    to_status   TEXT  NOT NULL DEFAULT '',
    by_id       INTEGER,
    to_user_id  INTEGER,
    at          DATETIME  NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idx_service_request_events_request ON service_request_events (request_id, at);
CREATE INDEX idx_service_request_events_customer ON service_request_events (customer_id, at);

CREATE TABLE callbacks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id  INTEGER        NOT NULL REFERENCES customers (id),
    reason       TEXT   NOT NULL CHECK (reason IN ('contract', 'complaint', 'quarterly')),
    source_key   TEXT   NOT NULL,
    source_id    INTEGER,
    due_on       DATE          NOT NULL,
    status       TEXT   NOT NULL CHECK (status IN ('open', 'done')),
    q_attitude   INTEGER       NOT NULL DEFAULT 0,
    q_skill      INTEGER       NOT NULL DEFAULT 0,
    q_speed      INTEGER       NOT NULL DEFAULT 0,
    q_result     INTEGER       NOT NULL DEFAULT 0,
    recommend    BOOLEAN       NOT NULL DEFAULT 0,
    comment      TEXT NOT NULL DEFAULT '',
    answered_by  TEXT  NOT NULL DEFAULT '',
    done_by      INTEGER,
    done_at      DATETIME,
    request_id   INTEGER,
    version      INTEGER       NOT NULL DEFAULT 1,
    created_by   INTEGER,
    updated_by   INTEGER,
    created_at   DATETIME   NOT NULL,
    updated_at   DATETIME   NOT NULL
);
-- One task per source (a contract, a resolved complaint's cycle, a quarter).
CREATE UNIQUE INDEX ux_callbacks_source ON callbacks (source_key);
CREATE INDEX idx_callbacks_customer ON callbacks (customer_id, status);
CREATE INDEX idx_callbacks_open ON callbacks (status, due_on);

CREATE TABLE care_dates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER       NOT NULL REFERENCES customers (id),
    kind        TEXT  NOT NULL CHECK (kind IN ('birthday', 'founding')),
    contact_id  INTEGER,
    month       INTEGER      NOT NULL CHECK (month BETWEEN 1 AND 12),
    day         INTEGER      NOT NULL CHECK (day BETWEEN 1 AND 31),
    year        INTEGER,
    label       TEXT NOT NULL DEFAULT '',
    version     INTEGER      NOT NULL DEFAULT 1,
    created_by  INTEGER,
    updated_by  INTEGER,
    created_at  DATETIME  NOT NULL,
    updated_at  DATETIME  NOT NULL,
    deleted_at  DATETIME
);
CREATE INDEX idx_care_dates_customer ON care_dates (customer_id) WHERE deleted_at IS NULL;

CREATE TABLE care_done (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER       NOT NULL REFERENCES customers (id),
    event_key   TEXT  NOT NULL,
    on_date     DATE         NOT NULL,
    how         TEXT  NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    by_id       INTEGER       NOT NULL,
    created_at  DATETIME  NOT NULL
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
