-- Same version and columns as postgres/00013_targets.sql.
-- Monthly targets and the month-end review (targets module): annual
-- quotas per account manager and per team, monthly targets per account
-- manager, and the review (月度总结) with its lines and its history.
-- Every row carries the account manager's team and branch, so the
-- permission scope (own / team / branch) applies to the table directly.

-- +goose Up
CREATE TABLE target_quotas (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    year        INTEGER     NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    owner_id    INTEGER      REFERENCES users (id),
    team_id     INTEGER      NOT NULL REFERENCES teams (id),
    branch_id   INTEGER      NOT NULL REFERENCES branches (id),
    visits      INTEGER      NOT NULL DEFAULT 0 CHECK (visits >= 0),
    signings    INTEGER      NOT NULL DEFAULT 0 CHECK (signings >= 0),
    mrc_fen     INTEGER      NOT NULL DEFAULT 0 CHECK (mrc_fen >= 0),
    version     INTEGER     NOT NULL DEFAULT 1,
    created_by  INTEGER,
    updated_by  INTEGER,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
-- One quota per account manager and year; one team quota (no owner) per team and year.
CREATE UNIQUE INDEX ux_target_quotas_owner ON target_quotas (owner_id, year) WHERE owner_id IS NOT NULL;
CREATE UNIQUE INDEX ux_target_quotas_team ON target_quotas (team_id, year) WHERE owner_id IS NULL;
CREATE INDEX idx_target_quotas_branch ON target_quotas (branch_id, year);

CREATE TABLE monthly_targets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    month       TEXT  NOT NULL,
    owner_id    INTEGER      NOT NULL REFERENCES users (id),
    team_id     INTEGER      NOT NULL REFERENCES teams (id),
    branch_id   INTEGER      NOT NULL REFERENCES branches (id),
    visits      INTEGER      NOT NULL DEFAULT 0 CHECK (visits >= 0),
    ab_visits   INTEGER      NOT NULL DEFAULT 0 CHECK (ab_visits >= 0),
    contacts    INTEGER      NOT NULL DEFAULT 0 CHECK (contacts >= 0),
    signings    INTEGER      NOT NULL DEFAULT 0 CHECK (signings >= 0),
    mrc_fen     INTEGER      NOT NULL DEFAULT 0 CHECK (mrc_fen >= 0),
    proposals   INTEGER      NOT NULL DEFAULT 0 CHECK (proposals >= 0),
    version     INTEGER     NOT NULL DEFAULT 1,
    created_by  INTEGER,
    updated_by  INTEGER,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX ux_monthly_targets_owner ON monthly_targets (owner_id, month);
CREATE INDEX idx_monthly_targets_team ON monthly_targets (team_id, month);
CREATE INDEX idx_monthly_targets_branch ON monthly_targets (branch_id, month);

CREATE TABLE monthly_reviews (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    month         TEXT  NOT NULL,
    owner_id      INTEGER      NOT NULL REFERENCES users (id),
    team_id       INTEGER      NOT NULL REFERENCES teams (id),
    branch_id     INTEGER      NOT NULL REFERENCES branches (id),
    status        TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'signed_off')),
    summary       TEXT        NOT NULL DEFAULT '',
    submitted_at  DATETIME,
    signed_off_at DATETIME,
    signed_off_by INTEGER,
    version       INTEGER     NOT NULL DEFAULT 1,
    created_by    INTEGER,
    updated_by    INTEGER,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX ux_monthly_reviews_owner ON monthly_reviews (owner_id, month);
CREATE INDEX idx_monthly_reviews_team ON monthly_reviews (team_id, month);
CREATE INDEX idx_monthly_reviews_branch ON monthly_reviews (branch_id, month);

-- One line per target line: target and actual as snapshot at submission,
-- and for a missed line the reason (A 决心不够 B 计划不周 C 目标不合理 D 其他)
-- and the improvement (改进措施).
CREATE TABLE review_lines (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id INTEGER       NOT NULL REFERENCES monthly_reviews (id),
    line      TEXT  NOT NULL,
    target    INTEGER       NOT NULL DEFAULT 0,
    actual    INTEGER       NOT NULL DEFAULT 0,
    reason    TEXT   NOT NULL DEFAULT '' CHECK (reason IN ('', 'A', 'B', 'C', 'D')),
    note      TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX ux_review_lines ON review_lines (review_id, line);

-- The review's history: submitted, commented, returned, signed off.
CREATE TABLE review_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id INTEGER       NOT NULL REFERENCES monthly_reviews (id),
    actor_id  INTEGER       NOT NULL,
    action    TEXT  NOT NULL,
    body      TEXT NOT NULL DEFAULT '',
    at        DATETIME  NOT NULL
);
CREATE INDEX idx_review_events_review ON review_events (review_id, at);

-- The actuals (modules/targets/actuals_store.go) count each manager's
-- records of one month: these let each count read the month's rows only.
CREATE INDEX idx_contacts_created ON contacts (created_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_opps_won ON opportunities (stage_changed_at) WHERE stage = 'won' AND deleted_at IS NULL;
CREATE INDEX idx_proposals_sent ON proposals (sent_at) WHERE sent_at IS NOT NULL AND deleted_at IS NULL;

-- +goose Down
DROP INDEX idx_proposals_sent;
DROP INDEX idx_opps_won;
DROP INDEX idx_contacts_created;
DROP TABLE review_events;
DROP TABLE review_lines;
DROP TABLE monthly_reviews;
DROP TABLE monthly_targets;
DROP TABLE target_quotas;
