-- The REST API (issue 16): personal access tokens and the stored answers
-- of idempotent creates. Same version and columns as sqlite/00020_api_tokens.sql.
--   api_tokens:      a user's personal access tokens. Only the SHA-256 of
--                    the secret is kept (token_hash, unique): a request's
--                    token is found by its hash, never compared in the
--                    clear. prefix is the secret's first characters, shown
--                    so a user can tell tokens apart.
--   api_idempotency: the first answer to a POST carrying an
--                    Idempotency-Key, per token and key; a retry gets it
--                    back instead of creating a second record.

-- +goose Up
CREATE TABLE api_tokens (
    id           BIGSERIAL    PRIMARY KEY,
    user_id      BIGINT       NOT NULL REFERENCES users (id),
    name         VARCHAR(100) NOT NULL,
    prefix       VARCHAR(16)  NOT NULL,
    token_hash   VARCHAR(64)  NOT NULL,
    read_only    BOOLEAN      NOT NULL DEFAULT FALSE,
    expires_at   TIMESTAMPTZ  NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    revoked_by   BIGINT       REFERENCES users (id),
    created_at   TIMESTAMPTZ  NOT NULL
);
CREATE UNIQUE INDEX uq_api_tokens_hash ON api_tokens (token_hash);
CREATE INDEX idx_api_tokens_user ON api_tokens (user_id, created_at);

CREATE TABLE api_idempotency (
    token_id     BIGINT       NOT NULL REFERENCES api_tokens (id),
    idem_key     VARCHAR(200) NOT NULL,
    request_hash VARCHAR(64)  NOT NULL,
    status       INTEGER      NOT NULL,
    content_type VARCHAR(100) NOT NULL,
    location     VARCHAR(300) NOT NULL,
    etag         VARCHAR(100) NOT NULL,
    body         TEXT         NOT NULL,
    created_at   TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (token_id, idem_key)
);
CREATE INDEX idx_api_idempotency_created ON api_idempotency (created_at);

-- +goose Down
DROP TABLE api_idempotency;
DROP TABLE api_tokens;
