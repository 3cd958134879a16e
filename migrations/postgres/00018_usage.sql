-- Usage and revenue tracking (业务使用情况跟踪, issue 15): what each group
-- customer uses and pays per month and product, as billing reports it.
-- Same version and columns as sqlite/00018_usage.sql.
--   usage_imports: one row per imported file (source + month), kept after
--                  a re-import replaces it (replaced_at set) so the audit
--                  of who loaded which month stays readable.
--   usage_months:  one row per (source, month, customer, product); a
--                  re-import of a month for a source deletes that month's
--                  rows of the source and inserts the new ones in one
--                  transaction, so a month is never counted twice.
-- A month is the integer yyyymm (202611) in the configured time zone:
-- comparable, indexable and the same on both databases.

-- +goose Up
CREATE TABLE usage_imports (
    id           BIGSERIAL   PRIMARY KEY,
    source       VARCHAR(32) NOT NULL,
    ym           INTEGER     NOT NULL CHECK (ym BETWEEN 200001 AND 999912),
    file_name    VARCHAR(255) NOT NULL,
    row_count    INTEGER     NOT NULL,
    revenue_fen  BIGINT      NOT NULL,
    imported_by  BIGINT      NOT NULL REFERENCES users (id),
    imported_at  TIMESTAMPTZ NOT NULL,
    replaced_at  TIMESTAMPTZ
);
CREATE INDEX idx_usage_imports_month ON usage_imports (source, ym);

CREATE TABLE usage_months (
    id           BIGSERIAL   PRIMARY KEY,
    import_id    BIGINT      NOT NULL REFERENCES usage_imports (id),
    source       VARCHAR(32) NOT NULL,
    ym           INTEGER     NOT NULL CHECK (ym BETWEEN 200001 AND 999912),
    customer_id  BIGINT      NOT NULL REFERENCES customers (id),
    product_id   BIGINT      NOT NULL REFERENCES products (id),
    -- revenue_fen may be negative only for a credit (is_credit).
    revenue_fen  BIGINT      NOT NULL,
    is_credit    BOOLEAN     NOT NULL DEFAULT FALSE,
    -- quantity is counted in the product's unit (lines, members, Mbps,
    -- minutes, MB …).
    quantity     BIGINT      NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    CHECK (revenue_fen >= 0 OR is_credit)
);
CREATE UNIQUE INDEX uq_usage_months_row ON usage_months (source, ym, customer_id, product_id);
CREATE INDEX idx_usage_months_customer ON usage_months (customer_id, ym);
CREATE INDEX idx_usage_months_ym_product ON usage_months (ym, product_id);

-- +goose Down
DROP TABLE usage_months;
DROP TABLE usage_imports;
