-- Churn risk and the retention queue (离网风险 / 挽留, issue 15).
-- Same version and columns as postgres/00019_retention.sql.
--   churn_scores:     the latest score of each customer with any risk
--                     factor (0–100) and the factors that made it, as JSON
--                     text (code, points, message id, arguments); the job
--                     rewrites the whole table in one transaction.
--   retention_alerts: one alert per customer above the threshold, with its
--                     action, outcome, deadlines and escalation marks. The
--                     partial unique index keeps at most one unfinished
--                     alert per customer, whichever instance runs the job.

-- +goose Up
CREATE TABLE churn_scores (
    customer_id  INTEGER     PRIMARY KEY REFERENCES customers (id),
    score        INTEGER     NOT NULL CHECK (score BETWEEN 0 AND 100),
    factors      TEXT        NOT NULL,
    computed_at  DATETIME    NOT NULL
);
CREATE INDEX idx_churn_scores_score ON churn_scores (score);

CREATE TABLE retention_alerts (
    id             INTEGER      PRIMARY KEY AUTOINCREMENT,
    customer_id    BIGINT       NOT NULL REFERENCES customers (id),
    owner_id       BIGINT       NOT NULL REFERENCES users (id),
    score          INTEGER      NOT NULL,
    factors        TEXT         NOT NULL,
    status         VARCHAR(16)  NOT NULL,
    opened_at      DATETIME     NOT NULL,
    action_due_at  DATETIME     NOT NULL,
    outcome_due_at DATETIME     NOT NULL,
    -- due_at is the running deadline (the action's, then the outcome's);
    -- warn_at and director_at its warning and the director's step.
    due_at         DATETIME     NOT NULL,
    warn_at        DATETIME     NOT NULL,
    director_at    DATETIME     NOT NULL,
    warned_at      DATETIME   ,
    breached_at    DATETIME   ,
    escalation     INTEGER      NOT NULL DEFAULT 0,
    action         VARCHAR(16)  NOT NULL DEFAULT '',
    action_note    VARCHAR(500) NOT NULL DEFAULT '',
    action_at      DATETIME   ,
    action_by      BIGINT       REFERENCES users (id),
    outcome        VARCHAR(16)  NOT NULL DEFAULT '',
    outcome_reason VARCHAR(500) NOT NULL DEFAULT '',
    outcome_at     DATETIME   ,
    outcome_by     BIGINT       REFERENCES users (id),
    version        INTEGER      NOT NULL DEFAULT 1,
    created_at     DATETIME     NOT NULL,
    updated_at     DATETIME     NOT NULL,
    deleted_at     DATETIME   ,
    deleted_by     BIGINT       REFERENCES users (id)
);
CREATE UNIQUE INDEX uq_retention_alerts_open ON retention_alerts (customer_id) WHERE status <> 'closed' AND deleted_at IS NULL;
CREATE INDEX idx_retention_alerts_customer ON retention_alerts (customer_id, opened_at);
CREATE INDEX idx_retention_alerts_due ON retention_alerts (status, due_at);

-- +goose Down
DROP TABLE retention_alerts;
DROP TABLE churn_scores;
