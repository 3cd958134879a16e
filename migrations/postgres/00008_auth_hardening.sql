-- Sign-in hardening (issue 8).
-- login_throttles: wrong passwords per account name and per network, so
-- that repeated failures slow down the network they come from (growing
-- delays) instead of locking the account for everyone. The row with
-- ip_range '*' counts an account's failures from anywhere. Keyed by the
-- SHA-256 of the name typed, so unknown names are handled exactly like
-- real ones and never stored in clear.
-- pre_sessions: an anonymous visitor's server-side record that the
-- sign-in form's CSRF token is bound to.
-- The lock on users (failed_logins, locked_until) is gone.

-- +goose Up
CREATE TABLE login_throttles (
    id              BIGSERIAL PRIMARY KEY,
    account         VARCHAR(64) NOT NULL,
    ip_range        VARCHAR(64) NOT NULL,
    failures        INTEGER     NOT NULL DEFAULT 0,
    last_failure_at TIMESTAMPTZ NOT NULL,
    blocked_until   TIMESTAMPTZ,
    UNIQUE (account, ip_range)
);
CREATE INDEX idx_login_throttles_last ON login_throttles (last_failure_at);

CREATE TABLE pre_sessions (
    id          VARCHAR(64) PRIMARY KEY,
    csrf_token  VARCHAR(64) NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX idx_pre_sessions_expires ON pre_sessions (expires_at);

ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;

-- +goose Down
ALTER TABLE users ADD COLUMN locked_until TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
DROP TABLE pre_sessions;
DROP TABLE login_throttles;
