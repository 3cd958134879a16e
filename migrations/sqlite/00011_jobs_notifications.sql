-- Same version and columns as postgres/00011_jobs_notifications.sql.

-- +goose Up
CREATE TABLE jobs (
    name             TEXT     PRIMARY KEY,
    schedule         TEXT     NOT NULL,
    next_run_at      DATETIME NOT NULL,
    locked_by        TEXT     NOT NULL DEFAULT '',
    locked_until     DATETIME,
    last_started_at  DATETIME,
    last_finished_at DATETIME,
    last_duration_ms INTEGER  NOT NULL DEFAULT 0,
    last_error       TEXT     NOT NULL DEFAULT '',
    runs             INTEGER  NOT NULL DEFAULT 0,
    failures         INTEGER  NOT NULL DEFAULT 0
);

CREATE TABLE job_runs (
    id          INTEGER  PRIMARY KEY AUTOINCREMENT,
    job         TEXT     NOT NULL,
    instance    TEXT     NOT NULL,
    started_at  DATETIME NOT NULL,
    duration_ms INTEGER  NOT NULL,
    error       TEXT     NOT NULL DEFAULT ''
);
CREATE INDEX idx_job_runs_job ON job_runs (job, started_at DESC);

CREATE TABLE notifications (
    id         INTEGER  PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER  NOT NULL REFERENCES users (id),
    kind       TEXT     NOT NULL,
    msg_id     TEXT     NOT NULL,
    args       TEXT     NOT NULL DEFAULT '{}',
    link       TEXT     NOT NULL DEFAULT '',
    dedupe_key TEXT,
    created_at DATETIME NOT NULL,
    read_at    DATETIME
);
CREATE UNIQUE INDEX ux_notifications_dedupe ON notifications (user_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX idx_notifications_inbox ON notifications (user_id, id DESC);
CREATE INDEX idx_notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- +goose Down
DROP TABLE notifications;
DROP TABLE job_runs;
DROP TABLE jobs;
