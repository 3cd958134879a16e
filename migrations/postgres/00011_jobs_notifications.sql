-- Background jobs and the in-app notification inbox (platform/jobs,
-- platform/notify). Several app instances share one database: a job's
-- row is claimed with a conditional UPDATE, so each due run happens once.

-- +goose Up
CREATE TABLE jobs (
    name             VARCHAR(64)  PRIMARY KEY,
    schedule         VARCHAR(100) NOT NULL,
    next_run_at      TIMESTAMPTZ  NOT NULL,
    locked_by        VARCHAR(100) NOT NULL DEFAULT '',
    locked_until     TIMESTAMPTZ,
    last_started_at  TIMESTAMPTZ,
    last_finished_at TIMESTAMPTZ,
    last_duration_ms BIGINT       NOT NULL DEFAULT 0,
    last_error       TEXT         NOT NULL DEFAULT '',
    runs             BIGINT       NOT NULL DEFAULT 0,
    failures         BIGINT       NOT NULL DEFAULT 0
);

-- One row per run, for the admin page (pruned to the latest runs per job).
CREATE TABLE job_runs (
    id          BIGSERIAL    PRIMARY KEY,
    job         VARCHAR(64)  NOT NULL,
    instance    VARCHAR(100) NOT NULL,
    started_at  TIMESTAMPTZ  NOT NULL,
    duration_ms BIGINT       NOT NULL,
    error       TEXT         NOT NULL DEFAULT ''
);
CREATE INDEX idx_job_runs_job ON job_runs (job, started_at DESC);

-- A user's notifications. A message is an i18n id with arguments, shown
-- in the reader's language. dedupe_key makes a notice idempotent: a job
-- that runs twice, or on two instances, sends it once.
CREATE TABLE notifications (
    id         BIGSERIAL    PRIMARY KEY,
    user_id    BIGINT       NOT NULL REFERENCES users (id),
    kind       VARCHAR(64)  NOT NULL,
    msg_id     VARCHAR(100) NOT NULL,
    args       TEXT         NOT NULL DEFAULT '{}',
    link       VARCHAR(500) NOT NULL DEFAULT '',
    dedupe_key VARCHAR(200),
    created_at TIMESTAMPTZ  NOT NULL,
    read_at    TIMESTAMPTZ
);
CREATE UNIQUE INDEX ux_notifications_dedupe ON notifications (user_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX idx_notifications_inbox ON notifications (user_id, id DESC);
CREATE INDEX idx_notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- +goose Down
DROP TABLE notifications;
DROP TABLE job_runs;
DROP TABLE jobs;
