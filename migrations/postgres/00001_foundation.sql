-- Foundation: organisation (branches, teams, users), sessions, audit trail.

-- +goose Up
CREATE TABLE branches (
    id          BIGSERIAL PRIMARY KEY,
    code        VARCHAR(32)  NOT NULL UNIQUE,
    name        VARCHAR(100) NOT NULL,
    version     INTEGER      NOT NULL DEFAULT 1,
    created_by  BIGINT,
    updated_by  BIGINT,
    created_at  TIMESTAMPTZ  NOT NULL,
    updated_at  TIMESTAMPTZ  NOT NULL
);

CREATE TABLE users (
    id                  BIGSERIAL PRIMARY KEY,
    username            VARCHAR(64)  NOT NULL UNIQUE,
    name                VARCHAR(100) NOT NULL,
    email               VARCHAR(200) NOT NULL DEFAULT '',
    phone               VARCHAR(32)  NOT NULL DEFAULT '',
    role                VARCHAR(32)  NOT NULL CHECK (role IN ('account_manager', 'chief_rep', 'director', 'admin')),
    branch_id           BIGINT REFERENCES branches (id),
    team_id             BIGINT,
    lang                VARCHAR(8)   NOT NULL DEFAULT 'zh-CN',
    password_hash       VARCHAR(255) NOT NULL,
    disabled            BOOLEAN      NOT NULL DEFAULT FALSE,
    failed_logins       INTEGER      NOT NULL DEFAULT 0,
    locked_until        TIMESTAMPTZ,
    last_login_at       TIMESTAMPTZ,
    password_changed_at TIMESTAMPTZ,
    version             INTEGER      NOT NULL DEFAULT 1,
    created_by          BIGINT,
    updated_by          BIGINT,
    created_at          TIMESTAMPTZ  NOT NULL,
    updated_at          TIMESTAMPTZ  NOT NULL
);
CREATE INDEX idx_users_branch ON users (branch_id);
CREATE INDEX idx_users_team ON users (team_id);
CREATE INDEX idx_users_role ON users (role);

CREATE TABLE teams (
    id          BIGSERIAL PRIMARY KEY,
    branch_id   BIGINT       NOT NULL REFERENCES branches (id),
    name        VARCHAR(100) NOT NULL,
    leader_id   BIGINT REFERENCES users (id),
    active      BOOLEAN      NOT NULL DEFAULT TRUE,
    version     INTEGER      NOT NULL DEFAULT 1,
    created_by  BIGINT,
    updated_by  BIGINT,
    created_at  TIMESTAMPTZ  NOT NULL,
    updated_at  TIMESTAMPTZ  NOT NULL,
    UNIQUE (branch_id, name)
);
CREATE INDEX idx_teams_branch ON teams (branch_id);
ALTER TABLE users ADD CONSTRAINT fk_users_team FOREIGN KEY (team_id) REFERENCES teams (id);

CREATE TABLE sessions (
    id           VARCHAR(64)  PRIMARY KEY,
    user_id      BIGINT       NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   VARCHAR(64)  NOT NULL,
    ip           VARCHAR(64)  NOT NULL DEFAULT '',
    user_agent   VARCHAR(255) NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ  NOT NULL,
    last_seen_at TIMESTAMPTZ  NOT NULL,
    expires_at   TIMESTAMPTZ  NOT NULL
);
CREATE INDEX idx_sessions_user ON sessions (user_id);
CREATE INDEX idx_sessions_expires ON sessions (expires_at);

CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    actor_id   BIGINT,
    entity     VARCHAR(64) NOT NULL,
    entity_id  BIGINT      NOT NULL,
    action     VARCHAR(32) NOT NULL,
    changes    TEXT        NOT NULL DEFAULT '{}'
);
CREATE INDEX idx_audit_entity ON audit_log (entity, entity_id, at);
CREATE INDEX idx_audit_actor ON audit_log (actor_id, at);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE sessions;
ALTER TABLE users DROP CONSTRAINT fk_users_team;
DROP TABLE teams;
DROP TABLE users;
DROP TABLE branches;
