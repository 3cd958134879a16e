-- Foundation: organisation (branches, teams, users), sessions, audit trail.
-- Same version and columns as postgres/00001_foundation.sql.

-- +goose Up
CREATE TABLE branches (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT     NOT NULL UNIQUE,
    name        TEXT     NOT NULL,
    version     INTEGER  NOT NULL DEFAULT 1,
    created_by  INTEGER,
    updated_by  INTEGER,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_id   INTEGER  NOT NULL REFERENCES branches (id),
    name        TEXT     NOT NULL,
    leader_id   INTEGER REFERENCES users (id),
    active      BOOLEAN  NOT NULL DEFAULT 1,
    version     INTEGER  NOT NULL DEFAULT 1,
    created_by  INTEGER,
    updated_by  INTEGER,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    UNIQUE (branch_id, name)
);
CREATE INDEX idx_teams_branch ON teams (branch_id);

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    username            TEXT     NOT NULL UNIQUE,
    name                TEXT     NOT NULL,
    email               TEXT     NOT NULL DEFAULT '',
    phone               TEXT     NOT NULL DEFAULT '',
    role                TEXT     NOT NULL CHECK (role IN ('account_manager', 'chief_rep', 'director', 'admin')),
    branch_id           INTEGER REFERENCES branches (id),
    team_id             INTEGER REFERENCES teams (id),
    lang                TEXT     NOT NULL DEFAULT 'zh-CN',
    password_hash       TEXT     NOT NULL,
    disabled            BOOLEAN  NOT NULL DEFAULT 0,
    failed_logins       INTEGER  NOT NULL DEFAULT 0,
    locked_until        DATETIME,
    last_login_at       DATETIME,
    password_changed_at DATETIME,
    version             INTEGER  NOT NULL DEFAULT 1,
    created_by          INTEGER,
    updated_by          INTEGER,
    created_at          DATETIME NOT NULL,
    updated_at          DATETIME NOT NULL
);
CREATE INDEX idx_users_branch ON users (branch_id);
CREATE INDEX idx_users_team ON users (team_id);
CREATE INDEX idx_users_role ON users (role);

CREATE TABLE sessions (
    id           TEXT     PRIMARY KEY,
    user_id      INTEGER  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT     NOT NULL,
    ip           TEXT     NOT NULL DEFAULT '',
    user_agent   TEXT     NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    last_seen_at DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL
);
CREATE INDEX idx_sessions_user ON sessions (user_id);
CREATE INDEX idx_sessions_expires ON sessions (expires_at);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         DATETIME NOT NULL,
    actor_id   INTEGER,
    entity     TEXT     NOT NULL,
    entity_id  INTEGER  NOT NULL,
    action     TEXT     NOT NULL,
    changes    TEXT     NOT NULL DEFAULT '{}'
);
CREATE INDEX idx_audit_entity ON audit_log (entity, entity_id, at);
CREATE INDEX idx_audit_actor ON audit_log (actor_id, at);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE teams;
DROP TABLE branches;
