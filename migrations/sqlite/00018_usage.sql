-- Same version and columns as postgres/00018_usage.sql (usage and revenue
-- per customer, product and month; a month is the integer yyyymm).

-- +goose Up
CREATE TABLE usage_imports (
    id           INTEGER     PRIMARY KEY AUTOINCREMENT,
    source       VARCHAR(32) NOT NULL,
    ym           INTEGER     NOT NULL CHECK (ym BETWEEN 200001 AND 999912),
    file_name    VARCHAR(255) NOT NULL,
    row_count    INTEGER     NOT NULL,
    revenue_fen  BIGINT      NOT NULL,
    imported_by  INTEGER     NOT NULL REFERENCES users (id),
    imported_at  DATETIME    NOT NULL,
    replaced_at  DATETIME
);
CREATE INDEX idx_usage_imports_month ON usage_imports (source, ym);

CREATE TABLE usage_months (
    id           INTEGER     PRIMARY KEY AUTOINCREMENT,
    import_id    INTEGER     NOT NULL REFERENCES usage_imports (id),
    source       VARCHAR(32) NOT NULL,
    ym           INTEGER     NOT NULL CHECK (ym BETWEEN 200001 AND 999912),
    customer_id  INTEGER     NOT NULL REFERENCES customers (id),
    product_id   INTEGER     NOT NULL REFERENCES products (id),
    revenue_fen  BIGINT      NOT NULL,
    is_credit    BOOLEAN     NOT NULL DEFAULT 0,
    quantity     BIGINT      NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    CHECK (revenue_fen >= 0 OR is_credit)
);
CREATE UNIQUE INDEX uq_usage_months_row ON usage_months (source, ym, customer_id, product_id);
CREATE INDEX idx_usage_months_customer ON usage_months (customer_id, ym);
CREATE INDEX idx_usage_months_ym_product ON usage_months (ym, product_id);

-- +goose Down
DROP TABLE usage_months;
DROP TABLE usage_imports;
