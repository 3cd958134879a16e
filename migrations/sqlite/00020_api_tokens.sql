-- Same version and columns as postgres/00020_api_tokens.sql (personal
-- access tokens of the REST API, hashed; stored answers of idempotent
-- creates).

-- +goose Up
CREATE TABLE api_tokens (
    id           INTEGER      PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER      NOT NULL REFERENCES users (id),
    name         VARCHAR(100) NOT NULL,
    prefix       VARCHAR(16)  NOT NULL,
    token_hash   VARCHAR(64)  NOT NULL,
    read_only    BOOLEAN      NOT NULL DEFAULT 0,
    expires_at   DATETIME     NOT NULL,
    last_used_at DATETIME,
    revoked_at   DATETIME,
    revoked_by   INTEGER      REFERENCES users (id),
    created_at   DATETIME     NOT NULL
);
CREATE UNIQUE INDEX uq_api_tokens_hash ON api_tokens (token_hash);
CREATE INDEX idx_api_tokens_user ON api_tokens (user_id, created_at);

CREATE TABLE api_idempotency (
    token_id     INTEGER      NOT NULL REFERENCES api_tokens (id),
    idem_key     VARCHAR(200) NOT NULL,
    request_hash VARCHAR(64)  NOT NULL,
    status       INTEGER      NOT NULL,
    content_type VARCHAR(100) NOT NULL,
    location     VARCHAR(300) NOT NULL,
    etag         VARCHAR(100) NOT NULL,
    body         TEXT         NOT NULL,
    created_at   DATETIME     NOT NULL,
    PRIMARY KEY (token_id, idem_key)
);
CREATE INDEX idx_api_idempotency_created ON api_idempotency (created_at);

-- +goose Down
DROP TABLE api_idempotency;
DROP TABLE api_tokens;
